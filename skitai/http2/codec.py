"""The HTTP/2 connection without I/O: bytes in, events out, bytes to send.

The server side of RFC 9113 in one class: frames are cut from the read with
``struct`` and handled in place, header blocks go through ``hpack`` (our
caching decoder and static encoder), stream states and both directions of
flow control are a few integers per stream.  On top of the protocol sit the
engine's limits (:class:`skitai.config.Limits`, the same knobs as HTTP/1.1),
the request head turned into the fields a :class:`skitai.contract.Request`
needs, and the flood defences.  Every connection error queues a GOAWAY with
its code before :class:`Terminated` is returned, so the adapter only has to
send what :meth:`H2Codec.data_to_send` gives and close.

PERF: this replaced a wrapper around the ``h2`` library, whose frame objects,
state machines and event objects cost about three quarters of the CPU of a
request (see docs/http2.md for the figures).  The adapter calls
:meth:`H2Codec.receive` once per socket read and sends
:meth:`H2Codec.data_to_send` once afterwards (one write per read).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

import hpack.exceptions

from ..config import Limits
from . import frames as F
from .budget import Budget
from .frames import ErrorCodes
from .hpack_cache import CachingDecoder
from .hpack_static import StaticEncoder

__all__ = [
    "H2Codec",
    "ErrorCodes",
    "Event",
    "RequestHead",
    "Refused",
    "BodyData",
    "BodyEnd",
    "StreamReset",
    "StreamClosed",
    "WindowOpened",
    "Terminated",
]

#: the client preface that starts every HTTP/2 connection (RFC 9113 3.4)
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#: the connection receive window we grant (bytes in flight, all streams together)
CONNECTION_WINDOW = 1024 * 1024
#: the stream receive window (the protocol default; not announced)
STREAM_WINDOW = 65535
#: the largest frame we accept (SETTINGS_MAX_FRAME_SIZE default, not announced)
MAX_FRAME = 16384
#: a decoded header block past this many times ``max_header_size`` ends the
#: connection (HPACK bomb); between one and this many times it is a 431
_BOMB_FACTOR = 4
#: a WINDOW_UPDATE smaller than this counts against the control-frame budget
_TINY_WINDOW_UPDATE = 1024
#: streams we reset whose late frames are ignored rather than answered
_RESET_MEMORY = 256
#: request heads kept per connection, each for a block of at most this many bytes
_HEAD_CACHE_SIZE = 32
_HEAD_CACHE_LONGEST = 512


class Event:
    """Base of what :meth:`H2Codec.receive` returns."""

    __slots__ = ()


@dataclass(slots=True)
class RequestHead(Event):
    stream_id: int
    method: str
    raw_path: bytes
    path: str
    query: str
    scheme: str
    headers: list[tuple[str, str]]
    content_length: int | None
    #: the request has no body (END_STREAM on its HEADERS)
    ended: bool
    #: ``:protocol`` of an extended CONNECT (RFC 8441), e.g. ``websocket``
    protocol: str | None = None


@dataclass(slots=True)
class Refused(Event):
    """A request the engine answers itself (limits, malformed head)."""

    stream_id: int
    status: int
    detail: str


@dataclass(slots=True)
class BodyData(Event):
    stream_id: int
    data: bytes
    #: what this DATA frame took from the flow-control window (padding included)
    flow_length: int


@dataclass(slots=True)
class BodyEnd(Event):
    stream_id: int
    trailers: list[tuple[str, str]] | None = None


@dataclass(slots=True)
class StreamReset(Event):
    """The client cancelled a stream (or the codec reset it for a stream error)."""

    stream_id: int
    error_code: int


@dataclass(slots=True)
class WindowOpened(Event):
    """More may be sent: on ``stream_id``, or on every stream when it is 0."""

    stream_id: int


@dataclass(slots=True)
class Terminated(Event):
    """The connection is over: the client sent GOAWAY, or we queued one."""

    error_code: int
    detail: str
    by_client: bool = False


class StreamClosed(Exception):
    """Sending on a stream that is closed (reset, or already ended by us)."""


class _ConnectionError(Exception):
    def __init__(self, code: int, detail: str) -> None:
        super().__init__(detail)
        self.code = code


class _Stream:
    """What the protocol needs to know of one stream (RFC 9113 5.1)."""

    __slots__ = ("send_window", "recv_window", "unacked", "remote_open", "local_open", "length", "received", "has_head")

    def __init__(self, send_window: int, remote_open: bool) -> None:
        self.send_window = send_window
        #: what the client may still send before our next WINDOW_UPDATE
        self.recv_window = STREAM_WINDOW
        self.unacked = 0
        self.remote_open = remote_open
        self.local_open = True
        #: the request's Content-Length, checked against the DATA received
        self.length: int | None = None
        self.received = 0
        self.has_head = False


#: a field name as RFC 9113 8.2.1 allows it (RFC 9110 token, lower case)
_NAME = re.compile(rb"[!#$%&'*+\-.^_`|~0-9a-z]+\Z")
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32}\Z")
#: NUL, CR, LF anywhere, or whitespace around the value (RFC 9113 8.2.1)
_BAD_VALUE = re.compile(rb"[\x00\r\n]|\A[ \t]|[ \t]\Z")


def _show(name: bytes) -> str:
    return repr(name.decode("latin-1")[:64])


_HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade"})
_HEAD = F.HEAD
_CONTROL_NAMES = {F.PING: "PING", F.PRIORITY: "PRIORITY"}


class H2Codec:
    """Server side of one HTTP/2 connection.

    ``extended_connect`` announces SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441):
    a CONNECT with ``:protocol`` then becomes a :class:`RequestHead` whose
    stream stays open both ways (WebSocket over HTTP/2).
    """

    def __init__(self, limits: Limits, extended_connect: bool = False) -> None:
        self.limits = limits
        self.extended_connect = extended_connect
        # NOTE: SETTINGS_MAX_HEADER_LIST_SIZE is not announced: moderate excess
        # gets a 431 from _head(), a bomb (4x) ends the connection in the decoder.
        self.decoder = CachingDecoder(limits.max_header_size * _BOMB_FACTOR)
        self.encoder = StaticEncoder()
        self.resets = Budget(limits.h2_max_resets_per_second)
        self.control = Budget(limits.h2_max_control_frames_per_second)
        #: DATA bytes sent and not yet given back by WINDOW_UPDATEs (connection, streams)
        self._owed = [0, 0]
        self.terminated: Terminated | None = None
        self.streams: dict[int, _Stream] = {}
        #: the highest stream id the client opened (GOAWAY's last stream id)
        self.highest_client = 0
        self.next_push = 2
        self.open_inbound = 0
        self.open_outbound = 0
        #: connection windows: what we may send, what the client may send
        self.send_window = 65535
        self.recv_window = 65535
        self._unacked = 0
        self.remote_initial_window = 65535
        self.max_outbound_frame_size = 16384
        self.remote_enable_push = True
        self.remote_max_streams = F.MAX_WINDOW
        self._out: list[bytes | memoryview] = []
        self._buffer = b""
        self._preface = True
        self._settings_seen = False
        self._goaway_sent = False
        #: a header block waiting for its CONTINUATION frames
        self._block: bytearray | None = None
        self._block_stream = 0
        self._block_end = False
        self._reset_ids: dict[int, None] = {}
        self._heads: dict[bytes, tuple[int, Event]] = {}

    # -- start -------------------------------------------------------------------
    def initiate(self) -> None:
        """Prior knowledge or TLS (ALPN h2): our SETTINGS go first."""
        settings = {F.MAX_CONCURRENT_STREAMS: self.limits.h2_max_concurrent_streams, F.ENABLE_PUSH: 0}
        if self.extended_connect:
            settings[F.ENABLE_CONNECT_PROTOCOL] = 1
        self._out.append(F.settings_frame(settings))
        self._out.append(F.window_update(0, CONNECTION_WINDOW - 65535))
        self.recv_window = CONNECTION_WINDOW

    def initiate_upgrade(self, settings_header: str) -> None:
        """After ``Upgrade: h2c``: the request that asked becomes stream 1.

        Raises ValueError when the ``HTTP2-Settings`` value is not valid base64url
        SETTINGS payload (the HTTP/1.1 side then answers 400).
        """
        value = settings_header.strip()
        try:
            payload = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
            self._apply_settings(F.parse_settings(payload))
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"invalid HTTP2-Settings header: {exc}") from None
        except _ConnectionError as exc:
            raise ValueError(f"invalid HTTP2-Settings header: {exc}") from None
        self.initiate()
        self.streams[1] = _Stream(self.remote_initial_window, remote_open=False)
        self.highest_client = 1
        self.open_inbound = 1

    # -- receive -----------------------------------------------------------------
    def receive(self, data: bytes, now: float) -> list[Event]:
        if self.terminated is not None:
            return []
        out: list[Event] = []
        try:
            self._receive(data, now, out)
        except _ConnectionError as exc:
            out.append(self._fail(exc.code, str(exc)))
        except Exception as exc:  # a bug here must end one connection, not the worker
            out.append(self._fail(ErrorCodes.INTERNAL_ERROR, f"internal error: {exc!r}"))
        return out

    def _receive(self, data: bytes, now: float, out: list[Event]) -> None:
        buf = self._buffer + data if self._buffer else data
        pos = 0
        if self._preface:
            if len(buf) < 24:
                if not PREFACE.startswith(buf):
                    raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "invalid HTTP/2 client preface")
                self._buffer = buf
                return
            if buf[:24] != PREFACE:
                raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "invalid HTTP/2 client preface")
            self._preface = False
            pos = 24
        end = len(buf)
        unpack = _HEAD.unpack_from
        while end - pos >= 9:
            high, low, kind, flags, stream_id = unpack(buf, pos)
            length = high << 8 | low
            if length > MAX_FRAME:
                raise _ConnectionError(
                    ErrorCodes.FRAME_SIZE_ERROR, f"frame of {length} bytes (our SETTINGS_MAX_FRAME_SIZE is {MAX_FRAME})"
                )
            start = pos + 9
            if end - start < length:
                break
            pos = start + length
            payload = buf[start:pos]
            stream_id &= 0x7FFFFFFF
            if not self._settings_seen and (kind != F.SETTINGS or flags & F.ACK):
                raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "the client preface must start with SETTINGS")
            if self._block is not None and kind != F.CONTINUATION:
                raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "header block interrupted (CONTINUATION expected)")
            if kind == F.DATA:
                self._data(stream_id, flags, payload, now, out)
            elif kind == F.HEADERS:
                self._headers(stream_id, flags, payload, out)
            elif kind == F.WINDOW_UPDATE:
                self._window_update(stream_id, payload, now, out)
            elif kind == F.RST_STREAM:
                self._rst_stream(stream_id, payload, now, out)
            elif kind == F.SETTINGS:
                self._settings(stream_id, flags, payload, now, out)
            elif kind == F.CONTINUATION:
                self._continuation(stream_id, flags, payload, now, out)
            elif kind == F.PING or kind == F.PRIORITY:
                self._ping_or_priority(kind, stream_id, flags, payload, now, out)
            elif kind == F.GOAWAY:
                if stream_id or length < 8:
                    raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "malformed GOAWAY")
                self.terminated = Terminated(F.u32(payload, 4), "client sent GOAWAY", by_client=True)
                out.append(self.terminated)
                self._buffer = b""
                return
            elif kind == F.PUSH_PROMISE:
                raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "PUSH_PROMISE from a client")
            elif not self.control.spend(now):
                self._calm("too many unknown-type frames; limit h2_max_control_frames_per_second")
        self._buffer = buf[pos:] if pos < end else b""

    def _calm(self, detail: str) -> None:
        raise _ConnectionError(ErrorCodes.ENHANCE_YOUR_CALM, detail)

    def _fail(self, code: int, detail: str) -> Terminated:
        self._send_goaway(code, detail)
        self.terminated = Terminated(int(code), detail)
        return self.terminated

    def _idle(self, stream_id: int) -> bool:
        return stream_id > self.highest_client if stream_id & 1 else stream_id >= self.next_push

    def _close(self, stream_id: int) -> None:
        if self.streams.pop(stream_id, None) is not None:
            if stream_id & 1:
                self.open_inbound -= 1
            else:
                self.open_outbound -= 1

    def _stream_error(self, stream_id: int, code: int, out: list[Event]) -> None:
        """RST_STREAM for a stream-level error; the protocol hears it as a reset."""
        self._out.append(F.rst_stream(stream_id, code))
        self._remember_reset(stream_id)
        if stream_id in self.streams:
            self._close(stream_id)
            out.append(StreamReset(stream_id, int(code)))

    def _remember_reset(self, stream_id: int) -> None:
        ids = self._reset_ids
        if len(ids) >= _RESET_MEMORY:
            del ids[next(iter(ids))]
        ids[stream_id] = None

    @staticmethod
    def _unpad(payload: bytes) -> bytes:
        if not payload or payload[0] >= len(payload):
            raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "padding longer than the frame")
        return payload[1 : len(payload) - payload[0]]

    def _data(self, stream_id: int, flags: int, payload: bytes, now: float, out: list[Event]) -> None:
        if not stream_id:
            raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "DATA on stream 0")
        flow = len(payload)
        if flags & F.PADDED:
            payload = self._unpad(payload)
        if flow > self.recv_window:
            raise _ConnectionError(ErrorCodes.FLOW_CONTROL_ERROR, "DATA beyond the connection window")
        self.recv_window -= flow
        stream = self.streams.get(stream_id)
        if stream is None or not stream.remote_open:
            if stream is None and self._idle(stream_id):
                raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, f"DATA on idle stream {stream_id}")
            self._ack_connection(flow)
            if stream is None and stream_id in self._reset_ids:
                return  # RFC 9113 5.1: in flight when we reset it
            if not self.control.spend(now):
                self._calm("too many DATA frames on closed streams; limit h2_max_control_frames_per_second")
            self._stream_error(stream_id, ErrorCodes.STREAM_CLOSED, out)
            return
        if flow > stream.recv_window:
            raise _ConnectionError(ErrorCodes.FLOW_CONTROL_ERROR, f"DATA beyond the window of stream {stream_id}")
        stream.recv_window -= flow
        ended = flags & F.END_STREAM
        if not payload and not ended and not self.control.spend(now):
            self._calm("too many empty DATA frames; limit h2_max_control_frames_per_second")
        stream.received += len(payload)
        if stream.length is not None and stream.received > stream.length:
            raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "request body longer than its Content-Length")
        if payload or flow:
            out.append(BodyData(stream_id, payload, flow))
        if ended:
            self._remote_end(stream_id, stream, out, None)

    def _remote_end(
        self, stream_id: int, stream: _Stream, out: list[Event], trailers: list[tuple[str, str]] | None
    ) -> None:
        if stream.length is not None and stream.received != stream.length:
            raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "request body shorter than its Content-Length")
        stream.remote_open = False
        out.append(BodyEnd(stream_id, trailers))
        if not stream.local_open:
            self._close(stream_id)

    def _headers(self, stream_id: int, flags: int, payload: bytes, out: list[Event]) -> None:
        if not stream_id:
            raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "HEADERS on stream 0")
        if flags & F.PADDED:
            payload = self._unpad(payload)
        if flags & F.PRIORITY_FLAG:
            if len(payload) < 5:
                raise _ConnectionError(ErrorCodes.FRAME_SIZE_ERROR, "HEADERS too short for its priority")
            if F.u32(payload) & 0x7FFFFFFF == stream_id:
                raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "stream depends on itself")
            payload = payload[5:]
        ended = bool(flags & F.END_STREAM)
        if flags & F.END_HEADERS:
            self._header_block(stream_id, payload, ended, out)
        else:
            self._block = bytearray(payload)
            self._block_stream = stream_id
            self._block_end = ended

    def _continuation(self, stream_id: int, flags: int, payload: bytes, now: float, out: list[Event]) -> None:
        block = self._block
        if block is None or stream_id != self._block_stream:
            raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "CONTINUATION without a HEADERS before it")
        if not payload and not self.control.spend(now):
            self._calm("too many empty CONTINUATION frames; limit h2_max_control_frames_per_second")
        block += payload
        if len(block) > self.limits.max_header_size * _BOMB_FACTOR:
            self._calm("header block never ends (CONTINUATION flood); limit max_header_size")
        if flags & F.END_HEADERS:
            self._block = None
            self._header_block(stream_id, bytes(block), self._block_end, out)

    def _decode(self, block: bytes) -> Any:
        try:
            return self.decoder.decode(block, raw=True)
        except hpack.exceptions.OversizedHeaderListError as exc:
            raise _ConnectionError(
                ErrorCodes.ENHANCE_YOUR_CALM,
                f"{exc} (header block decodes past {_BOMB_FACTOR}x max_header_size: HPACK bomb)",
            ) from None
        except Exception as exc:
            raise _ConnectionError(ErrorCodes.COMPRESSION_ERROR, f"invalid HPACK header block: {exc}") from None

    def _header_block(self, stream_id: int, block: bytes, ended: bool, out: list[Event]) -> None:
        if not stream_id & 1:
            raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, f"HEADERS from the client on even stream {stream_id}")
        stream = self.streams.get(stream_id)
        if stream is None and stream_id > self.highest_client:
            self._open(stream_id, block, ended, out)
            return
        fields = self._decode(block)  # NOTE: always, so the HPACK table stays in step with the client's
        if stream is None:
            if stream_id in self._reset_ids:
                return
            raise _ConnectionError(ErrorCodes.STREAM_CLOSED, f"HEADERS on closed stream {stream_id}")
        if not stream.remote_open:
            self._stream_error(stream_id, ErrorCodes.STREAM_CLOSED, out)
            return
        # trailers (RFC 9113 8.1): END_STREAM, no pseudo-headers, valid fields
        if not ended or any(not _NAME.match(k) or _BAD_VALUE.search(v) for k, v in fields):
            self._stream_error(stream_id, ErrorCodes.PROTOCOL_ERROR, out)
            return
        trailers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in fields]
        self._remote_end(stream_id, stream, out, trailers)

    def _open(self, stream_id: int, block: bytes, ended: bool, out: list[Event]) -> None:
        """A new stream.

        PERF: a client repeats its request heads byte for byte; while the HPACK
        table is unchanged the same block is the same head, so the checked
        result is kept under the block's bytes (like the decoder's own cache)
        and neither decoded nor validated again.
        """
        decoder = self.decoder
        generation = decoder.generation
        hit = self._heads.get(block)
        if hit is not None and hit[0] == generation:
            template = hit[1]
        else:
            template = self._head(0, self._decode(block), False)
            if decoder.generation == generation and len(block) <= _HEAD_CACHE_LONGEST:
                if len(self._heads) >= _HEAD_CACHE_SIZE:
                    self._heads.clear()
                self._heads[block] = (generation, template)
        self.highest_client = stream_id
        limit = self.limits.h2_max_concurrent_streams
        if self.open_inbound >= limit:
            raise _ConnectionError(
                ErrorCodes.PROTOCOL_ERROR, f"more than {limit} concurrent streams (limit h2_max_concurrent_streams)"
            )
        stream = _Stream(self.remote_initial_window, not ended)
        self.streams[stream_id] = stream
        self.open_inbound += 1
        if type(template) is RequestHead:
            t = template
            length = t.content_length
            stream.length = length
            if ended and length:
                raise _ConnectionError(
                    ErrorCodes.PROTOCOL_ERROR, "END_STREAM on a head whose Content-Length announces a body"
                )
            out.append(
                RequestHead(
                    stream_id,
                    t.method,
                    t.raw_path,
                    t.path,
                    t.query,
                    t.scheme,
                    list(t.headers),
                    length,
                    ended,
                    t.protocol,
                )
            )
        else:
            assert isinstance(template, Refused)
            out.append(Refused(stream_id, template.status, template.detail))

    def _gives_back(self, stream_id: int, increment: int) -> bool:
        """True when a small WINDOW_UPDATE returns credit for DATA we sent: that is
        how gRPC clients acknowledge each message (a few bytes each), not a flood,
        so it costs no control budget.  A flood has nothing to give back."""
        owed = self._owed
        side = 0 if stream_id == 0 else 1
        if increment <= owed[side]:
            owed[side] -= increment
            return True
        owed[side] = 0
        return False

    def _window_update(self, stream_id: int, payload: bytes, now: float, out: list[Event]) -> None:
        if len(payload) != 4:
            raise _ConnectionError(ErrorCodes.FRAME_SIZE_ERROR, "WINDOW_UPDATE not 4 bytes")
        increment = F.u32(payload) & 0x7FFFFFFF
        if (
            increment < _TINY_WINDOW_UPDATE
            and not self._gives_back(stream_id, increment)
            and not self.control.spend(now)
        ):
            self._calm("too many small WINDOW_UPDATE frames; limit h2_max_control_frames_per_second")
        if not stream_id:
            if not increment:
                raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "WINDOW_UPDATE of 0")
            self.send_window += increment
            if self.send_window > F.MAX_WINDOW:
                raise _ConnectionError(ErrorCodes.FLOW_CONTROL_ERROR, "connection window past 2^31-1")
            out.append(WindowOpened(0))
            return
        stream = self.streams.get(stream_id)
        if stream is None:
            if self._idle(stream_id):
                raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, f"WINDOW_UPDATE on idle stream {stream_id}")
            return
        if not increment:
            self._stream_error(stream_id, ErrorCodes.PROTOCOL_ERROR, out)
            return
        stream.send_window += increment
        if stream.send_window > F.MAX_WINDOW:
            self._stream_error(stream_id, ErrorCodes.FLOW_CONTROL_ERROR, out)
            return
        out.append(WindowOpened(stream_id))

    def _rst_stream(self, stream_id: int, payload: bytes, now: float, out: list[Event]) -> None:
        if not stream_id:
            raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "RST_STREAM on stream 0")
        if len(payload) != 4:
            raise _ConnectionError(ErrorCodes.FRAME_SIZE_ERROR, "RST_STREAM not 4 bytes")
        if stream_id not in self.streams:
            if self._idle(stream_id):
                raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, f"RST_STREAM on idle stream {stream_id}")
            if not self.control.spend(now):
                self._calm("too many RST_STREAM frames on closed streams; limit h2_max_control_frames_per_second")
            return
        if not self.resets.spend(now):
            self._calm("too many streams cancelled (rapid reset); limit h2_max_resets_per_second")
        self._close(stream_id)
        out.append(StreamReset(stream_id, F.u32(payload)))

    def _settings(self, stream_id: int, flags: int, payload: bytes, now: float, out: list[Event]) -> None:
        if stream_id:
            raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "SETTINGS on a stream")
        if flags & F.ACK:
            if payload:
                raise _ConnectionError(ErrorCodes.FRAME_SIZE_ERROR, "SETTINGS ACK with a payload")
            if not self.control.spend(now):
                self._calm("too many SETTINGS ACK frames; limit h2_max_control_frames_per_second")
            return
        self._settings_seen = True
        if not self.control.spend(now):
            self._calm("too many SETTINGS frames; limit h2_max_control_frames_per_second")
        try:
            pairs = F.parse_settings(payload)
        except ValueError as exc:
            raise _ConnectionError(ErrorCodes.FRAME_SIZE_ERROR, str(exc)) from None
        if self._apply_settings(pairs):
            out.append(WindowOpened(0))
        self._out.append(F.frame_head(0, F.SETTINGS, F.ACK, 0))

    def _apply_settings(self, pairs: list[tuple[int, int]]) -> bool:
        """The client's settings; True when the initial window changed."""
        changed = False
        for key, value in pairs:
            if key == F.INITIAL_WINDOW_SIZE:
                if value > F.MAX_WINDOW:
                    raise _ConnectionError(ErrorCodes.FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE past 2^31-1")
                delta = value - self.remote_initial_window
                self.remote_initial_window = value
                for stream in self.streams.values():
                    stream.send_window += delta
                    if stream.send_window > F.MAX_WINDOW:
                        raise _ConnectionError(ErrorCodes.FLOW_CONTROL_ERROR, "a stream window past 2^31-1")
                changed = True
            elif key == F.MAX_FRAME_SIZE:
                if not 16384 <= value <= 16777215:
                    raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "SETTINGS_MAX_FRAME_SIZE out of range")
                self.max_outbound_frame_size = value
            elif key == F.ENABLE_PUSH:
                if value > 1:
                    raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "SETTINGS_ENABLE_PUSH not 0 or 1")
                self.remote_enable_push = value == 1
            elif key == F.MAX_CONCURRENT_STREAMS:
                self.remote_max_streams = value
            elif key == F.ENABLE_CONNECT_PROTOCOL and value > 1:
                raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "SETTINGS_ENABLE_CONNECT_PROTOCOL not 0 or 1")
            # HEADER_TABLE_SIZE: our encoder never uses the dynamic table
        return changed

    def _ping_or_priority(
        self, kind: int, stream_id: int, flags: int, payload: bytes, now: float, out: list[Event]
    ) -> None:
        if not self.control.spend(now):
            self._calm(f"too many {_CONTROL_NAMES[kind]} frames; limit h2_max_control_frames_per_second")
        if kind == F.PING:
            if stream_id:
                raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "PING on a stream")
            if len(payload) != 8:
                raise _ConnectionError(ErrorCodes.FRAME_SIZE_ERROR, "PING not 8 bytes")
            if not flags & F.ACK:
                self._out.append(F.frame_head(8, F.PING, F.ACK, 0) + payload)
            return
        if not stream_id:
            raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "PRIORITY on stream 0")
        bad = len(payload) != 5 or F.u32(payload) & 0x7FFFFFFF == stream_id
        if bad and stream_id not in self.streams:
            # no RST_STREAM on a stream that is idle or gone (RFC 9113 5.1)
            raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "malformed PRIORITY frame")
        if len(payload) != 5:
            self._stream_error(stream_id, ErrorCodes.FRAME_SIZE_ERROR, out)
        elif F.u32(payload) & 0x7FFFFFFF == stream_id:
            self._stream_error(stream_id, ErrorCodes.PROTOCOL_ERROR, out)

    def _head(self, stream_id: int, headers: Any, ended: bool) -> Event:
        """The request head as the Request wants it, or why it is refused.

        Malformed requests (RFC 9113 8.1.1: bad field names or values,
        pseudo-headers unknown, repeated, missing or after a regular field,
        connection-specific fields, Host differing from :authority) are a 400 on
        their stream; the engine's limits give 414 and 431 as over HTTP/1.1.
        """
        limits = self.limits
        if len(headers) > limits.max_headers + 4:
            return Refused(stream_id, 431, f"more than {limits.max_headers} header fields (limit max_headers)")
        method: bytes | None = None
        scheme: bytes | None = None
        path: bytes | None = None
        authority: bytes | None = None
        protocol: bytes | None = None
        host: bytes | None = None
        regular = False
        fields: list[tuple[str, str]] = []
        cookies: list[str] = []
        size = 0
        content_length: int | None = None
        for name, value in headers:
            size += len(name) + len(value) + 4
            if _BAD_VALUE.search(value) is not None:
                return Refused(
                    stream_id, 400, f"invalid value of field {_show(name)} (CR, LF, NUL or surrounding whitespace)"
                )
            if name[:1] == b":":
                if regular:
                    return Refused(stream_id, 400, f"pseudo-header {_show(name)} after a regular field")
                if name == b":method" and method is None:
                    method = value
                elif name == b":path" and path is None:
                    path = value
                elif name == b":scheme" and scheme is None:
                    scheme = value
                elif name == b":authority" and authority is None:
                    authority = value
                elif name == b":protocol" and protocol is None and self.extended_connect:
                    protocol = value
                else:
                    return Refused(stream_id, 400, f"unknown or repeated pseudo-header {_show(name)}")
                continue
            regular = True
            if _NAME.match(name) is None:
                return Refused(stream_id, 400, f"invalid field name {_show(name)} (RFC 9113 8.2.1: a lower-case token)")
            text = value.decode("latin-1")
            if name == b"cookie":
                # RFC 9113 8.2.3: split cookie fields are one field again for HTTP/1.1 semantics
                cookies.append(text)
                continue
            if name == b"content-length":
                if not text.isdigit() or not text.isascii() or content_length is not None:
                    # RFC 9113 8.1.1: the body's length check needs a valid one; h2 clients expect a GOAWAY
                    raise _ConnectionError(ErrorCodes.PROTOCOL_ERROR, "invalid Content-Length")
                content_length = int(text)
            elif name == b"host":
                if host is not None:
                    return Refused(stream_id, 400, "more than one Host header")
                host = value
            elif name in _HOP_BY_HOP or name == b"te" and value.lower() != b"trailers":
                return Refused(stream_id, 400, f"connection-specific header {name.decode('latin-1')} in HTTP/2")
            fields.append((name.decode("latin-1"), text))
        if size > limits.max_header_size:
            return Refused(
                stream_id, 431, f"header block larger than {limits.max_header_size} bytes (limit max_header_size)"
            )
        if len(fields) + len(cookies) > limits.max_headers:
            return Refused(stream_id, 431, f"more than {limits.max_headers} header fields (limit max_headers)")
        if cookies:
            fields.append(("cookie", "; ".join(cookies)))
        if method == b"CONNECT":
            if protocol is None:
                return Refused(stream_id, 501, "CONNECT is not supported (only extended CONNECT, RFC 8441)")
            if authority is None:
                return Refused(stream_id, 400, "extended CONNECT without :authority (RFC 8441 4)")
        elif protocol is not None:
            return Refused(stream_id, 400, "pseudo-header :protocol on a request other than CONNECT")
        if method is None or scheme is None or path is None:
            return Refused(stream_id, 400, "request without :method, :scheme or :path (RFC 9113 8.3.1)")
        if authority is not None:
            if host is None:
                fields.append(("host", authority.decode("latin-1")))
            elif host != authority:
                return Refused(stream_id, 400, "Host header differs from :authority")
        if not _TOKEN.match(method):
            return Refused(stream_id, 400, "invalid :method")
        if len(path) > limits.max_request_line:
            return Refused(
                stream_id, 414, f"request target longer than {limits.max_request_line} bytes (limit max_request_line)"
            )
        if path == b"*" and method == b"OPTIONS":
            raw_path, query = b"*", b""
        elif path[:1] == b"/":
            raw_path, _, query = path.partition(b"?")
            raw_path = raw_path.partition(b"#")[0]
        else:
            return Refused(stream_id, 400, "request :path must start with /")
        if scheme not in (b"http", b"https"):
            return Refused(stream_id, 400, "request :scheme must be http or https")
        return RequestHead(
            stream_id,
            method.decode("latin-1"),
            raw_path,
            unquote_to_bytes(raw_path).decode("utf-8", "surrogateescape"),
            query.decode("latin-1"),
            scheme.decode("latin-1"),
            fields,
            content_length,
            ended,
            None if protocol is None else protocol.decode("latin-1"),
        )

    # -- send --------------------------------------------------------------------
    def _sending(self, stream_id: int) -> _Stream:
        stream = self.streams.get(stream_id)
        if stream is None or not stream.local_open:
            raise StreamClosed(f"stream {stream_id} is closed")
        return stream

    def _local_end(self, stream_id: int, stream: _Stream) -> None:
        stream.local_open = False
        if not stream.remote_open:
            self._close(stream_id)

    def _block_frames(self, kind: int, stream_id: int, payload: bytes, flags: int) -> None:
        """A header block as one frame, or cut into CONTINUATIONs at the client's frame size."""
        size = self.max_outbound_frame_size
        out = self._out
        if len(payload) <= size:
            out.append(F.frame_head(len(payload), kind, flags | F.END_HEADERS, stream_id))
            out.append(payload)
            return
        out.append(F.frame_head(size, kind, flags, stream_id))
        out.append(payload[:size])
        for offset in range(size, len(payload), size):
            piece = payload[offset : offset + size]
            last = offset + size >= len(payload)
            out.append(F.frame_head(len(piece), F.CONTINUATION, F.END_HEADERS if last else 0, stream_id))
            out.append(piece)

    def send_headers(self, stream_id: int, headers: list[tuple[bytes, bytes]], end_stream: bool) -> None:
        """Raises StreamClosed when the stream is reset or already ended."""
        stream = self._sending(stream_id)
        self._block_frames(F.HEADERS, stream_id, self.encoder.encode(headers), F.END_STREAM if end_stream else 0)
        if end_stream:
            self._local_end(stream_id, stream)

    def send_data(self, stream_id: int, data: memoryview, end_stream: bool, limit: int = 1 << 31) -> int:
        """Send as much of ``data`` as the flow-control windows allow now, at most ``limit``.

        Returns the bytes taken; END_STREAM goes with the last of them (or alone
        for empty ``data``).  Frames are cut at the client's SETTINGS_MAX_FRAME_SIZE.
        """
        stream = self._sending(stream_id)
        total = len(data)
        if total == 0:
            if end_stream:
                self.end_stream(stream_id)
            return 0
        window = min(self.send_window, stream.send_window, limit)
        frame = self.max_outbound_frame_size
        out = self._out
        sent = 0
        while sent < total and window > 0:
            size = min(total - sent, window, frame)
            last = sent + size == total
            out.append(F.frame_head(size, F.DATA, F.END_STREAM if end_stream and last else 0, stream_id))
            out.append(data[sent : sent + size])
            sent += size
            window -= size
        self.send_window -= sent
        stream.send_window -= sent
        self._owed[0] += sent
        self._owed[1] += sent
        if end_stream and sent == total:
            self._local_end(stream_id, stream)
        return sent

    def end_stream(self, stream_id: int) -> None:
        stream = self._sending(stream_id)
        self._out.append(F.frame_head(0, F.DATA, F.END_STREAM, stream_id))
        self._local_end(stream_id, stream)

    def send_trailers(self, stream_id: int, trailers: list[tuple[bytes, bytes]]) -> None:
        self.send_headers(stream_id, trailers, end_stream=True)

    def reset(self, stream_id: int, code: int = ErrorCodes.CANCEL) -> None:
        """Reset a stream; quietly nothing when it is already closed."""
        if stream_id in self.streams:
            self._out.append(F.rst_stream(stream_id, code))
            self._remember_reset(stream_id)
            self._close(stream_id)

    def _ack_connection(self, flow_length: int) -> None:
        self._unacked += flow_length
        if self._unacked >= CONNECTION_WINDOW // 2:
            self._out.append(F.window_update(0, self._unacked))
            self.recv_window += self._unacked
            self._unacked = 0

    def acknowledge(self, stream_id: int, flow_length: int) -> None:
        """The app took ``flow_length`` bytes: let the client send that much more."""
        if not flow_length or self._goaway_sent:
            return
        self._ack_connection(flow_length)
        stream = self.streams.get(stream_id)
        if stream is not None and stream.remote_open:
            stream.unacked += flow_length
            if stream.unacked >= STREAM_WINDOW // 2:
                self._out.append(F.window_update(stream_id, stream.unacked))
                stream.recv_window += stream.unacked
                stream.unacked = 0

    def can_push(self) -> bool:
        """True when the client allows push (SETTINGS_ENABLE_PUSH) and has room
        for another server stream (its SETTINGS_MAX_CONCURRENT_STREAMS)."""
        return self.terminated is None and self.remote_enable_push and self.open_outbound < self.remote_max_streams

    def push(self, stream_id: int, request_headers: list[tuple[bytes, bytes]]) -> int | None:
        """PUSH_PROMISE on ``stream_id``; returns the promised stream id, or None
        when push is not possible now."""
        parent = self.streams.get(stream_id)
        if not self.can_push() or parent is None or not parent.local_open or not stream_id & 1:
            return None
        promised = self.next_push
        self.next_push += 2
        payload = promised.to_bytes(4, "big") + self.encoder.encode(request_headers)
        self._block_frames(F.PUSH_PROMISE, stream_id, payload, 0)
        self.streams[promised] = _Stream(self.remote_initial_window, remote_open=False)
        self.open_outbound += 1
        return promised

    def window(self, stream_id: int) -> int:
        stream = self.streams.get(stream_id)
        if stream is None or not stream.local_open:
            return 0
        return min(self.send_window, stream.send_window)

    def stream_open(self, stream_id: int) -> bool:
        return stream_id in self.streams

    def _send_goaway(self, code: int, detail: str) -> None:
        if not self._goaway_sent:
            self._goaway_sent = True
            self._out.append(F.goaway_frame(self.highest_client, code, detail.encode("ascii", "replace")[:256]))

    def goaway(self, code: int = ErrorCodes.NO_ERROR, detail: str = "") -> None:
        self._send_goaway(code, detail)
        if self.terminated is None:
            self.terminated = Terminated(int(code), detail or "server closed the connection")

    def data_to_send(self) -> bytes:
        out = self._out
        if not out:
            return b""
        data = b"".join(out)
        out.clear()
        return data
