"""docs/streaming.md runs as written: its first block is a server script, the
other routes are added to it before its ``__main__`` part."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process
ROOT = Path(__file__).resolve().parents[3]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "streaming.md").read_text(), re.S)


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    head, main = BLOCKS[0].split('if __name__ == "__main__":')
    script = head + "\n\n".join(BLOCKS[1:]) + '\n\nif __name__ == "__main__":' + main
    home = tmp_path_factory.mktemp("streaming_docs")
    (home / "serve.py").write_text(script)
    with skitai.test_client(str(home / "serve.py"), port=free_port()) as client:
        yield client


def test_the_coroutine_example(cli):
    assert cli.get("/coroutine").json() == {"a": "Example Domain", "b": "mask", "c": "mask", "d": "hello"}


def test_the_coroutine_streaming_example(cli):
    answer = cli.get("/download_csv")
    assert answer.headers["transfer-encoding"] == "chunked"
    assert answer.text == 'ID, NAME\n0, "name 0"\n1, "name 1"\n2, "name 2"\nEND\n'


def test_the_streaming_request_and_bidirectional_examples(cli):
    def pieces():
        yield b"one,"
        yield b"two"

    assert cli.post("/upload", content=pieces()).content == b"one,two"
    echoed = cli.post("/bistreaming", content=pieces()).content
    # each piece read is echoed with ":" (pieces that arrived together are read as one)
    assert echoed.startswith(b":one,") and echoed.replace(b":", b"") == b"one,two"
