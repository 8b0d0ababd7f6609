"""The examples of docs/websocket.md run as written (in process)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skitai.testing.websocket import WebSocketClosed

DOC = Path(__file__).resolve().parents[3] / "docs" / "websocket.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


@pytest.fixture(scope="module")
def cli():
    namespace: dict = {"__name__": "websocket_docs"}
    for block in BLOCKS[:3]:  # the app, the specs, the piped process
        exec(compile(block, str(DOC), "exec"), namespace)
    with namespace["app"].test_client("/", approot=".") as client:
        yield client


def test_first_example_pushes_to_the_client_in_the_session(cli):
    with cli.websocket("/websocket") as ws:
        ws.send("hi")
        assert ws.receive() == "you said: hi"
        assert cli.get("/item_in_stock").text == "ok"
        assert ws.receive() == "Item In Stock!"


def test_spec_examples(cli):
    with cli.websocket("/echo") as ws:
        ws.send("a")
        assert ws.receive() == "a"
    with cli.websocket("/counter") as ws:
        assert ws.receive() == "welcome"
        ws.send("x")
        assert ws.receive() == "1: x"
    with cli.websocket("/echo_coroutine") as ws:
        ws.send("b")
        assert ws.receive() == "echo: b"
    with cli.websocket("/stream") as ws:
        ws.send("up")
        assert ws.receive() == "UP"
    with cli.websocket("/chat/lobby") as one, cli.websocket("/chat/lobby") as two:
        one.send("hello")
        assert two.receive() == "[lobby] hello"


@pytest.mark.process  # the piped process is a child process
def test_piped_process_example(cli):
    with cli.websocket("/shell") as ws:
        ws.send("quiet")
        assert ws.receive() == "QUIET"


def test_testing_example_refuses_a_plain_get(cli):
    assert cli.get("/echo").status_code == 426
    with pytest.raises(WebSocketClosed):
        cli.websocket("/nowhere")
