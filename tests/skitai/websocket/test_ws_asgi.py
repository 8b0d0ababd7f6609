"""ASGI websocket scopes: a Starlette app mounted on Skitai, in memory and as a real process."""

from __future__ import annotations

import os

import pytest

import skitai
from atila.testing import AppTestClient
from skitai.testing.client import free_port
from skitai.testing.websocket import WebSocketClosed

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def cli():
    import starlette_ws_app

    with AppTestClient(starlette_ws_app.app, "/asgi") as client:
        yield client


@pytest.fixture(autouse=True)
def _path(monkeypatch):
    monkeypatch.syspath_prepend(HERE)


def test_starlette_websocket_route_echoes(cli):
    with cli.websocket("/asgi/ws", subprotocols=["chat"]) as ws:
        ws.send("hi")
        assert ws.receive() == "asgi: hi"
        ws.send(b"\x01")
        assert ws.receive() == b"\x01"
        assert ws.headers["Sec-WebSocket-Protocol"] == "chat"


def test_close_before_accept_is_403(cli):
    with pytest.raises(WebSocketClosed) as info:
        cli.websocket("/asgi/refuse")
    assert "403" in info.value.reason


def test_app_close_reaches_the_client_with_its_code(cli):
    with cli.websocket("/asgi/closes") as ws:
        assert ws.receive() == "bye"
        with pytest.raises(WebSocketClosed) as info:
            ws.receive()
    assert (info.value.code, info.value.reason) == (4000, "done")


@pytest.mark.process
def test_real_process_with_the_websockets_client():
    with skitai.test_client(os.path.join(HERE, "starlette_ws_app.py"), port=free_port()) as engine:
        with engine.websocket("/asgi/ws") as ws:
            ws.send("over tcp")
            assert ws.receive() == "asgi: over tcp"
        # a plain GET is an http scope: Starlette has no http route there
        assert engine.get("/asgi/ws").status_code == 404
