"""The asyncio side of HTTP/2: moves bytes between a transport and the codec,
turns request events into streams the server dispatches, and keeps time.

Nothing about the protocol itself is decided here (that is :mod:`.codec`);
this module owns the connection's life: one write per read, back-pressure both
ways, the deadlines of :class:`skitai.config.Limits` (checked by the server's
once-a-second sweep, like HTTP/1.1), graceful shutdown with GOAWAY, and server
push.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast
from urllib.parse import unquote_to_bytes

from ..body import EMPTY_BODY
from ..config import Limits
from ..contract import Headers, Request
from ..errors import ClientGone, HTTPError
from ..server_state import ServerState
from .codec import (
    BodyData,
    BodyEnd,
    ErrorCodes,
    H2Codec,
    Refused,
    RequestHead,
    StreamClosed,
    StreamReset,
    Terminated,
    WindowOpened,
)
from .push import COPIED_FIELDS, preload_paths
from .stream import H2Stream

__all__ = ["H2Protocol", "PUMP_LIMIT"]

_TEXT = [("content-type", "text/plain; charset=utf-8")]
#: what an extended CONNECT (RFC 8441) adds to its fields for the mounts
_WEBSOCKET_UPGRADE = [("upgrade", "websocket"), ("connection", "upgrade")]
#: bytes one stream sends in one turn of the loop
PUMP_LIMIT = 256 * 1024


class H2Protocol(asyncio.Protocol):
    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.limits: Limits = state.limits
        self.loop = state.loop
        self.codec = H2Codec(self.limits, extended_connect=True)
        self.transport: Any = None
        self.streams: dict[int, H2Stream] = {}
        #: streams waiting for a flow-control window
        self.blocked: dict[int, H2Stream] = {}
        self.closing = False
        self.idle_deadline = 0.0
        self._client: tuple[str, int] | None = None
        self._local: tuple[str, int] | None = None
        self._scheme = "http"
        self._flush_pending = False
        self._repump_pending = False
        #: body bytes of an ``Upgrade: h2c`` request still to come
        self._prelude = 0
        self._receiving = False
        self._write_paused_at = 0.0
        self._read_paused = False
        self._drain: asyncio.Future[None] | None = None
        self._date_source = b""
        self._date_fields: list[tuple[bytes, bytes]] = []
        self._registered = False

    # -- start -------------------------------------------------------------------
    def connection_made(self, transport: Any) -> None:
        """A fresh connection that speaks HTTP/2 from the start (TLS with ALPN h2)."""
        self._attach(transport)
        self.codec.initiate()
        self._flush()

    def take_over(self, transport: Any, data: bytes) -> None:
        """Prior knowledge: HTTP/1.1 saw the preface and hands over its first bytes."""
        self._attach(transport)
        self.codec.initiate()
        self.data_received(data)

    def take_over_upgrade(
        self, transport: Any, request: Request, candidates: list[Any], leftover: bytes, body_length: int = 0
    ) -> None:
        """``Upgrade: h2c``: the 101 went out (after ``codec.initiate_upgrade``
        accepted the client's HTTP2-Settings); the request that asked is stream 1.

        RFC 7540 3.2: its body (``body_length`` bytes, Content-Length framing)
        comes whole before the client's first HTTP/2 frame.
        """
        self._attach(transport)
        request.version = "2"
        stream = H2Stream(self, 1, request, self.loop.time())
        stream.candidates = candidates
        stream.remote_ended = body_length == 0
        if body_length:
            request.body = stream.attach_body(body_length, body_length, self.state.now)
            self._prelude = body_length
        self.streams[1] = stream
        self._dispatch(stream)
        if leftover:
            self.data_received(leftover)
        else:
            self._flush()

    def _attach(self, transport: Any) -> None:
        self.transport = transport
        self._client = _address(transport.get_extra_info("peername"))
        self._local = _address(transport.get_extra_info("sockname"))
        if transport.get_extra_info("sslcontext") is not None:
            self._scheme = "https"
        self.idle_deadline = self.state.now + self.limits.header_timeout
        self._registered = True
        self.state.connection_opened(self)

    # -- asyncio.Protocol ------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self._prelude:
            data = self._take_prelude(data)
            if not data:
                return
        self._receiving = True
        try:
            self._receive(data)
        finally:
            self._receiving = False
        self._flush()

    def _take_prelude(self, data: bytes) -> bytes:
        """The HTTP/1.1 body of an upgraded request goes to stream 1; what
        follows it is HTTP/2."""
        body, rest = data[: self._prelude], data[self._prelude :]
        self._prelude -= len(body)
        stream = self.streams.get(1)
        if stream is not None:
            stream.feed(body, 0)
            if not self._prelude:
                stream.body_end()
        return rest

    def _receive(self, data: bytes) -> None:
        server = self.state
        now = server.now
        fresh: list[H2Stream] = []
        streams = self.streams
        for event in self.codec.receive(data, now):
            kind = type(event)
            if kind is BodyData:
                assert isinstance(event, BodyData)
                stream = streams.get(event.stream_id)
                if stream is None:
                    self.codec.acknowledge(event.stream_id, event.flow_length)
                else:
                    stream.feed(event.data, event.flow_length)
            elif kind is RequestHead:
                assert isinstance(event, RequestHead)
                stream = self._open(event, now)
                if stream is not None:
                    fresh.append(stream)
            elif kind is BodyEnd:
                assert isinstance(event, BodyEnd)
                stream = streams.get(event.stream_id)
                if stream is not None:
                    if event.trailers is not None:
                        stream.request.state["trailers"] = event.trailers
                    stream.body_end()
            elif kind is WindowOpened:
                assert isinstance(event, WindowOpened)
                self._window_opened(event.stream_id)
            elif kind is StreamReset:
                assert isinstance(event, StreamReset)
                stream = streams.get(event.stream_id)
                if stream is not None:
                    stream.gone(ClientGone(f"stream reset by the client (error code {event.error_code})"))
            elif kind is Refused:
                assert isinstance(event, Refused)
                self._refuse(event, now)
            elif kind is Terminated:
                assert isinstance(event, Terminated)
                self._terminated(event)
        # NOTE: dispatched only after the whole read is decoded, so a stream the
        # same read already reset (rapid reset) never reaches an app.
        for stream in fresh:
            if not stream.closed:
                self._dispatch(stream)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._registered:
            self._registered = False
            self.state.connection_closed(self)
        gone = ClientGone("client disconnected")
        for stream in list(self.streams.values()):
            stream.gone(gone)
        self.streams.clear()
        self.blocked.clear()
        drain, self._drain = self._drain, None
        if drain is not None and not drain.done():
            drain.set_exception(gone)

    def eof_received(self) -> bool | None:
        return None  # HTTP/2 has no half-close: EOF ends the connection

    def pause_writing(self) -> None:
        # NOTE: while the client does not read, we do not read either: its PINGs
        # and SETTINGS cannot pile up ACKs in our send buffer.
        self._write_paused_at = self.state.now or 1.0
        if not self._read_paused and self.transport is not None and not self.transport.is_closing():
            self._read_paused = True
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        self._write_paused_at = 0.0
        if self._read_paused and not self.transport.is_closing():
            self._read_paused = False
            self.transport.resume_reading()
        if self.blocked:
            self._window_opened(0)
        drain, self._drain = self._drain, None
        if drain is not None and not drain.done():
            drain.set_result(None)

    # -- streams -----------------------------------------------------------------
    def _open(self, head: RequestHead, now: float) -> H2Stream | None:
        if self.closing:
            self.codec.reset(head.stream_id, ErrorCodes.REFUSED_STREAM)
            return None
        candidates = self.state.match(head.path)
        method, fields = head.method, head.headers
        if head.protocol is not None:
            if head.protocol.lower() != "websocket":
                self.codec.reset(head.stream_id, ErrorCodes.REFUSED_STREAM)
                return None
            # RFC 8441: the extended CONNECT is this engine's WebSocket handshake
            # request, so every mount takes it as it takes an HTTP/1.1 upgrade
            method, fields = "GET", [*fields, *_WEBSOCKET_UPGRADE]
        request = Request(
            method,
            head.raw_path,
            head.path,
            head.query,
            "2",
            Headers(fields),
            head.scheme,
            self._client,
            self._local,
            EMPTY_BODY,
        )
        stream = H2Stream(self, head.stream_id, request, self.loop.time())
        stream.candidates = candidates
        stream.remote_ended = head.ended
        self.streams[head.stream_id] = stream
        self.idle_deadline = 0.0
        if head.protocol is not None:
            request.state["extended_connect"] = head.protocol
            stream.extended = True
            return stream
        if not head.ended:
            limit = self.limits.max_body_size if candidates.body_limit is None else candidates.body_limit
            if head.content_length is not None and head.content_length > limit:
                stream.respond(
                    413,
                    _TEXT,
                    f"request body larger than {limit} bytes "
                    "(limit max_body_size or the mount's max_client_body_size)".encode(),
                )
                return None
            request.body = stream.attach_body(head.content_length, limit, now)
        return stream

    def _refuse(self, event: Refused, now: float) -> None:
        request = Request("GET", b"/", "/", "", "2", Headers(), self._scheme, self._client, self._local, EMPTY_BODY)
        stream = H2Stream(self, event.stream_id, request, self.loop.time())
        self.streams[event.stream_id] = stream
        stream.respond(event.status, _TEXT, event.detail.encode("utf-8", "replace"))

    def _dispatch(self, stream: H2Stream) -> None:
        # NOTE: ServerState.dispatch is typed for the HTTP/1.1 Cycle; a stream
        # has every member the dispatcher uses (request, candidates, started,
        # finished, closed, keep_alive, respond, abort).
        self.state.dispatch(cast(Any, stream))

    def stream_done(self, stream: H2Stream) -> None:
        """A stream's last frame is queued, or it was reset: forget it."""
        if self.streams.get(stream.stream_id) is stream:
            del self.streams[stream.stream_id]
        self.blocked.pop(stream.stream_id, None)
        if stream.started:
            # observability hook: access log line, metrics, request listeners
            self.state.observer.finished(stream, self.loop.time() - stream.started_at)
        if not stream.remote_ended and not stream.closed:
            # RFC 9113 8.1: answered before the upload ended; the client may stop sending
            self.codec.reset(stream.stream_id, ErrorCodes.NO_ERROR)
        self.schedule_flush()
        if not self.streams:
            if self.closing:
                self._close()
            else:
                self.idle_deadline = self.state.now + self.limits.keepalive_timeout

    # -- sending -----------------------------------------------------------------
    def send_headers(self, stream: H2Stream, block: list[tuple[bytes, bytes]], end: bool) -> None:
        if stream.closed:
            return
        try:
            self.codec.send_headers(stream.stream_id, block, end)
        except StreamClosed as exc:
            stream.gone(ClientGone(f"stream closed: {exc}"))
            return
        self.schedule_flush()

    def pump(self, stream: H2Stream) -> None:
        """Send what the stream has pending, as far as the windows allow, and
        no more than ``PUMP_LIMIT`` at a time while the socket keeps up.

        NOTE: a client may grant a window of 2 GiB and not read; the socket's
        own back-pressure (pause_writing) then holds every stream, so a large
        ``respond`` body is not copied whole into the transport's buffer.
        """
        if stream.closed or stream.done:
            return
        data, end, trailers = stream.take_pending()
        stream_id = stream.stream_id
        if data is not None and self._write_paused_at:
            self._hold(stream, 0)
            return
        try:
            if data is not None:
                with_data = end and trailers is None
                sent = self.codec.send_data(stream_id, data, with_data, PUMP_LIMIT)
                if sent < len(data):
                    stream.set_pending(data[sent:])
                    self._hold(stream, sent)
                    if sent == PUMP_LIMIT:
                        self._schedule_repump()
                    return
                self.blocked.pop(stream_id, None)
                if not with_data and end:
                    self._end(stream_id, trailers)
            elif end:
                self._end(stream_id, trailers)
        except StreamClosed as exc:
            stream.gone(ClientGone(f"stream closed: {exc}"))
            return
        stream.pump_done()
        if end:
            stream.complete()
        self.schedule_flush()

    def _hold(self, stream: H2Stream, sent: int) -> None:
        """The stream waits for a window, the socket, or its next turn."""
        stream.blocked(self.state.now, progressed=sent > 0)
        self.blocked[stream.stream_id] = stream
        self.schedule_flush()

    def _schedule_repump(self) -> None:
        if not self._repump_pending:
            self._repump_pending = True
            self.loop.call_soon(self._repump)

    def _repump(self) -> None:
        self._repump_pending = False
        if not self._write_paused_at:
            self._window_opened(0)

    def _end(self, stream_id: int, trailers: list[tuple[bytes, bytes]] | None) -> None:
        if trailers:
            self.codec.send_trailers(stream_id, trailers)
        else:
            self.codec.end_stream(stream_id)

    def _window_opened(self, stream_id: int) -> None:
        if stream_id:
            stream = self.blocked.get(stream_id)
            if stream is not None:
                self.pump(stream)
            return
        for stream in list(self.blocked.values()):
            self.pump(stream)

    def reset(self, stream: H2Stream, code: int = ErrorCodes.CANCEL) -> None:
        self.codec.reset(stream.stream_id, code)
        self.schedule_flush()

    async def drain(self) -> None:
        if self.transport is None or self.transport.is_closing():
            raise ClientGone("client disconnected")
        if self._write_paused_at:
            if self._drain is None:
                self._drain = self.loop.create_future()
            await self._drain

    def schedule_flush(self) -> None:
        if not self._receiving and not self._flush_pending:
            self._flush_pending = True
            self.loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        transport = self.transport
        if transport is None:
            return
        data = self.codec.data_to_send()
        if data and not transport.is_closing():
            transport.write(data)

    def date_fields(self) -> list[tuple[bytes, bytes]]:
        """``date`` and ``server`` from the server's once-a-second header cache."""
        source = self.state.date_header
        if source is not self._date_source:
            fields = []
            for line in source.split(b"\r\n"):
                name, sep, value = line.partition(b": ")
                if sep:
                    fields.append((name.lower(), value))
            self._date_source = source
            self._date_fields = fields
        return self._date_fields

    # -- push --------------------------------------------------------------------
    def push_for(self, stream: H2Stream, headers: list[tuple[str, str]]) -> None:
        """Promise the ``rel=preload`` links of an answer, then answer them."""
        if stream.pushed or stream.closed or not self.codec.can_push():
            return
        paths = preload_paths(headers, self.limits.h2_max_pushes)
        if not paths:
            return
        copied = [(name, value) for name, value in stream.request.headers.raw if name in COPIED_FIELDS]
        for target in paths:
            if not self.push_path(stream, target, copied):
                return

    def push_path(self, stream: H2Stream, target: str, fields: list[tuple[str, str]]) -> bool:
        """Promise ``GET target`` (with request ``fields``) on ``stream`` and
        answer it as if the client had asked; False when push is not possible
        (the client refuses it, no room for another stream, or the answer is over)."""
        if stream.pushed or stream.closed or not target.startswith("/") or not self.codec.can_push():
            return False
        parent = stream.request
        authority = parent.host
        raw_path, _, query = target.encode("latin-1", "replace").partition(b"?")
        block = [
            (b":method", b"GET"),
            (b":scheme", parent.scheme.encode("ascii")),
            (b":authority", authority.encode("latin-1", "replace")),
            (b":path", target.encode("latin-1", "replace")),
        ]
        block.extend((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in fields)
        promised = self.codec.push(stream.stream_id, block)
        if promised is None:
            return False
        path = unquote_to_bytes(raw_path).decode("utf-8", "surrogateescape")
        request = Request(
            "GET",
            raw_path,
            path,
            query.decode("latin-1"),
            "2",
            Headers([*fields, ("host", authority)]),
            parent.scheme,
            self._client,
            self._local,
            EMPTY_BODY,
        )
        pushed = H2Stream(self, promised, request, self.loop.time(), pushed=True)
        pushed.candidates = self.state.match(path)
        self.streams[promised] = pushed
        # NOTE: answered on the next loop turn, so the parent's HEADERS (the
        # page that needs these) are queued before any pushed answer.
        self.loop.call_soon(self._dispatch_pushed, pushed)
        return True

    def _dispatch_pushed(self, stream: H2Stream) -> None:
        if not stream.closed and not stream.done:
            self._dispatch(stream)

    # -- errors, timeouts, shutdown ------------------------------------------------
    def _terminated(self, event: Terminated) -> None:
        if event.by_client and event.error_code == 0:
            # a graceful GOAWAY: finish what is in progress, open nothing new
            self.closing = True
            if not self.streams:
                self._close()
            return
        if not event.by_client:
            # a client's fault, not ours: worth a line, not an error
            self.state.logs.info(
                f"HTTP/2 connection from {self._client} ended: {event.detail} (GOAWAY {_code_name(event.error_code)})"
            )
        self._close()

    def _close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.codec.goaway(ErrorCodes.NO_ERROR, "server closing the connection")
            self._flush()
            self.transport.close()

    def check_timeouts(self, now: float) -> None:
        """Called about once a second by the server."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        limits = self.limits
        if self._write_paused_at and now - self._write_paused_at > limits.send_timeout:
            transport.abort()
            return
        if self.idle_deadline and now > self.idle_deadline and not self.streams:
            self.codec.goaway(ErrorCodes.NO_ERROR, "idle (limit keepalive_timeout)")
            self._close()
            return
        for stream in list(self.streams.values()):
            if stream.blocked_since and now - stream.blocked_since > limits.send_timeout:
                # the client's window stayed shut (zero-window stall)
                stream.abort()
                continue
            if stream.body_started == 0.0 or stream.remote_ended or stream.closed or stream.paused:
                continue
            elapsed = now - stream.body_started
            if elapsed > limits.body_grace and stream.received < limits.min_body_rate * elapsed:
                stream.fail_body(HTTPError(408, "request body arriving too slowly (limit min_body_rate)"))
        self._flush()

    def abort(self) -> None:
        """Drop the connection now (the server's drain is over)."""
        if self.transport is not None:
            self.transport.abort()

    def shutdown(self) -> None:
        """Graceful stop: streams in progress finish, new ones are refused
        (REFUSED_STREAM, which clients retry elsewhere), then GOAWAY and close.

        NOTE: not GOAWAY first: h2-based clients (httpx) treat any GOAWAY as the
        end and fail on the answers that follow it.
        """
        self.closing = True
        if self.transport is not None and not self.streams:
            self._close()


def _code_name(code: int) -> str:
    try:
        return ErrorCodes(code).name
    except ValueError:
        return str(code)


def _address(value: Any) -> tuple[str, int] | None:
    if isinstance(value, tuple) and len(value) >= 2:
        return (str(value[0]), int(value[1]))
    return None
