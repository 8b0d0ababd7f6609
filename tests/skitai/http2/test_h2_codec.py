"""The HTTP/2 codec without sockets: a real ``h2`` client connection in memory
sends bytes in, the codec's events and answer bytes come out."""

from __future__ import annotations

import base64
import dataclasses
import struct
from typing import Any

import h2.config
import h2.connection
import h2.events
import h2.settings
import pytest
from h2.errors import ErrorCodes

from skitai.config import Limits
from skitai.http2.codec import (
    PREFACE,
    BodyData,
    BodyEnd,
    H2Codec,
    Refused,
    RequestHead,
    StreamReset,
    Terminated,
    WindowOpened,
)

GET = [(b":method", b"GET"), (b":scheme", b"http"), (b":path", b"/a%20b?x=1"), (b":authority", b"example.com")]


class Pair:
    """A client h2 connection wired to a server codec through byte strings."""

    def __init__(self, limits: Limits | None = None, **client_settings: int) -> None:
        self.codec = H2Codec(limits or Limits())
        self.codec.initiate()
        config = h2.config.H2Configuration(client_side=True, header_encoding=None)
        self.client = h2.connection.H2Connection(config=config)
        if client_settings:
            self.client.local_settings = h2.settings.Settings(
                client=True,
                initial_values={getattr(h2.settings.SettingCodes, k.upper()): v for k, v in client_settings.items()},
            )
        self.client.initiate_connection()
        self.now = 0.0
        self.client_events: list[Any] = []
        self.send()  # preface + SETTINGS both ways
        self.reply()
        self.send()

    def send(self, data: bytes | None = None) -> list[Any]:
        payload = self.client.data_to_send() if data is None else data
        return self.codec.receive(payload, self.now)

    def reply(self) -> list[Any]:
        events = self.client.receive_data(self.codec.data_to_send())
        self.client_events.extend(events)
        return events

    def request(self, headers: list[tuple[bytes, bytes]] = GET, end: bool = True) -> tuple[int, list[Any]]:
        stream_id = self.client.get_next_available_stream_id()
        self.client.send_headers(stream_id, headers, end_stream=end)
        return stream_id, self.send()


def frame(kind: int, flags: int, stream_id: int, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream_id) + payload


def goaway_code(pair: Pair) -> int | None:
    for event in pair.reply():
        if isinstance(event, h2.events.ConnectionTerminated):
            return int(event.error_code)
    return None


def test_request_head_fields() -> None:
    pair = Pair()
    stream_id, events = pair.request([*GET, (b"cookie", b"a=1"), (b"cookie", b"b=2"), (b"x-y", b"z")])
    # a head with END_STREAM is the whole request: no separate end event
    (head,) = events
    assert isinstance(head, RequestHead)
    assert (head.stream_id, head.method, head.path, head.raw_path, head.query) == (
        stream_id,
        "GET",
        "/a b",
        b"/a%20b",
        "x=1",
    )
    assert head.ended and head.scheme == "http"
    # split cookies are one field again; :authority becomes Host for apps
    assert head.headers == [("x-y", "z"), ("cookie", "a=1; b=2"), ("host", "example.com")]


def test_body_then_end_and_trailers() -> None:
    pair = Pair()
    stream_id, events = pair.request([(b":method", b"POST"), *GET[1:], (b"content-length", b"5")], end=False)
    assert isinstance(events[0], RequestHead) and events[0].content_length == 5 and not events[0].ended
    pair.client.send_data(stream_id, b"hello")
    pair.client.send_headers(stream_id, [(b"grpc-status", b"0")], end_stream=True)
    data, end = pair.send()
    assert isinstance(data, BodyData) and data.data == b"hello" and data.flow_length == 5
    assert isinstance(end, BodyEnd) and end.trailers == [("grpc-status", "0")]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ([(b":method", b"GET"), (b":scheme", b"http"), (b":path", b"/" + b"a" * 9000), (b":authority", b"a")], 414),
        ([*GET, *[(b"x-%d" % i, b"v") for i in range(101)]], 431),
        ([*GET, (b"x-big", b"v" * 70_000)], 431),
        ([(b":method", b"CONNECT"), (b":authority", b"example.com:443")], 501),
    ],
)
def test_engine_limits_refuse_a_stream_not_the_connection(headers: list[tuple[bytes, bytes]], status: int) -> None:
    pair = Pair()
    _, events = pair.request(headers)
    assert isinstance(events[0], Refused) and events[0].status == status
    assert pair.codec.terminated is None
    _, events = pair.request()
    assert isinstance(events[0], RequestHead)


def test_malformed_content_length_is_goaway_protocol_error() -> None:
    pair = Pair()
    block = pair.client.encoder.encode([*GET, (b"content-length", b"+5")])
    events = pair.send(frame(1, 0x04, 1, block))
    assert isinstance(events[-1], Terminated) and events[-1].error_code == ErrorCodes.PROTOCOL_ERROR
    assert goaway_code(pair) == ErrorCodes.PROTOCOL_ERROR


def test_hpack_bomb_is_goaway_enhance_your_calm() -> None:
    pair = Pair()
    # one 4 KB field added to the dynamic table, then referenced 10,000 times
    block = pair.client.encoder.encode(GET)
    literal = b"\x40" + bytes([6]) + b"x-bomb" + bytes([0x7F]) + _varint(4000 - 127) + b"b" * 4000
    block += literal + bytes([0x80 | 62]) * 10_000
    events = pair.send(frame(1, 0x05, 1, block))
    assert isinstance(events[-1], Terminated) and events[-1].error_code == ErrorCodes.ENHANCE_YOUR_CALM
    assert "HPACK bomb" in events[-1].detail
    assert goaway_code(pair) == ErrorCodes.ENHANCE_YOUR_CALM


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def test_continuation_flood_ends_the_connection_early() -> None:
    pair = Pair()
    head = pair.client.encoder.encode(GET)
    pair.send(frame(1, 0x01, 1, head))  # END_STREAM, no END_HEADERS
    fragment = b"\x00" + b"\x05x-abc" + b"\x7f" + _varint(16000 - 127) + b"v" * 16000
    sent = 0
    events: list[Any] = []
    while sent < 8 << 20 and not events:
        events = pair.send(frame(9, 0, 1, fragment))
        sent += len(fragment)
    assert isinstance(events[-1], Terminated) and events[-1].error_code == ErrorCodes.ENHANCE_YOUR_CALM
    assert sent <= 4 * Limits().max_header_size + len(fragment)
    assert goaway_code(pair) == ErrorCodes.ENHANCE_YOUR_CALM


def test_rapid_reset_exhausts_the_reset_budget() -> None:
    pair = Pair(dataclasses.replace(Limits(), h2_max_resets_per_second=50))
    events: list[Any] = []
    for _ in range(60):
        stream_id = pair.client.get_next_available_stream_id()
        pair.client.send_headers(stream_id, GET, end_stream=True)
        pair.client.reset_stream(stream_id, ErrorCodes.CANCEL)
    events = pair.send()
    resets = [e for e in events if isinstance(e, StreamReset)]
    assert len(resets) == 50
    assert isinstance(events[-1], Terminated) and "rapid reset" in events[-1].detail
    assert goaway_code(pair) == ErrorCodes.ENHANCE_YOUR_CALM


def test_the_reset_budget_refills_with_time() -> None:
    pair = Pair(dataclasses.replace(Limits(), h2_max_resets_per_second=10))
    for second in range(5):
        pair.now = float(second)
        for _ in range(10):
            stream_id = pair.client.get_next_available_stream_id()
            pair.client.send_headers(stream_id, GET, end_stream=True)
            pair.client.reset_stream(stream_id)
        assert not any(isinstance(e, Terminated) for e in pair.send())


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("PING", frame(6, 0, 0, b"\x00" * 8)),
        ("SETTINGS", frame(4, 0, 0, b"")),
        ("WINDOW_UPDATE", frame(8, 0, 0, struct.pack(">I", 1))),
        ("PRIORITY", frame(2, 0, 1, struct.pack(">IB", 0, 16))),
    ],
)
def test_control_frame_floods_get_goaway(name: str, payload: bytes) -> None:
    pair = Pair(dataclasses.replace(Limits(), h2_max_control_frames_per_second=100))
    events = pair.send(payload * 150)
    assert isinstance(events[-1], Terminated), name
    assert events[-1].error_code == ErrorCodes.ENHANCE_YOUR_CALM
    assert "h2_max_control_frames_per_second" in events[-1].detail or name in events[-1].detail


def test_small_window_updates_that_give_back_sent_credit_are_not_a_flood() -> None:
    # gRPC clients acknowledge every message with WINDOW_UPDATEs of its size
    pair = Pair(dataclasses.replace(Limits(), h2_max_control_frames_per_second=100))
    stream_id, _ = pair.request([(b":method", b"POST"), *GET[1:]], end=False)
    pair.codec.send_headers(stream_id, [(b":status", b"200")], False)
    for _ in range(300):
        assert pair.codec.send_data(stream_id, memoryview(b"m" * 20), False) == 20
        pair.reply()
        pair.client.increment_flow_control_window(20)
        pair.client.increment_flow_control_window(20, stream_id)
        events = pair.send()
        assert not any(isinstance(e, Terminated) for e in events)


def test_empty_data_frames_flood() -> None:
    pair = Pair(dataclasses.replace(Limits(), h2_max_control_frames_per_second=100))
    stream_id, _ = pair.request([(b":method", b"POST"), *GET[1:]], end=False)
    events = pair.send(frame(0, 0, stream_id, b"") * 150)
    assert isinstance(events[-1], Terminated) and "empty DATA" in events[-1].detail


def test_too_many_concurrent_streams_after_settings_ack() -> None:
    pair = Pair(dataclasses.replace(Limits(), h2_max_concurrent_streams=3))
    for _ in range(3):
        _, events = pair.request()
        assert isinstance(events[0], RequestHead)
    # the client ignores our SETTINGS_MAX_CONCURRENT_STREAMS: bypass its own check
    block = pair.client.encoder.encode(GET)
    events = pair.send(frame(1, 0x05, 7, block))
    assert isinstance(events[-1], Terminated) and "h2_max_concurrent_streams" in events[-1].detail
    assert goaway_code(pair) == ErrorCodes.PROTOCOL_ERROR


def test_send_data_stops_at_the_client_window() -> None:
    pair = Pair(initial_window_size=1000)
    stream_id, _ = pair.request()
    pair.codec.send_headers(stream_id, [(b":status", b"200")], False)
    body = memoryview(b"x" * 5000)
    assert pair.codec.send_data(stream_id, body, True) == 1000
    received = [e for e in pair.reply() if isinstance(e, h2.events.DataReceived)]
    assert sum(len(e.data) for e in received) == 1000 and not any(e.stream_ended for e in received)
    pair.client.increment_flow_control_window(4000, stream_id)
    events = pair.send()
    assert any(isinstance(e, WindowOpened) and e.stream_id == stream_id for e in events)
    assert pair.codec.send_data(stream_id, body[1000:], True) == 4000
    received = [e for e in pair.reply() if isinstance(e, h2.events.DataReceived)]
    assert sum(len(e.data) for e in received) == 4000 and received[-1].stream_ended


def test_a_new_initial_window_opens_every_stream() -> None:
    pair = Pair()
    pair.client.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 100_000})
    assert any(isinstance(e, WindowOpened) and e.stream_id == 0 for e in pair.send())


def test_push_only_when_the_client_allows_it() -> None:
    refusing = Pair(enable_push=0)
    stream_id, _ = refusing.request()
    assert not refusing.codec.can_push()
    assert refusing.codec.push(stream_id, GET) is None

    allowing = Pair(enable_push=1)
    stream_id, _ = allowing.request()
    promised = allowing.codec.push(stream_id, [(b":method", b"GET"), *GET[1:2], (b":path", b"/x"), GET[3]])
    assert promised == 2
    pushed = [e for e in allowing.reply() if isinstance(e, h2.events.PushedStreamReceived)]
    assert pushed and pushed[0].pushed_stream_id == 2 and (b":path", b"/x") in pushed[0].headers


def test_h2c_upgrade_settings() -> None:
    codec = H2Codec(Limits())
    settings = base64.urlsafe_b64encode(struct.pack(">HI", 4, 1000)).decode()
    codec.initiate_upgrade(settings)
    assert codec.remote_initial_window == 1000
    assert codec.stream_open(1)
    with pytest.raises(ValueError, match="HTTP2-Settings"):
        H2Codec(Limits()).initiate_upgrade("!!not base64!!")


def test_garbage_instead_of_a_preface_is_a_protocol_error() -> None:
    codec = H2Codec(Limits())
    codec.initiate()
    (event,) = codec.receive(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0.0)
    assert isinstance(event, Terminated) and event.error_code == ErrorCodes.PROTOCOL_ERROR
    assert PREFACE.startswith(b"PRI * HTTP/2.0")


def test_client_goaway_is_reported() -> None:
    pair = Pair()
    pair.client.close_connection()
    (event,) = pair.send()
    assert isinstance(event, Terminated) and event.by_client and event.error_code == 0


def test_static_encoder_round_trips_and_never_grows_the_peer_table() -> None:
    import hpack
    from hpack.struct import NeverIndexedHeaderTuple

    from skitai.http2.hpack_static import StaticEncoder

    encoder, decoder = StaticEncoder(), hpack.Decoder()
    blocks = [
        [(b":status", b"200"), (b"server", b"skitai"), (b"content-type", b"text/plain"), (b"x-bin", b"\xff" * 40)],
        [(b":status", b"418"), (b"x-new", b"v"), NeverIndexedHeaderTuple(b"set-cookie", b"a=b")],
    ]
    first = encoder.encode(blocks[0])
    assert first[:1] == b"\x20"  # dynamic table size 0, announced once
    assert decoder.decode(first, raw=True) == [tuple(f) for f in blocks[0]]
    for _ in range(3):
        for block in blocks:
            assert decoder.decode(encoder.encode(block), raw=True) == [tuple(f) for f in block]
    assert decoder.header_table_size == 0 and len(decoder.header_table.dynamic_entries) == 0
    # a field met once goes out as plain literals; from the second time on it is
    # Huffman-coded once and cached: the same (shorter) bytes every time
    again = encoder.encode(blocks[0])
    assert again == encoder.encode(blocks[0]) and len(again) < len(first) - 1


def test_static_encoder_does_not_cache_values_sent_once() -> None:
    import hpack

    from skitai.http2.hpack_static import StaticEncoder

    encoder, decoder = StaticEncoder(), hpack.Decoder()
    fixed = [(b":status", b"200"), (b"content-type", b"text/plain")]
    encoder.encode(fixed)
    cached = encoder.encode(fixed)
    for number in range(500):  # a request id per answer
        block = [*fixed, (b"x-request-id", b"%032x" % number)]
        assert decoder.decode(encoder.encode(block), raw=True) == block
    assert encoder.encode(fixed) == cached
    assert len(encoder._cache) < 10


REQUIRED = [(b":method", b"GET"), (b":scheme", b"http"), (b":path", b"/"), (b":authority", b"a")]


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ([*REQUIRED, (b"X-Upper", b"1")], "invalid field name"),
        ([*REQUIRED, (b"bad name", b"1")], "invalid field name"),
        ([*REQUIRED, (b"x-a", b"1\r\nx-b: 2")], "invalid value"),
        ([*REQUIRED, (b"x-a", b" padded")], "invalid value"),
        ([*REQUIRED, (b"x-a", b"nul\x00")], "invalid value"),
        ([REQUIRED[0], (b"x-a", b"1"), *REQUIRED[1:]], "after a regular field"),
        ([*REQUIRED, (b":path", b"/again")], "repeated pseudo-header"),
        ([*REQUIRED, (b":protocol", b"websocket")], "unknown or repeated"),
        (REQUIRED[:2] + REQUIRED[3:], "without :method, :scheme or :path"),
        ([*REQUIRED, (b"host", b"b")], "differs from :authority"),
        ([*REQUIRED, (b"connection", b"keep-alive")], "connection-specific"),
        ([*REQUIRED, (b"te", b"gzip")], "connection-specific"),
        ([(b":method", b"G E T"), *REQUIRED[1:]], "invalid :method"),
    ],
)
def test_malformed_requests_are_400_on_their_stream(headers: list[tuple[bytes, bytes]], reason: str) -> None:
    pair = Pair()
    events = pair.send(frame(1, 0x05, 1, pair.client.encoder.encode(headers)))
    (refused,) = [e for e in events if isinstance(e, Refused)]
    assert refused.status == 400 and reason in refused.detail
    assert pair.codec.terminated is None


def test_malformed_trailers_reset_the_stream() -> None:
    pair = Pair()
    stream_id, _ = pair.request([(b":method", b"POST"), *GET[1:]], end=False)
    block = pair.client.encoder.encode([(b":path", b"/x")])
    events = pair.send(frame(1, 0x05, stream_id, block))
    assert any(isinstance(e, StreamReset) and e.error_code == ErrorCodes.PROTOCOL_ERROR for e in events)
    assert pair.codec.terminated is None


def test_caching_decoder_follows_the_dynamic_table() -> None:
    from skitai.http2.hpack_cache import CachingDecoder

    decoder = CachingDecoder(65536)
    insert_a = b"\x40\x03x-a\x011"  # literal with incremental indexing: x-a: 1
    insert_b = b"\x40\x03x-b\x012"
    newest = b"\xbe"  # index 62: the newest dynamic entry
    assert decoder.decode(insert_a, raw=True) == [(b"x-a", b"1")]
    assert decoder.decode(newest, raw=True) == [(b"x-a", b"1")]
    assert decoder.decode(newest, raw=True) == [(b"x-a", b"1")]  # from the cache
    assert decoder.decode(insert_b, raw=True) == [(b"x-b", b"2")]
    # the same bytes now mean the entry added last
    assert decoder.decode(newest, raw=True) == [(b"x-b", b"2")]
    with pytest.raises(Exception):
        CachingDecoder(100).decode(b"\x40\x03x-a\x7f" + _varint(200 - 127) + b"v" * 200, raw=True)


@pytest.mark.parametrize("consumed", [0, 1, 14, 16, 18, 20, 23])
def test_restore_preface_from_the_read_the_parser_stopped_in(consumed: int) -> None:
    from skitai.http2.switch import restore_preface

    frames = frame(4, 0, 0, b"") + frame(6, 0, 0, b"\x00" * 8)
    assert restore_preface(PREFACE[consumed:] + frames) == PREFACE + frames
    assert restore_preface(b"\r\n" + PREFACE + frames) == PREFACE + frames


# -- the codec's own frame handling (it no longer leans on h2's state machines) --


def test_ping_is_answered_with_its_payload() -> None:
    pair = Pair()
    pair.client.ping(b"12345678")
    pair.send()
    acks = [e for e in pair.reply() if isinstance(e, h2.events.PingAckReceived)]
    assert acks and acks[0].ping_data == b"12345678"


def test_padded_data_counts_its_padding_against_the_window() -> None:
    pair = Pair()
    stream_id, _ = pair.request([(b":method", b"POST"), *GET[1:]], end=False)
    pair.client.send_data(stream_id, b"abc", pad_length=10, end_stream=True)
    data, end = pair.send()
    assert isinstance(data, BodyData) and data.data == b"abc" and data.flow_length == 14
    assert isinstance(end, BodyEnd)


def test_data_after_end_stream_is_a_stream_error() -> None:
    pair = Pair()
    stream_id, _ = pair.request()  # END_STREAM on the head
    events = pair.send(frame(0, 0x01, stream_id, b"late"))
    assert any(isinstance(e, StreamReset) and e.error_code == ErrorCodes.STREAM_CLOSED for e in events)
    assert pair.codec.terminated is None


def test_a_large_response_head_is_cut_into_continuations() -> None:
    pair = Pair()
    stream_id, _ = pair.request()
    fields = [(b":status", b"200"), *[(b"x-%d" % i, b"v" * 1000) for i in range(40)]]
    pair.codec.send_headers(stream_id, fields, True)
    (response,) = [e for e in pair.reply() if isinstance(e, h2.events.ResponseReceived)]
    assert len(response.headers) == 41 and response.headers[-1] == (b"x-39", b"v" * 1000)


def test_oversized_frame_is_frame_size_error() -> None:
    pair = Pair()
    events = pair.send(frame(0, 0, 1, b"x" * 16385))
    assert isinstance(events[-1], Terminated) and events[-1].error_code == ErrorCodes.FRAME_SIZE_ERROR


def test_interrupted_header_block_is_protocol_error() -> None:
    pair = Pair()
    head = pair.client.encoder.encode(GET)
    events = pair.send(frame(1, 0x01, 1, head) + frame(6, 0, 0, b"\x00" * 8))
    assert isinstance(events[-1], Terminated) and events[-1].error_code == ErrorCodes.PROTOCOL_ERROR
    assert "CONTINUATION" in events[-1].detail


def _connect(pair: Pair, protocol: bytes) -> list[Any]:
    block = pair.client.encoder.encode(
        [
            (b":method", b"CONNECT"),
            (b":protocol", protocol),
            (b":scheme", b"http"),
            (b":path", b"/ws"),
            (b":authority", b"example.com"),
        ]
    )
    return pair.send(frame(1, 0x04, 1, block))


def test_extended_connect_only_when_announced() -> None:
    pair = Pair()
    pair.codec = H2Codec(Limits(), extended_connect=True)
    pair.codec.initiate()
    pair.client = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding=None))
    pair.client.initiate_connection()
    pair.send()
    pair.reply()
    assert pair.client.remote_settings.enable_connect_protocol == 1
    (head,) = _connect(pair, b"websocket")
    assert isinstance(head, RequestHead) and head.method == "CONNECT" and head.protocol == "websocket"
    assert not head.ended

    plain = Pair()
    (refused,) = _connect(plain, b"websocket")
    assert isinstance(refused, Refused) and refused.status == 400 and ":protocol" in refused.detail


def test_a_repeated_head_is_answered_from_the_cache_per_stream() -> None:
    pair = Pair()
    first_id, (first,) = pair.request()
    second_id, (second,) = pair.request()  # the same block bytes: every field indexed now
    third_id, (third,) = pair.request()
    assert isinstance(first, RequestHead) and isinstance(third, RequestHead)
    assert (second.stream_id, third.stream_id) == (second_id, third_id) != (first_id, first_id)
    assert third.headers == first.headers and third.headers is not second.headers
    _, (changed,) = pair.request([*GET[:2], (b":path", b"/other"), GET[3]])
    assert isinstance(changed, RequestHead) and changed.path == "/other"
