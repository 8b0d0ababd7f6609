"""WebSocket over HTTP/2 (RFC 8441) against a real server process: a raw ``h2``
client opens an extended CONNECT stream, the ``websockets`` library's client
protocol frames the messages carried in its DATA frames."""

from __future__ import annotations

import os
import socket
from typing import Any, Iterator

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.settings
import pytest
from websockets.client import ClientProtocol
from websockets.frames import Close
from websockets.protocol import State
from websockets.uri import parse_uri

import skitai
from skitai.testing.client import TestClient, free_port

pytestmark = pytest.mark.process

SERVE = os.path.join(os.path.dirname(__file__), "site", "serve.py")


@pytest.fixture(scope="module")
def server() -> Iterator[TestClient]:
    with skitai.test_client(SERVE, port=free_port(), http2=True) as client:
        yield client


class H2WebSocket:
    """One extended CONNECT stream with a websockets client protocol on top."""

    def __init__(self, port: int, path: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        config = h2.config.H2Configuration(client_side=True, header_encoding=None, validate_outbound_headers=False)
        self.h2 = h2.connection.H2Connection(config=config)
        self.h2.initiate_connection()
        self.sock.sendall(self.h2.data_to_send())
        self.events: list[Any] = []
        self.ws = ClientProtocol(parse_uri(f"ws://127.0.0.1{path}"), state=State.OPEN)
        self.until(lambda: any(isinstance(e, h2.events.RemoteSettingsChanged) for e in self.events))
        self.settings = self.h2.remote_settings
        self.stream_id = self.h2.get_next_available_stream_id()
        self.h2.send_headers(
            self.stream_id,
            [
                (b":method", b"CONNECT"),
                (b":protocol", b"websocket"),
                (b":scheme", b"http"),
                (b":path", path.encode()),
                (b":authority", b"127.0.0.1"),
                (b"sec-websocket-version", b"13"),
                *(extra or []),
            ],
        )
        self.sock.sendall(self.h2.data_to_send())
        self.until(lambda: self.response is not None or self.ended)

    @property
    def response(self) -> dict[bytes, bytes] | None:
        for event in self.events:
            if isinstance(event, h2.events.ResponseReceived) and event.stream_id == self.stream_id:
                return dict(event.headers)
        return None

    @property
    def ended(self) -> bool:
        return any(
            isinstance(e, (h2.events.StreamEnded, h2.events.StreamReset)) and e.stream_id == self.stream_id
            for e in self.events
        )

    def until(self, done: Any) -> None:
        while not done():
            data = self.sock.recv(65536)
            if not data:
                return
            for event in self.h2.receive_data(data):
                self.events.append(event)
                if isinstance(event, h2.events.DataReceived):
                    self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                    if event.stream_id == self.stream_id:
                        self.ws.receive_data(event.data)
            self.sock.sendall(self.h2.data_to_send())

    def send_ws(self) -> None:
        for chunk in self.ws.data_to_send():
            if chunk:
                self.h2.send_data(self.stream_id, chunk)
        self.sock.sendall(self.h2.data_to_send())

    def send_text(self, text: str) -> None:
        self.ws.send_text(text.encode())
        self.send_ws()

    def receive(self) -> Any:
        received: list[Any] = []

        def got() -> bool:
            received.extend(self.ws.events_received())
            return bool(received) or self.ended

        self.until(got)
        return received[0] if received else None

    def close(self) -> None:
        self.sock.close()


def test_the_server_announces_extended_connect(server: TestClient) -> None:
    client = H2WebSocket(server.port, "/ws/echo")
    try:
        assert client.settings.enable_connect_protocol == 1
        assert client.response is not None and client.response[b":status"] == b"200"
        assert b"sec-websocket-accept" not in client.response
    finally:
        client.close()


def test_atila_websocket_route_over_an_h2_stream(server: TestClient) -> None:
    client = H2WebSocket(server.port, "/ws/echo")
    try:
        for text in ("hello", "again"):
            client.send_text(text)
            frame = client.receive()
            assert frame.data.decode() == f"echo 2: {text}"
        # the closing handshake ends the stream; the connection stays usable
        client.ws.send_close(1000, "bye")
        client.send_ws()
        client.until(lambda: client.ended)
        closes = [Close.parse(f.data) for f in client.ws.events_received() if f.opcode == 8]
        assert client.ended and (not closes or closes[0].code == 1000)
        stream_id = client.h2.get_next_available_stream_id()
        client.h2.send_headers(
            stream_id,
            [(b":method", b"GET"), (b":scheme", b"http"), (b":path", b"/version"), (b":authority", b"127.0.0.1")],
            end_stream=True,
        )
        client.sock.sendall(client.h2.data_to_send())
        client.until(
            lambda: any(isinstance(e, h2.events.StreamEnded) and e.stream_id == stream_id for e in client.events)
        )
        body = b"".join(
            e.data for e in client.events if isinstance(e, h2.events.DataReceived) and e.stream_id == stream_id
        )
        assert b'"version"' in body
    finally:
        client.close()


def test_asgi_websocket_scope_over_an_h2_stream(server: TestClient) -> None:
    client = H2WebSocket(server.port, "/asgi-ws")
    try:
        assert client.receive().data == b"hello over 2"
        client.send_text("shout")
        assert client.receive().data == b"SHOUT"
    finally:
        client.close()


def test_unknown_protocol_is_refused(server: TestClient) -> None:
    other = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    try:
        conn = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=True, header_encoding=None, validate_outbound_headers=False)
        )
        conn.initiate_connection()
        conn.send_headers(
            1,
            [
                (b":method", b"CONNECT"),
                (b":protocol", b"bogus"),
                (b":scheme", b"http"),
                (b":path", b"/ws/echo"),
                (b":authority", b"127.0.0.1"),
            ],
        )
        other.sendall(conn.data_to_send())
        events: list[Any] = []
        while not any(isinstance(e, h2.events.StreamReset) for e in events):
            data = other.recv(65536)
            assert data, "connection closed without resetting the stream"
            events.extend(conn.receive_data(data))
            other.sendall(conn.data_to_send())
        (reset,) = [e for e in events if isinstance(e, h2.events.StreamReset)]
        assert reset.error_code == h2.errors.ErrorCodes.REFUSED_STREAM
    finally:
        other.close()


def test_plain_get_of_a_websocket_route_is_426_over_h2(server: TestClient) -> None:
    assert server.get("/ws/echo").status_code == 426
