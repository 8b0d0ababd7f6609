"""ASGI's ``http.response.trailers`` and ``http.response.push`` extensions over
HTTP/2, against a real server process with a raw ``h2`` client; over HTTP/1.1
the scope does not offer them and the same app answers without."""

from __future__ import annotations

import os
import socket
from typing import Any, Iterator

import h2.config
import h2.connection
import h2.events
import h2.settings
import pytest

import skitai
from skitai.testing.client import TestClient, free_port

pytestmark = pytest.mark.process

HERE = os.path.dirname(__file__)
SERVE = os.path.join(HERE, "site", "serve.py")
STYLE = open(os.path.join(HERE, "site", "static", "style.css"), "rb").read()


@pytest.fixture(scope="module")
def server() -> Iterator[TestClient]:
    with skitai.test_client(SERVE, port=free_port(), http2=True) as client:
        yield client


def _exchange(port: int, path: str, enable_push: int) -> list[Any]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding=None))
        conn.local_settings = h2.settings.Settings(
            client=True, initial_values={h2.settings.SettingCodes.ENABLE_PUSH: enable_push}
        )
        conn.initiate_connection()
        conn.send_headers(
            1,
            [(b":method", b"GET"), (b":scheme", b"http"), (b":path", path.encode()), (b":authority", b"127.0.0.1")],
            end_stream=True,
        )
        sock.sendall(conn.data_to_send())
        events: list[Any] = []

        def ended(stream_id: int) -> bool:
            return any(isinstance(e, h2.events.StreamEnded) and e.stream_id == stream_id for e in events)

        def pushed() -> list[int]:
            return [e.pushed_stream_id for e in events if isinstance(e, h2.events.PushedStreamReceived)]

        while not ended(1) or not all(ended(s) for s in pushed()):
            data = sock.recv(65536)
            assert data, "connection closed early"
            for event in conn.receive_data(data):
                events.append(event)
                if isinstance(event, h2.events.DataReceived):
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            sock.sendall(conn.data_to_send())
        return events
    finally:
        sock.close()


def _body(events: list[Any], stream_id: int) -> bytes:
    return b"".join(e.data for e in events if isinstance(e, h2.events.DataReceived) and e.stream_id == stream_id)


def test_asgi_trailers_and_push_over_h2(server: TestClient) -> None:
    events = _exchange(server.port, "/asgi-extras", enable_push=1)
    assert _body(events, 1) == b"part one, part two"
    (trailers,) = [e for e in events if isinstance(e, h2.events.TrailersReceived)]
    assert trailers.headers == [(b"x-checksum", b"abc"), (b"x-status", b"0")]
    (promise,) = [e for e in events if isinstance(e, h2.events.PushedStreamReceived)]
    assert (b":path", b"/static/style.css") in promise.headers and (b"accept", b"text/css") in promise.headers
    assert _body(events, promise.pushed_stream_id) == STYLE


def test_asgi_push_is_a_no_op_when_the_client_refuses_it(server: TestClient) -> None:
    events = _exchange(server.port, "/asgi-extras", enable_push=0)
    assert _body(events, 1) == b"part one, part two"
    assert not [e for e in events if isinstance(e, h2.events.PushedStreamReceived)]
    assert any(isinstance(e, h2.events.TrailersReceived) for e in events)


def test_over_http1_the_extensions_are_not_offered() -> None:
    with skitai.test_client(SERVE, port=free_port()) as client:
        resp = client.get("/asgi-extras")
        assert resp.status_code == 200 and resp.text == "part one, part two"
