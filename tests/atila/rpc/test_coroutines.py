"""Generator routes over a real HTTP/1.1 server: ``coroutine=True`` routes
yielding tasks and chunks (streamed chunked), ``input_stream=True`` routes
reading the body as it arrives with ``data = yield context.Input(n)``, and a
bidirectional echo answering each piece while the upload still goes on."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

HERE = Path(__file__).parent


SERVE = """
import skitai
import coapp

if __name__ == "__main__":
    skitai.mount("/", coapp.app)
    skitai.run(port=5000)
"""


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    home = tmp_path_factory.mktemp("coapp")
    shutil.copy(HERE / "coapp.py", home)
    (home / "serve.py").write_text(SERVE)
    with skitai.test_client(str(home / "serve.py"), port=free_port()) as client:
        yield client


def test_a_coroutine_yielding_tasks_answers_its_return_value(cli):
    answer = cli.get("/coroutine")
    assert answer.status_code == 200
    assert answer.json() == {"task": "from a thread", "value": "awaited"}


def test_a_coroutine_yielding_the_engines_tasks(cli):
    answer = cli.get("/tasks")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"a": "Example Domain", "b": "mask", "c": "mask", "d": "hello"}


def test_coroutine_streaming_is_chunked(cli):
    answer = cli.get("/download_csv?rows=3")
    assert answer.headers["transfer-encoding"] == "chunked"
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.text == 'ID, NAME\n0, "name 0"\n1, "name 1"\n2, "name 2"\nEND\n'


def test_a_yield_of_the_wrong_kind_is_a_500_naming_it(cli):
    answer = cli.get("/bad")
    assert answer.status_code == 500
    assert "a coroutine route may yield str or bytes chunks" in cli.output()
    assert "not int" in cli.output()


def test_input_without_input_stream_is_refused_with_the_option_named(cli):
    assert cli.post("/no-input", content=b"abc").status_code == 500
    assert "route this handler with input_stream=True" in cli.output()


def test_input_stream_reads_the_whole_body_in_pieces(cli):
    body = bytes(range(256)) * 100
    assert cli.post("/upload", content=body).content == body

    def chunks():
        for i in range(5):
            yield b"part%d;" % i

    assert cli.post("/upload", content=chunks()).content == b"part0;part1;part2;part3;part4;"


def _read_chunk(sock_file):
    size = int(sock_file.readline().split(b";")[0], 16)
    data = sock_file.read(size)
    sock_file.readline()
    return data


def test_bidirectional_streaming_answers_while_the_upload_goes_on(cli):
    with socket.create_connection(("127.0.0.1", cli.port), timeout=10) as sock:
        sock.sendall(b"POST /bistreaming HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        reader = sock.makefile("rb")
        sock.sendall(b"5\r\nhello\r\n")
        assert reader.readline().startswith(b"HTTP/1.1 200")
        while reader.readline() not in (b"\r\n", b""):
            pass
        # the answer to the first piece arrives before the second is sent
        assert _read_chunk(reader) == b":hello"
        sock.sendall(b"5\r\nworld\r\n")
        assert _read_chunk(reader) == b":world"
        sock.sendall(b"0\r\n\r\n")
        assert _read_chunk(reader) == b""


def test_a_slow_client_pauses_the_generator(cli):
    # a client that reads nothing: the generator is pulled only as fast as the
    # socket drains, so it stops far short of what an unbounded buffer would take
    with socket.create_connection(("127.0.0.1", cli.port), timeout=10) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        sock.sendall(b"GET /endless HTTP/1.1\r\nHost: x\r\n\r\n")
        before = -1
        for _ in range(50):  # until the count stops growing
            time.sleep(0.2)
            count = cli.get("/produced").json()["count"]
            if count == before:
                break
            before = count
        assert count < 400  # 400 x 64 KiB = 25 MiB; the socket buffers hold a few MiB at most
    for _ in range(50):
        if cli.get("/produced").json()["closed"]:
            break
        time.sleep(0.1)
    assert cli.get("/produced").json()["closed"]  # the client left: the generator was closed
