"""The WebSocket session without sockets: client frames in, events and bytes out.

The client side is websockets' own ``ClientProtocol`` (a real codec), the
carrier a byte buffer; time is passed to ``check_timeouts`` explicitly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import struct
import zlib

import pytest
from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from skitai.config import Limits
from skitai.testing.memory import make_request
from skitai.websocket.handshake import accept
from skitai.websocket.session import WebSocketSession


class BufferCarrier:
    """Collects what the session writes; its write buffer size is settable."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = False
        self.aborted = False
        self.reading = True
        self.buffered = 0

    def write(self, data: bytes) -> None:
        self.data += data

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def take(self) -> bytes:
        data, self.data = bytes(self.data), bytearray()
        return data


class Recorder:
    def __init__(self, reply: bool = True) -> None:
        self.messages: list = []
        self.closed: tuple | None = None
        self.session: WebSocketSession | None = None
        self.reply = reply

    def on_open(self, session):
        self.session = session

    def on_message(self, message):
        self.messages.append(message)
        if self.reply:
            self.session.send(message)

    def on_close(self, code, reason):
        self.closed = (code, reason)


class Pair:
    """A server session and a websockets client talking through buffers."""

    def __init__(self, limits: Limits = Limits(), deflate: bool = False, idle: float | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = ClientProtocol(
            parse_uri("ws://testserver/ws"),
            extensions=[ClientPerMessageDeflateFactory(client_max_window_bits=12)] if deflate else None,
        )
        request = self.client.connect()
        self.client.send_request(request)
        self.client.data_to_send()
        shake = accept(make_request("GET", "/ws", list(request.headers.raw_items())), limits)
        assert shake.accepted, shake.detail
        head = (
            b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
            + b"".join(f"{k}: {v}\r\n".encode() for k, v in shake.headers)
            + b"\r\n"
        )
        self.client.receive_data(head)
        self.client.events_received()
        assert self.client.state is State.OPEN
        self.handler = Recorder()
        self.carrier = BufferCarrier()
        self.session = WebSocketSession(shake.protocol, self.handler, limits, self.loop, idle)
        self.session.attach(self.carrier)

    def send_raw(self, data: bytes) -> None:
        self.session.receive_data(data)

    def send_text(self, text: str) -> None:
        self.client.send_text(text.encode())
        for data in self.client.data_to_send():
            self.send_raw(data)

    def frames(self) -> list[Frame]:
        self.client.receive_data(self.carrier.take())
        return self.client.events_received()

    def close_code(self) -> int | None:
        self.frames()
        close = self.client.close_rcvd
        return close.code if close is not None else None

    def end(self) -> None:
        self.session.connection_lost()
        self.loop.close()


@pytest.fixture
def pair():
    made = []

    def make(**kwargs):
        made.append(Pair(**kwargs))
        return made[-1]

    yield make
    for p in made:
        p.end()


def raw_frame(opcode: int, payload: bytes, fin: bool = True, mask: bool = True, rsv1: bool = False) -> bytes:
    head = bytes([(0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode])
    n = len(payload)
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([bit | 127]) + struct.pack(">Q", n)
    if not mask:
        return head + payload
    key = b"\x01\x02\x03\x04"
    return head + key + bytes(b ^ key[i & 3] for i, b in enumerate(payload))


def test_text_message_is_echoed(pair):
    p = pair()
    p.send_text("héllo")
    assert p.handler.messages == ["héllo"]
    [frame] = p.frames()
    assert frame.opcode is Opcode.TEXT and frame.data == "héllo".encode()


def test_fragments_are_joined_and_utf8_split_across_them_is_fine(pair):
    p = pair()
    data = "é".encode()
    p.send_raw(raw_frame(0x1, b"ab" + data[:1], fin=False))
    p.send_raw(raw_frame(0x0, data[1:] + b"cd"))
    assert p.handler.messages == ["abécd"]


def test_invalid_utf8_closes_1007(pair):
    p = pair()
    p.send_raw(raw_frame(0x1, b"bad-\xff\xfe"))
    assert p.close_code() == 1007
    assert p.handler.messages == []
    assert p.carrier.closed


def test_invalid_utf8_in_the_first_fragment_fails_before_the_end(pair):
    p = pair()
    p.send_raw(raw_frame(0x1, b"\xff" + b"a" * 100, fin=False))
    assert p.close_code() == 1007


def test_unmasked_frame_closes_1002(pair):
    p = pair()
    p.send_raw(raw_frame(0x1, b"hi", mask=False))
    assert p.close_code() == 1002
    assert p.handler.messages == []


def test_reserved_opcode_closes_1002(pair):
    p = pair()
    p.send_raw(raw_frame(0x3, b"x"))
    assert p.close_code() == 1002


def test_message_over_the_size_limit_closes_1009(pair):
    p = pair(limits=Limits(ws_max_message_size=1000))
    p.send_raw(raw_frame(0x2, b"x" * 600, fin=False))
    p.send_raw(raw_frame(0x0, b"x" * 600))
    assert p.close_code() == 1009
    assert p.handler.messages == []


def test_announced_huge_length_closes_1009_without_waiting_for_the_bytes(pair):
    p = pair()
    p.send_raw(bytes([0x82, 0x80 | 127]) + struct.pack(">Q", (1 << 63) - 1) + b"\0\0\0\0")
    assert p.close_code() == 1009


def test_deflate_bomb_is_limited_by_the_inflated_size(pair):
    p = pair(limits=Limits(ws_max_message_size=64 * 1024), deflate=True)
    compressor = zlib.compressobj(wbits=-12)
    payload = compressor.compress(b"\0" * (16 * 1024 * 1024)) + compressor.flush(zlib.Z_SYNC_FLUSH)
    assert len(payload) < 64 * 1024
    p.send_raw(raw_frame(0x2, payload[:-4], rsv1=True))
    assert p.close_code() == 1009


def test_compressed_messages_round_trip(pair):
    p = pair(deflate=True)
    p.send_text("a" * 10000)
    assert p.handler.messages == ["a" * 10000]
    [frame] = p.frames()
    assert frame.data == b"a" * 10000


def test_ping_is_answered_with_pong(pair):
    p = pair()
    p.send_raw(raw_frame(0x9, b"are you there"))
    [frame] = p.frames()
    assert frame.opcode is Opcode.PONG and frame.data == b"are you there"


def test_client_close_is_echoed_and_the_connection_closed(pair):
    p = pair()
    p.client.send_close(1000, "bye")
    for data in p.client.data_to_send():
        p.send_raw(data)
    assert p.close_code() == 1000
    assert p.carrier.closed
    p.session.connection_lost()
    assert p.handler.closed == (1000, "bye")


def test_keepalive_ping_then_dead_peer_timeout(pair):
    limits = Limits(ws_ping_interval=10, ws_ping_timeout=5)
    p = pair(limits=limits)
    start = p.loop.time()
    p.session.check_timeouts(start + 1)  # heard recently: nothing
    assert p.frames() == []
    p.session.check_timeouts(start + 12)
    [ping] = p.frames()
    assert ping.opcode is Opcode.PING
    p.session.check_timeouts(start + 18)
    assert p.close_code() == 1011
    assert p.carrier.aborted


def test_answered_ping_keeps_the_connection(pair):
    p = pair(limits=Limits(ws_ping_interval=10, ws_ping_timeout=5))
    start = p.loop.time()
    p.session.check_timeouts(start + 1)
    p.session.check_timeouts(start + 12)
    p.frames()
    for data in p.client.data_to_send():  # the client's automatic pong
        p.send_raw(data)
    p.session.check_timeouts(start + 18)
    assert not p.carrier.closed


def test_route_idle_timeout_closes_1001(pair):
    p = pair(idle=30)
    start = p.loop.time()
    p.session.check_timeouts(start + 1)
    p.session.check_timeouts(start + 40)
    assert p.close_code() == 1001


def test_unanswered_close_is_aborted_after_the_close_timeout(pair):
    p = pair(limits=Limits(ws_close_timeout=2))
    p.session.close(1000, "done")
    start = p.loop.time()
    p.session.check_timeouts(start + 3)
    assert p.carrier.aborted


def test_write_back_pressure_pauses_reading_and_a_full_buffer_cuts_off(pair):
    p = pair(limits=Limits(ws_max_send_buffer=1000))
    p.session.pause_writing()
    assert not p.carrier.reading
    p.carrier.buffered = 5000
    assert p.session.send("more") is False
    assert p.close_code() == 1008
    p.session.resume_writing()


def test_handler_queue_holds_and_releases_reading(pair):
    p = pair()
    p.session.hold_reading()
    assert not p.carrier.reading
    p.session.pause_writing()
    p.session.release_reading()
    assert not p.carrier.reading  # still paused for the writes
    p.session.resume_writing()
    assert p.carrier.reading


def test_send_after_close_is_false_not_an_error(pair):
    p = pair()
    p.session.connection_lost()
    assert p.session.send("late") is False
    assert p.handler.closed == (1006, "")


@pytest.mark.parametrize(
    "headers, status",
    [
        ([], 426),
        ([("upgrade", "websocket"), ("connection", "upgrade"), ("sec-websocket-version", "13")], 400),
        (
            [
                ("upgrade", "websocket"),
                ("connection", "upgrade"),
                ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
                ("sec-websocket-version", "8"),
            ],
            426,
        ),
        (
            [
                ("upgrade", "websocket"),
                ("connection", "upgrade"),
                ("sec-websocket-key", "short"),
                ("sec-websocket-version", "13"),
            ],
            400,
        ),
    ],
)
def test_bad_handshakes_are_refused_with_a_clear_status(headers, status):
    shake = accept(make_request("GET", "/ws", headers), Limits())
    assert shake.status == status
    assert shake.detail


def test_valid_handshake_computes_the_accept_key():
    headers = [
        ("upgrade", "websocket"),
        ("connection", "Upgrade"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ("sec-websocket-version", "13"),
    ]
    shake = accept(make_request("GET", "/ws", headers), dataclasses.replace(Limits(), ws_compression=False))
    assert shake.accepted
    assert ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") in shake.headers  # RFC 6455 1.3
    assert not any(name.lower() == "sec-websocket-extensions" for name, _ in shake.headers)
