"""The asyncio side of HTTP/1.1: moves bytes between a transport, the codec and
request cycles, and keeps time.

Responsibilities that live here and nowhere else: keep-alive, pipelining (requests
answered strictly in order, at most ``max_pipeline`` buffered), read/write
back-pressure, the deadlines of :class:`skitai.config.Limits` (checked by the
server's once-a-second sweep, so the hot path arms no timers), the mount-table
match of each request head (which also decides its body limit), and the two
hand-offs: Upgrade (:meth:`H1Protocol._hand_off`) and the HTTP/2 preface
(:meth:`H1Protocol._preface_received`).

The protocol sees the server only through its :class:`skitai.server_state.ServerState`.
"""

from __future__ import annotations

import asyncio
import os
from collections import deque
from typing import Any, AsyncIterator

from ..body import EMPTY_BODY, StreamBody
from ..contract import BodyFeed, Headers, Request, UpgradeTarget
from ..errors import ClientGone, HTTPError
from ..http2 import switch as h2_switch
from ..server_state import ServerState
from .codec import HTTP2Preface, RequestHead, RequestParser
from .cycle import Cycle
from .framing import error_response

__all__ = ["H1Protocol", "LAST_CALL", "read_file_chunks"]

#: seconds an idle connection may still bring a request once shutdown began
LAST_CALL = 0.5
_SENDFILE_CHUNK = 256 * 1024


class H1Protocol(asyncio.Protocol):
    """One HTTP/1.1 connection."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.limits = state.limits
        self.loop = state.loop
        self.transport: Any = None
        self.parser = RequestParser(self, self.limits)
        self.cycle: Cycle | None = None  # the one being answered
        self.pipeline: deque[Cycle] = deque()
        self.reading: Cycle | None = None  # the one whose body is arriving
        self.closing = False
        self._client: tuple[str, int] | None = None
        self._local: tuple[str, int] | None = None
        self._scheme = "http"
        self._read_paused = False
        self._write_paused_at = 0.0
        self._drain: asyncio.Future[None] | None = None
        self._pending_error: HTTPError | None = None
        self._upgrade_data: bytes | None = None
        self._upgrading: Cycle | None = None
        self.head_deadline = 0.0
        self.idle_deadline = 0.0
        self.body_started = 0.0

    # -- asyncio.Protocol ------------------------------------------------------
    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self._client = _address(transport.get_extra_info("peername"))
        self._local = _address(transport.get_extra_info("sockname"))
        if transport.get_extra_info("sslcontext") is not None:
            self._scheme = "https"
        self.idle_deadline = self.state.now + self.limits.header_timeout
        self.state.connection_opened(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.state.connection_closed(self)
        gone = ClientGone("client disconnected")
        for cycle in (self.cycle, *self.pipeline):
            if cycle is not None:
                cycle.closed = True
                body = cycle.body
                if body is not EMPTY_BODY:
                    body.fail(gone)
        self.pipeline.clear()
        if self._drain is not None and not self._drain.done():
            self._drain.set_exception(gone)

    def data_received(self, data: bytes) -> None:
        if self.head_deadline == 0.0 and not self.parser.in_body:
            self.head_deadline = self.state.now + self.limits.header_timeout
            self.idle_deadline = 0.0
        try:
            leftover = self.parser.feed(data)
        except HTTP2Preface as exc:
            self._preface_received(exc, data)
        except HTTPError as exc:
            self._protocol_error(exc)
        else:
            if leftover is not None:
                # the bytes after an Upgrade head are the next protocol's
                self._upgrade_data = leftover
                self.transport.pause_reading()
                self._read_paused = True
        if self._upgrading is not None:
            # dispatched only now, so the hand-off knows which bytes follow the head
            cycle, self._upgrading = self._upgrading, None
            if not h2_switch.upgrade_h2c(self, cycle):  # HTTP/2 switch point: Upgrade: h2c
                self.state.dispatch(cycle)

    def eof_received(self) -> bool | None:
        # A half-closed client still gets the answers to what it sent.
        return self.cycle is not None or bool(self.pipeline)

    def pause_writing(self) -> None:
        self._write_paused_at = self.state.now or 1.0

    def resume_writing(self) -> None:
        self._write_paused_at = 0.0
        drain, self._drain = self._drain, None
        if drain is not None and not drain.done():
            drain.set_result(None)

    # -- codec callbacks -------------------------------------------------------
    def on_head(self, head: RequestHead) -> None:
        """A request head is complete: match it, limit its body, answer it.

        NOTE (re-entrancy): this runs inside httptools' ``on_headers_complete``
        callback, and so does everything a synchronous answer does: the mount's
        ``handle``, ``respond``, ``cycle_finished``, the access log and, on a
        pipelined connection, the dispatch of the next buffered request.  That
        is the speed design (no Task, no hop through the loop for a handler that
        never awaits), so keep it.  What it implies: nothing here may feed the
        parser again; an exception escaping from a mount was already turned into
        a 500 by the dispatcher; an ``HTTPError`` raised here (the 413 of
        ``limit_body``) leaves through ``RequestParser.feed`` and is answered by
        ``_protocol_error`` like any framing error.
        """
        # The match step: the mounts that may answer this path, in order.  It
        # comes first because their limit decides how much body is accepted.
        candidates = self.state.match(head.path)
        body: BodyFeed
        stream: StreamBody | None = None
        if head.has_body:
            limit = candidates.body_limit
            self.parser.limit_body(self.limits.max_body_size if limit is None else limit)
            body = stream = StreamBody(self.loop, head.content_length, self)
            self.body_started = self.state.now
        else:
            body = EMPTY_BODY
        self.head_deadline = 0.0
        request = Request(
            head.method,
            head.raw_path,
            head.path,
            head.query,
            head.version,
            Headers(head.headers),
            self._scheme,
            self._client,
            self._local,
            body,
        )
        cycle = Cycle(self, request, head, self.loop.time(), candidates, body)
        if stream is not None:
            self.reading = cycle
            if head.expect_continue:
                stream._on_first_read = cycle.continue_
        if self.cycle is None:
            self.cycle = cycle
            if head.upgrade is None:
                self.state.dispatch(cycle)
            else:
                self._upgrading = cycle
        else:
            self.pipeline.append(cycle)
            if len(self.pipeline) >= self.limits.max_pipeline:
                self.pause_reading()

    def on_body(self, data: bytes) -> None:
        reading = self.reading
        if reading is not None:
            reading.body.feed(data)

    def on_end(self) -> None:
        reading, self.reading = self.reading, None
        if reading is not None:
            reading.body.feed_eof()

    # -- used by cycles and bodies --------------------------------------------
    def write(self, data: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(data)

    def writelines(self, chunks: Any) -> None:
        if not self.transport.is_closing():
            self.transport.writelines(chunks)

    async def drain(self) -> None:
        if self._write_paused_at and not self.transport.is_closing():
            if self._drain is None:
                self._drain = self.loop.create_future()
            await self._drain
        elif self.transport.is_closing():
            raise ClientGone("client disconnected")

    async def sendfile(self, file: Any, offset: int, count: int) -> None:
        await self.drain()
        try:
            await self.loop.sendfile(self.transport, file, offset, count)
            return
        except (NotImplementedError, AttributeError, RuntimeError, TypeError):
            pass  # uvloop and TLS transports: copy through user space (pread, not sendfile)
        async for data in read_file_chunks(file, offset, count):
            self.write(data)
            await self.drain()

    def pause_reading(self) -> None:
        if not self._read_paused and not self.transport.is_closing():
            self._read_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self._read_paused and len(self.pipeline) < self.limits.max_pipeline and self._upgrade_data is None:
            self._read_paused = False
            self.transport.resume_reading()

    def cycle_finished(self, cycle: Cycle) -> None:
        # observability hook: access log line, metrics, request listeners
        self.state.observer.finished(cycle, self.loop.time() - cycle.started_at)
        if cycle.upgrade_to is not None:
            self._hand_off(cycle)
            return
        if self.transport.is_closing():
            return
        body = cycle.body
        if body is not EMPTY_BODY and not body.complete:
            if cycle.head.expect_continue and not cycle.continue_sent or self._pending_error:
                cycle.keep_alive = False
        if not cycle.keep_alive or self._upgrade_data is not None or self.closing and not self.pipeline:
            self.transport.close()
            return
        self.cycle = None
        if self.pipeline:
            self.cycle = self.pipeline.popleft()
            self.resume_reading()
            self.state.dispatch(self.cycle)
        elif self._pending_error is not None:
            self._send_error(self._pending_error)
        else:
            self.idle_deadline = self.state.now + self.limits.keepalive_timeout
            if self.reading is not None and not self.reading.finished:
                self.idle_deadline = 0.0

    # -- errors and timeouts ---------------------------------------------------
    def _protocol_error(self, exc: HTTPError) -> None:
        """The client broke framing or a limit: no more parsing on this connection."""
        self.pause_reading()
        reading = self.reading
        if reading is not None:
            reading.body.fail(exc)
        target = reading if reading is not None and reading is self.cycle else None
        if target is not None and not target.started:
            target.keep_alive = False
            self._pending_error = exc
            self._answer_error(target, exc)
        elif self.cycle is None:
            self._send_error(exc)
        else:
            self._pending_error = exc

    def _answer_error(self, cycle: Cycle, exc: HTTPError) -> None:
        cycle.respond(exc.status, _error_headers(), exc.detail.encode("utf-8", "replace"))

    def _send_error(self, exc: HTTPError) -> None:
        """Answer a refused request no cycle can answer (none is in progress), and close."""
        # observability hook: an X-Request-ID on this answer too
        self.write(error_response(exc.status, exc.detail, self.state.date_header + self.state.observer.header(None)))
        self.transport.close()

    def _preface_received(self, exc: HTTP2Preface, data: bytes) -> None:
        """The client opened with the HTTP/2 connection preface (prior knowledge,
        RFC 9113 3.3): the one place that decides what becomes of it.

        ``data`` is the read in which the parser stopped: the end of the preface
        (all of it when the client sent the preface in one segment, as clients
        do) and whatever HTTP/2 frames followed.  HTTP/2 takes the connection
        over (skitai/http2/switch.py).
        """
        h2_switch.take_preface(self, data)

    def check_timeouts(self, now: float) -> None:
        """Called about once a second by the server."""
        if self.transport is None or self.transport.is_closing():
            return
        if self._write_paused_at and now - self._write_paused_at > self.limits.send_timeout:
            self.transport.abort()
        elif self.head_deadline and now > self.head_deadline:
            self.head_deadline = 0.0
            self._timeout_error("request head not received in time")
        elif self.idle_deadline and now > self.idle_deadline and self.cycle is None:
            self.transport.close()
        elif self.reading is not None and not self._read_paused:
            elapsed = now - self.body_started
            received = self.reading.body.received
            if elapsed > self.limits.body_grace and received < self.limits.min_body_rate * elapsed:
                self._timeout_error("request body arriving too slowly")

    def _timeout_error(self, detail: str) -> None:
        exc = HTTPError(408, detail)
        if self.cycle is not None and self.cycle.started:
            if self.reading is not None:
                self.reading.body.fail(exc)
            self.transport.close()
        else:
            self._protocol_error(exc)

    def shutdown(self) -> None:
        """Graceful stop: busy connections close after their answer, idle ones after
        a short last call.

        NOTE: closing an idle keep-alive connection at once loses the request its
        client is sending at that moment (RFC 9112 9.3.1 lets clients retry, but
        many do not).  For ``LAST_CALL`` seconds a request that arrives is still
        answered, with ``Connection: close``; a client idle that long is not about
        to send.  A half-received head is never idle.
        """
        self.closing = True
        if self.transport is None or self.cycle is not None or self.head_deadline:
            return
        last_call = self.state.now + LAST_CALL
        if not self.idle_deadline or self.idle_deadline > last_call:
            self.idle_deadline = last_call

    def take_upgrade_data(self) -> bytes:
        """The bytes that followed an Upgrade request's head (they belong to the new protocol)."""
        leftover = self._upgrade_data or b""
        self._upgrade_data = None
        return leftover

    def abort(self) -> None:
        """Drop the connection now (the server's drain is over)."""
        if self.transport is not None:
            self.transport.abort()

    def _hand_off(self, cycle: Cycle) -> None:
        """Give the transport to the protocol the mount's upgrade factory builds
        (see :class:`skitai.contract.UpgradeFactory`); this connection leaves the
        server's count, and the new protocol may rejoin it through the state."""
        leftover = self._upgrade_data or b""
        self._upgrade_data = None
        factory = cycle.upgrade_to
        assert factory is not None
        self.state.connection_closed(self)
        protocol = factory(self.transport, leftover)
        if isinstance(protocol, UpgradeTarget):
            protocol.connection_handed_off(cycle.request, self.state)
        self.transport.set_protocol(protocol)
        self.transport.resume_reading()


def _error_headers() -> list[tuple[str, str]]:
    return [("content-type", "text/plain; charset=utf-8")]


def _address(value: Any) -> tuple[str, int] | None:
    if isinstance(value, tuple) and len(value) >= 2:
        return (str(value[0]), int(value[1]))
    return None


async def read_file_chunks(file: Any, offset: int, count: int) -> AsyncIterator[bytes]:
    """Fallback for loops without ``sendfile`` (uvloop): pread in slices."""
    fd = file.fileno()
    while count > 0:
        data = os.pread(fd, min(count, _SENDFILE_CHUNK), offset)
        if not data:
            raise OSError("file shrank while it was being sent")
        offset += len(data)
        count -= len(data)
        yield data
        await asyncio.sleep(0)
