"""The HTTP/2 connection without I/O: bytes in, events out, bytes to send.

It wraps ``h2.connection.H2Connection`` and adds what ``h2`` leaves to its
user: the engine's limits (:class:`skitai.config.Limits`, the same knobs as
HTTP/1.1), the request head turned into the fields a
:class:`skitai.contract.Request` needs, and the flood defences.  Every
connection error queues a GOAWAY with its code before :class:`Terminated` is
returned, so the adapter only has to send what :meth:`H2Codec.data_to_send`
gives and close.

The adapter calls :meth:`H2Codec.receive` once per socket read and sends
:meth:`H2Codec.data_to_send` once afterwards (PERF: one write per read, however
many frames h2 produced).
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
from h2.errors import ErrorCodes

from ..config import Limits
from .budget import Budget
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
    "WindowOpened",
    "Terminated",
]

#: the client preface that starts every HTTP/2 connection (RFC 9113 3.4)
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#: the connection receive window we grant (bytes in flight, all streams together)
CONNECTION_WINDOW = 1024 * 1024
#: a decoded header block past this many times ``max_header_size`` ends the
#: connection (HPACK bomb); between one and this many times it is a 431
_BOMB_FACTOR = 4
#: a WINDOW_UPDATE smaller than this counts against the control-frame budget
_TINY_WINDOW_UPDATE = 1024


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
    """The client cancelled a stream (or h2 reset it for a stream error)."""

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


#: a field name as RFC 9113 8.2.1 allows it (RFC 9110 token, lower case)
_NAME = re.compile(rb"[!#$%&'*+\-.^_`|~0-9a-z]+\Z")
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32}\Z")
#: NUL, CR, LF anywhere, or whitespace around the value (RFC 9113 8.2.1)
_BAD_VALUE = re.compile(rb"[\x00\r\n]|\A[ \t]|[ \t]\Z")


def _show(name: bytes) -> str:
    return repr(name.decode("latin-1")[:64])


_HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade"})


class H2Codec:
    """Server side of one HTTP/2 connection."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        # PERF: h2 validates fields byte by byte in Python; _head() applies the
        # same RFC 9113 8.2/8.3 rules with two regular expressions per field, in
        # the loop that reads them anyway.  Outbound, the stream validates.
        config = h2.config.H2Configuration(
            client_side=False,
            header_encoding=None,
            validate_inbound_headers=False,
            normalize_inbound_headers=False,
            validate_outbound_headers=False,
            normalize_outbound_headers=False,
        )
        self.h2 = h2.connection.H2Connection(config=config)
        self.h2.local_settings = h2.settings.Settings(
            client=False,
            initial_values={
                h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: limits.h2_max_concurrent_streams,
                h2.settings.SettingCodes.ENABLE_PUSH: 0,
            },
        )
        # NOTE: not advertised as SETTINGS_MAX_HEADER_LIST_SIZE (h2 would then
        # make it the decoder's hard limit, turning every oversized head into a
        # GOAWAY); moderate excess gets a 431 from _head() instead.
        self.h2.decoder = CachingDecoder(limits.max_header_size * _BOMB_FACTOR)
        self.h2.encoder = StaticEncoder()  # type: ignore[assignment]
        self.resets = Budget(limits.h2_max_resets_per_second)
        self.control = Budget(limits.h2_max_control_frames_per_second)
        self.terminated: Terminated | None = None
        self._trailers: dict[int, list[tuple[str, str]]] = {}
        #: DATA bytes sent and not yet given back by WINDOW_UPDATEs (connection, streams)
        self._owed = [0, 0]

    # -- start -------------------------------------------------------------------
    def initiate(self) -> None:
        """Prior knowledge or TLS (ALPN h2): our SETTINGS go first."""
        self.h2.initiate_connection()
        self._grant_connection_window()

    def initiate_upgrade(self, settings_header: str) -> None:
        """After ``Upgrade: h2c``: the request that asked becomes stream 1.

        Raises ValueError when the ``HTTP2-Settings`` value is not valid base64url
        SETTINGS payload (the HTTP/1.1 side then answers 400).
        """
        try:
            self.h2.initiate_upgrade_connection(settings_header.strip().encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError, h2.exceptions.ProtocolError, KeyError) as exc:
            raise ValueError(f"invalid HTTP2-Settings header: {exc}") from None
        except Exception as exc:  # hyperframe parse errors
            raise ValueError(f"invalid HTTP2-Settings header: {exc}") from None
        self._grant_connection_window()

    def _grant_connection_window(self) -> None:
        self.h2.increment_flow_control_window(CONNECTION_WINDOW - 65535)

    def _gives_back(self, stream_id: int, delta: int) -> bool:
        """True when a small WINDOW_UPDATE returns credit for DATA we sent: that
        is how gRPC clients acknowledge each message (a few bytes each), not a
        flood, so it costs no control budget.  A flood has nothing to give back."""
        owed = self._owed
        side = 0 if stream_id == 0 else 1
        if delta <= owed[side]:
            owed[side] -= delta
            return True
        owed[side] = 0
        return False

    # -- receive -----------------------------------------------------------------
    def receive(self, data: bytes, now: float) -> list[Event]:
        if self.terminated is not None:
            return []
        try:
            raw: list[Any] = self.h2.receive_data(data)
        except h2.exceptions.ProtocolError as exc:
            # h2 has queued a GOAWAY with exc.error_code
            return [self._terminated(int(exc.error_code), _describe(exc))]
        except Exception as exc:  # a bug in h2 or here must end one connection, not the worker
            try:
                self.h2.close_connection(ErrorCodes.INTERNAL_ERROR)
            except Exception:
                pass
            return [self._terminated(int(ErrorCodes.INTERNAL_ERROR), f"internal error: {exc!r}")]
        out: list[Event] = []
        for event in raw:
            kind = type(event)
            if kind is h2.events.DataReceived:
                stream_id = event.stream_id
                data = event.data
                if not data and not event.stream_ended and not self.control.spend(now):
                    return self._calm(out, "too many empty DATA frames")
                out.append(BodyData(stream_id, data, event.flow_controlled_length))
            elif kind is h2.events.RequestReceived:
                out.append(self._head(event.stream_id, event.headers, event.stream_ended))
            elif kind is h2.events.StreamEnded:
                out.append(BodyEnd(event.stream_id, self._trailers.pop(event.stream_id, None)))
            elif kind is h2.events.WindowUpdated:
                if event.delta < _TINY_WINDOW_UPDATE and not self._gives_back(event.stream_id, event.delta) \
                        and not self.control.spend(now):
                    return self._calm(out, "too many small WINDOW_UPDATE frames")
                out.append(WindowOpened(event.stream_id))
            elif kind is h2.events.StreamReset:
                if event.remote_reset and not self.resets.spend(now):
                    return self._calm(
                        out, "too many streams cancelled (rapid reset); limit h2_max_resets_per_second"
                    )
                out.append(StreamReset(event.stream_id, int(event.error_code)))
            elif kind is h2.events.TrailersReceived:
                fields = event.headers
                if any(not _NAME.match(k) or _BAD_VALUE.search(v) for k, v in fields):
                    # RFC 9113 8.1.1: a malformed message is a stream error
                    self.reset(event.stream_id, ErrorCodes.PROTOCOL_ERROR)
                    out.append(StreamReset(event.stream_id, int(ErrorCodes.PROTOCOL_ERROR)))
                    continue
                # StreamEnded follows at once and carries them
                self._trailers[event.stream_id] = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in fields]
            elif kind is h2.events.RemoteSettingsChanged:
                if not self.control.spend(now):
                    return self._calm(out, "too many SETTINGS frames")
                if h2.settings.SettingCodes.INITIAL_WINDOW_SIZE in event.changed_settings:
                    out.append(WindowOpened(0))
            elif kind is h2.events.ConnectionTerminated:
                code = int(event.error_code) if event.error_code is not None else 0
                terminated = Terminated(code, "client sent GOAWAY", by_client=True)
                self.terminated = terminated
                out.append(terminated)
                return out
            elif kind in _CONTROL_EVENTS:
                if not self.control.spend(now):
                    return self._calm(
                        out, f"too many {_CONTROL_EVENTS[kind]} frames; limit h2_max_control_frames_per_second"
                    )
            # SettingsAcknowledged, PingAckReceived...: nothing to do
        if self._pending_header_block() > self.limits.max_header_size * _BOMB_FACTOR:
            return self._calm(out, "header block never ends (CONTINUATION flood); limit max_header_size")
        return out

    def _pending_header_block(self) -> int:
        """Bytes of a HEADERS block still waiting for END_HEADERS.

        NOTE: h2 caps such a block at 64 CONTINUATION frames (1 MiB at our frame
        size); we end it sooner, at the same bound as a decoded block.
        """
        pending = getattr(self.h2.incoming_buffer, "_headers_buffer", None)
        if not pending:
            return 0
        return sum(len(frame.data) for frame in pending)

    def _calm(self, out: list[Event], detail: str) -> list[Event]:
        self.h2.close_connection(ErrorCodes.ENHANCE_YOUR_CALM, detail.encode("ascii", "replace")[:256])
        out.append(self._terminated(int(ErrorCodes.ENHANCE_YOUR_CALM), detail))
        return out

    def _terminated(self, code: int, detail: str) -> Terminated:
        self.terminated = Terminated(code, detail)
        return self.terminated

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
        host: bytes | None = None
        regular = False
        fields: list[tuple[str, str]] = []
        cookies: list[str] = []
        size = 0
        content_length: int | None = None
        for name, value in headers:
            size += len(name) + len(value) + 4
            if _BAD_VALUE.search(value) is not None:
                return Refused(stream_id, 400, f"invalid value of field {_show(name)} (CR, LF, NUL or "
                                               "surrounding whitespace)")
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
                else:
                    return Refused(stream_id, 400, f"unknown or repeated pseudo-header {_show(name)}")
                continue
            regular = True
            if _NAME.match(name) is None:
                return Refused(stream_id, 400, f"invalid field name {_show(name)} (RFC 9113 8.2.1: a "
                                               "lower-case token)")
            text = value.decode("latin-1")
            if name == b"cookie":
                # RFC 9113 8.2.3: split cookie fields are one field again for HTTP/1.1 semantics
                cookies.append(text)
                continue
            if name == b"content-length":
                if not text.isdigit() or not text.isascii() or content_length is not None:
                    return Refused(stream_id, 400, "invalid Content-Length")
                content_length = int(text)
            elif name == b"host":
                if host is not None:
                    return Refused(stream_id, 400, "more than one Host header")
                host = value
            elif name in _HOP_BY_HOP or name == b"te" and value.lower() != b"trailers":
                return Refused(stream_id, 400, f"connection-specific header {name.decode('latin-1')} in HTTP/2")
            fields.append((name.decode("latin-1"), text))
        if size > limits.max_header_size:
            return Refused(stream_id, 431, f"header block larger than {limits.max_header_size} bytes "
                                           "(limit max_header_size)")
        if len(fields) + len(cookies) > limits.max_headers:
            return Refused(stream_id, 431, f"more than {limits.max_headers} header fields (limit max_headers)")
        if cookies:
            fields.append(("cookie", "; ".join(cookies)))
        if method == b"CONNECT":
            return Refused(stream_id, 501, "CONNECT is not supported")
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
            return Refused(stream_id, 414, f"request target longer than {limits.max_request_line} bytes "
                                           "(limit max_request_line)")
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
        )

    # -- send --------------------------------------------------------------------
    def send_headers(self, stream_id: int, headers: list[tuple[bytes, bytes]], end_stream: bool) -> None:
        self.h2.send_headers(stream_id, headers, end_stream=end_stream)

    def send_data(self, stream_id: int, data: memoryview, end_stream: bool, limit: int = 1 << 31) -> int:
        """Send as much of ``data`` as the flow-control windows allow now, at most ``limit``.

        Returns the bytes taken; END_STREAM goes with the last of them (or alone
        for empty ``data``).  Frames are cut at the client's SETTINGS_MAX_FRAME_SIZE.
        """
        h2conn = self.h2
        total = len(data)
        if total == 0:
            if end_stream:
                h2conn.end_stream(stream_id)
            return 0
        window = min(h2conn.local_flow_control_window(stream_id), limit)
        frame = h2conn.max_outbound_frame_size
        sent = 0
        while sent < total and window > 0:
            size = min(total - sent, window, frame)
            last = sent + size == total
            h2conn.send_data(stream_id, data[sent:sent + size], end_stream=end_stream and last)
            sent += size
            window -= size
        self._owed[0] += sent
        self._owed[1] += sent
        return sent

    def end_stream(self, stream_id: int) -> None:
        self.h2.end_stream(stream_id)

    def send_trailers(self, stream_id: int, trailers: list[tuple[bytes, bytes]]) -> None:
        self.h2.send_headers(stream_id, trailers, end_stream=True)

    def reset(self, stream_id: int, code: int = ErrorCodes.CANCEL) -> None:
        """Reset a stream; quietly nothing when h2 already closed it."""
        try:
            self.h2.reset_stream(stream_id, code)
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError, KeyError):
            pass

    def acknowledge(self, stream_id: int, flow_length: int) -> None:
        """The app took ``flow_length`` bytes: let the client send that much more."""
        if flow_length:
            try:
                self.h2.acknowledge_received_data(flow_length, stream_id)
            except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError, KeyError):
                pass

    def can_push(self) -> bool:
        """True when the client allows push (SETTINGS_ENABLE_PUSH) and has room
        for another server stream (its SETTINGS_MAX_CONCURRENT_STREAMS)."""
        remote = self.h2.remote_settings
        return (
            self.terminated is None
            and bool(remote.enable_push)
            and self.h2.open_outbound_streams < remote.max_concurrent_streams
        )

    def push(self, stream_id: int, request_headers: list[tuple[bytes, bytes]]) -> int | None:
        """PUSH_PROMISE on ``stream_id``; returns the promised stream id, or None
        when push is not possible now."""
        if not self.can_push():
            return None
        try:
            promised = self.h2.get_next_available_stream_id()
            self.h2.push_stream(stream_id, promised, request_headers)
        except (h2.exceptions.ProtocolError, h2.exceptions.StreamClosedError, KeyError):
            return None
        return int(promised)

    def window(self, stream_id: int) -> int:
        try:
            return int(self.h2.local_flow_control_window(stream_id))
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError, KeyError):
            return 0

    def stream_open(self, stream_id: int) -> bool:
        stream = self.h2.streams.get(stream_id)
        return stream is not None and not stream.closed

    def goaway(self, code: int = ErrorCodes.NO_ERROR, detail: str = "") -> None:
        if self.terminated is None or self.terminated.by_client:
            try:
                self.h2.close_connection(code, detail.encode("ascii", "replace")[:256] or None)
            except h2.exceptions.ProtocolError:
                pass
        if self.terminated is None:
            self.terminated = Terminated(code, detail or "server closed the connection")

    def data_to_send(self) -> bytes:
        return bytes(self.h2.data_to_send())


_CONTROL_EVENTS: dict[type, str] = {
    h2.events.PingReceived: "PING",
    h2.events.PriorityUpdated: "PRIORITY",
    h2.events.UnknownFrameReceived: "unknown-type",
    h2.events.SettingsAcknowledged: "SETTINGS ACK",
}


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, h2.exceptions.DenialOfServiceError):
        return f"{text} (header block decodes past {_BOMB_FACTOR}x max_header_size: HPACK bomb)"
    if isinstance(exc, h2.exceptions.TooManyStreamsError):
        return f"{text} (limit h2_max_concurrent_streams)"
    return text
