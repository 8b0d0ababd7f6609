"""WebSocket routes on a real server process, with the ``websockets`` client."""

from __future__ import annotations

import os
import socket
import struct

import pytest
from websockets.sync.client import connect

import skitai
from skitai.testing.client import free_port
from skitai.testing.websocket import WebSocketClosed

HERE = os.path.dirname(os.path.abspath(__file__))

pytestmark = pytest.mark.process


@pytest.fixture(scope="module")
def engine():
    with skitai.test_client(os.path.join(HERE, "ws_app.py"), port=free_port()) as client:
        yield client


def test_echo_through_the_websockets_client(engine):
    with connect(f"ws://127.0.0.1:{engine.port}/echo") as ws:
        ws.send("hello")
        assert ws.recv(5) == "hello"
        ws.send(b"\xff" * 70000)
        assert ws.recv(5) == b"\xff" * 70000


def test_permessage_deflate_is_negotiated_and_works(engine):
    with connect(f"ws://127.0.0.1:{engine.port}/echo", compression="deflate") as ws:
        assert "permessage-deflate" in ws.response.headers["Sec-WebSocket-Extensions"]
        ws.send("z" * 200000)
        assert ws.recv(5) == "z" * 200000


def test_message_over_the_limit_is_closed_1009(engine):
    with engine.websocket("/echo") as ws:
        ws.send("x" * (2 * 1024 * 1024))
        with pytest.raises(WebSocketClosed) as info:
            ws.receive()
    assert info.value.code == 1009


def test_deflate_bomb_is_closed_1009(engine):
    import zlib

    # 64 MiB of zeros deflates to about 64 KiB: the inflated size is what counts
    compressor = zlib.compressobj(wbits=-12)
    payload = compressor.compress(b"\0" * (64 * 1024 * 1024)) + compressor.flush(zlib.Z_SYNC_FLUSH)
    payload = payload[:-4]  # RFC 7692 7.2.1: drop the 00 00 ff ff tail
    with connect(f"ws://127.0.0.1:{engine.port}/echo", compression="deflate") as ws:
        frame = _frame(0x1, payload, rsv1=True)
        ws.socket.sendall(frame)
        with pytest.raises(Exception):
            ws.recv(5)
        assert ws.protocol.close_rcvd is not None and ws.protocol.close_rcvd.code == 1009


def test_session_cookie_of_onopen_reaches_the_next_request(engine):
    ws = engine.websocket("/threaded")
    try:
        assert engine.get("/push-session").json()["sent"] is True
        assert ws.receive() == "Item In Stock!"
    finally:
        ws.close()
    assert engine.get("/push-session").json()["sent"] is False


def test_plain_get_is_426_and_a_bad_key_is_400(engine):
    assert engine.get("/echo").status_code == 426
    with socket.create_connection(("127.0.0.1", engine.port), timeout=5) as sock:
        sock.sendall(
            b"GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        assert sock.recv(4096).startswith(b"HTTP/1.1 400 ")


def test_keepalive_ping_reaches_an_idle_client(engine):
    # ws_app runs with ws_ping_interval=1: the server pings an idle client
    with socket.create_connection(("127.0.0.1", engine.port), timeout=5) as sock:
        sock.sendall(
            b"GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(4096)
        head, _, rest = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101 ")
        while len(rest) < 2:
            rest += sock.recv(4096)
        assert rest[0] == 0x89  # FIN + PING


def test_dead_peer_is_dropped_after_the_ping_timeout(engine):
    # never answering the pings: dropped after ws_ping_interval + ws_ping_timeout (1 + 2 s)
    with socket.create_connection(("127.0.0.1", engine.port), timeout=15) as sock:
        sock.sendall(
            b"GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        received = b""
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
    assert b"\x88" in received  # a close frame came before the drop
    assert b"keepalive ping timeout" in received


def _frame(opcode: int, payload: bytes, rsv1: bool = False) -> bytes:
    head = bytes([0x80 | (0x40 if rsv1 else 0) | opcode])
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    masked = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
    return head + mask + masked


def test_graceful_shutdown_closes_open_sockets_with_1001():
    client = skitai.test_client(os.path.join(HERE, "ws_app.py"), port=free_port())
    try:
        ws = client.websocket("/echo")
        ws.send("before")
        assert ws.receive() == "before"
    finally:
        client.stop()
    with pytest.raises(WebSocketClosed) as info:
        ws.receive()
    assert info.value.code == 1001
    assert "shutting down" in info.value.reason


def test_a_client_that_does_not_read_is_not_buffered_without_bound(engine):
    # 64 MiB of echo requests, never reading the replies: once the replies fill
    # the socket the server stops reading, so the sender stalls long before the end,
    # or (when the stall outlasts the send limits, as on a loaded machine) the server
    # cuts the connection; either way it never buffers the 64 MiB
    frame = _frame(0x1, b"x" * 60000)
    with socket.create_connection(("127.0.0.1", engine.port), timeout=5) as sock:
        sock.sendall(
            b"GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        assert sock.recv(4096).startswith(b"HTTP/1.1 101 ")
        sock.settimeout(3)
        with pytest.raises((socket.timeout, ConnectionResetError, BrokenPipeError)):
            for _ in range(64 * 1024 * 1024 // len(frame)):
                sock.sendall(frame)
        with connect(f"ws://127.0.0.1:{engine.port}/echo") as other:
            other.send("others are served")
            assert other.recv(5) == "others are served"
