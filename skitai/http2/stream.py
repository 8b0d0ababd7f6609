"""One HTTP/2 stream: the Responder a mount answers through.

It honours the same contract as the HTTP/1.1 cycle (:class:`skitai.contract.
Responder`), so a mount never knows which protocol carried its request.  What
differs is underneath: the head becomes a HEADERS frame, the body DATA frames
sent only as far as the client's flow-control windows allow.  ``respond`` keeps
the unsent rest of a body it was given (the app's own bytes, nothing copied)
and sends it as WINDOW_UPDATEs arrive; ``write`` and ``sendfile`` wait until
their data is out, so a slow reader slows the app instead of growing a buffer.

Two extras over HTTP/1.1: ``end(trailers)`` sends trailer fields (gRPC), and
``Link: <uri>; rel=preload`` fields make the protocol push ``uri`` (see
:mod:`.push`).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable, cast

from ..body import EMPTY_BODY, StreamBody
from ..contract import HeaderList, Request
from ..errors import ClientGone, HTTPError
from .tunnel import H2Tunnel

if TYPE_CHECKING:
    from .protocol import H2Protocol

__all__ = ["H2Stream", "encode_headers"]

_NO_BODY_STATUS = frozenset({204, 304}) | frozenset(range(100, 200))
#: fields HTTP/2 forbids in a response (RFC 9113 8.2.2); the engine drops them
_CONNECTION_FIELDS = frozenset({"connection", "keep-alive", "proxy-connection", "upgrade"})
#: handshake fields of HTTP/1.1 that RFC 8441 answers do not carry
_TUNNEL_DROPPED = frozenset({"upgrade", "connection", "sec-websocket-accept"})
_STATUS = {code: str(code).encode("ascii") for code in range(100, 600)}


def encode_headers(headers: HeaderList) -> tuple[list[tuple[bytes, bytes]], int | None, bool]:
    """App fields as HTTP/2 wants them: lower-case names, no connection fields.

    Returns (fields, content_length or None, has_transfer_encoding).  Raises
    ValueError when a name or value contains CR, LF or NUL (it could split the
    answer when a proxy turns it back into HTTP/1.1) or Content-Length is not a
    number.
    """
    out: list[tuple[bytes, bytes]] = []
    length: int | None = None
    has_te = False
    texts: list[str] = []
    for name, value in headers:
        if type(value) is not str:
            value = str(value)
        lowered = name.lower()
        if lowered in _CONNECTION_FIELDS:
            continue
        if lowered == "transfer-encoding":
            has_te = True
            continue
        if lowered == "content-length":
            length = int(value)
        texts.append(lowered)
        texts.append(value)
        out.append((lowered.encode("latin-1"), value.encode("latin-1")))
    joined = "".join(texts)
    if "\r" in joined or "\n" in joined or "\x00" in joined:
        raise ValueError("CR, LF or NUL in a response header")
    return out, length, has_te


class H2Stream:
    __slots__ = (
        "protocol",
        "stream_id",
        "request",
        "candidates",
        "started",
        "finished",
        "closed",
        "keep_alive",
        "status",
        "sent",
        "started_at",
        "pushed",
        "remote_ended",
        "done",
        "body_started",
        "blocked_since",
        "_head_only",
        "_remaining",
        "_pending",
        "_end_after",
        "_trailers",
        "_waiter",
        "paused",
        "_unacked",
        "_body_limit",
        "_body",
        "extended",
        "_tunnel",
    )

    def __init__(
        self, protocol: "H2Protocol", stream_id: int, request: Request, now: float, pushed: bool = False
    ) -> None:
        self.protocol = protocol
        self.stream_id = stream_id
        self.request = request
        self.candidates: list[Any] = []
        self.started = False
        self.finished = False
        self.closed = False
        self.keep_alive = True  # read by the server's error path; HTTP/2 has no Connection semantics
        self.status = 0
        self.sent = 0
        self.started_at = now
        self.pushed = pushed
        self.remote_ended = request.body is EMPTY_BODY
        #: the protocol is through with the stream (all sent, or reset)
        self.done = False
        self.body_started = 0.0
        self.blocked_since = 0.0
        self._head_only = request.method == "HEAD"
        self._remaining: int | None = None
        self._pending: memoryview | None = None
        self._end_after = False
        self._trailers: list[tuple[bytes, bytes]] | None = None
        self._waiter: asyncio.Future[None] | None = None
        self.paused = False
        self._unacked = 0
        self._body_limit = 0
        self._body: StreamBody | None = None
        #: opened by an extended CONNECT (RFC 8441): 101 means 200 and a tunnel
        self.extended = False
        self._tunnel: H2Tunnel | None = None

    # -- Responder -------------------------------------------------------------
    def respond(self, status: int, headers: HeaderList, body: bytes = b"") -> None:
        fields = self._head(status, headers)
        if fields is None:
            return
        block, length, has_te = fields
        if has_te or (length is not None and length != len(body) and not self._head_only):
            self._refuse(ValueError("app set framing headers that do not match its body"))
            return
        if status in _NO_BODY_STATUS:
            body = b""
        elif length is None and (body or not self._head_only):
            block.append((b"content-length", str(len(body)).encode("ascii")))
        self._begin(status, headers)
        self.finished = True
        if not body or self._head_only or self.closed:
            self.protocol.send_headers(self, block, True)
            self.complete()
            return
        self.protocol.send_headers(self, block, False)
        self.sent = len(body)
        self._pending = memoryview(body)
        self._end_after = True
        self.protocol.pump(self)

    def start(self, status: int, headers: HeaderList) -> None:
        if status == 101 and self.extended:
            self._start_tunnel(headers)
            return
        fields = self._head(status, headers)
        if fields is None:
            return
        block, length, has_te = fields
        if has_te:
            self._refuse(ValueError("apps must not set Transfer-Encoding; the engine frames bodies"))
            return
        if status == 101:
            self._refuse(ValueError("101 Switching Protocols does not exist in HTTP/2"))
            return
        if status in _NO_BODY_STATUS:
            self._remaining = 0
        elif length is not None and not self._head_only:
            self._remaining = length
        self._begin(status, headers)
        self.protocol.send_headers(self, block, False)

    async def write(self, data: bytes) -> None:
        if not self.started:
            raise RuntimeError("write before start")
        if self.closed:
            raise ClientGone("stream closed by the client")
        if not data or self._head_only:
            return
        size = len(data)
        if self._remaining is not None:
            if size > self._remaining:
                raise RuntimeError("response body longer than its Content-Length")
            self._remaining -= size
        self.sent += size
        self._pending = memoryview(data)
        self.protocol.pump(self)
        while self._pending is not None:
            await self._wait()
        await self.protocol.drain()

    async def sendfile(self, file: Any, offset: int, count: int) -> None:
        # NOTE: HTTP/2 frames every byte, so there is no zero-copy path: the
        # file goes through user space in slices, each waiting for its window.
        if not self.started:
            raise RuntimeError("sendfile before start")
        if self.closed:
            raise ClientGone("stream closed by the client")
        if count <= 0 or self._head_only:
            return
        from ..http1.protocol import read_file_chunks  # NOTE: http1.protocol imports this package

        async for data in read_file_chunks(file, offset, count):
            await self.write(data)

    def end(self, trailers: HeaderList | None = None) -> None:
        """Finish a streamed response; ``trailers`` (HTTP/2 only) go last."""
        if not self.started:
            raise RuntimeError("end before start")
        if self.finished or self._end_after:
            return
        if self._remaining:
            # a body shorter than its Content-Length: the client must not take it as whole
            self.abort()
            return
        if trailers:
            try:
                self._trailers = encode_headers(trailers)[0]
            except ValueError as exc:
                self.protocol.state.logs.error(f"refused trailers for {self.request.path}: {exc}")
        self._end_after = True
        self.finished = True
        if self._pending is None:
            self.protocol.pump(self)

    def push(self, path: str, headers: HeaderList) -> bool:
        """Server push (HTTP/2 only; ASGI's ``http.response.push``): promise
        ``GET path`` with the request fields ``headers`` and answer it on its own
        stream.  False when the client refuses pushes or the answer is complete."""
        if self.done or self.closed:
            return False
        fields = [(str(name), str(value)) for name, value in headers]
        if any("\r" in n or "\n" in n or "\x00" in n or "\r" in v or "\n" in v or "\x00" in v for n, v in fields):
            raise ValueError("CR, LF or NUL in a pushed request header")
        return self.protocol.push_path(self, path, fields)

    def upgrade(self, protocol_factory: Callable[[Any, bytes], Any]) -> None:
        """After ``start(101, ...)`` on an extended CONNECT stream: the stream
        carries the protocol ``protocol_factory`` builds (a WebSocket)."""
        if self._tunnel is None or self._tunnel.receiver is not None:
            raise RuntimeError(
                "HTTP/2 streams cannot be upgraded (Upgrade is an HTTP/1.1 mechanism; "
                "WebSocket over HTTP/2 is an extended CONNECT answered with start(101))"
            )
        tunnel = self._tunnel
        self.finished = True  # answered, as far as the dispatcher is concerned
        tunnel.receiver = protocol_factory(tunnel, b"")
        if self.closed or self.done:
            tunnel.lost()

    def end_tunnel(self) -> None:
        """The carried protocol is over: END_STREAM after what is pending."""
        if not self._end_after and not self.closed:
            self._end_after = True
            if self._pending is None:
                self.protocol.pump(self)

    def _start_tunnel(self, headers: HeaderList) -> None:
        """RFC 8441 5: the handshake's answer is a 200 whose stream stays open."""
        fields = self._head(200, [(name, value) for name, value in headers if name.lower() not in _TUNNEL_DROPPED])
        if fields is None:
            return
        self.started = True
        self.status = 200
        self._tunnel = H2Tunnel(self)
        self.protocol.send_headers(self, fields[0], False)

    # -- used by the protocol --------------------------------------------------
    def pump_done(self) -> None:
        """The protocol sent everything pending (and ended the stream if asked)."""
        self._pending = None
        self.blocked_since = 0.0
        self._wake(None)
        if self._tunnel is not None:
            self._tunnel.drained()

    def blocked(self, now: float, progressed: bool) -> None:
        """Waiting to send: ``blocked_since`` is when it last made progress,
        so ``send_timeout`` cuts a stalled stream, not a long download."""
        if progressed or not self.blocked_since:
            self.blocked_since = now or 1.0

    def take_pending(self) -> tuple[memoryview | None, bool, list[tuple[bytes, bytes]] | None]:
        return self._pending, self._end_after, self._trailers

    def set_pending(self, rest: memoryview | None) -> None:
        self._pending = rest

    def complete(self) -> None:
        """The last frame is queued (or the stream is gone): the protocol lets go."""
        if not self.done:
            self.done = True
            self.protocol.stream_done(self)
            if self._tunnel is not None:
                self._tunnel.lost()

    def gone(self, exc: BaseException) -> None:
        """The client reset the stream or the connection went away."""
        if self.closed:
            return
        self.closed = True
        self._pending = None
        if self._body is not None:
            self._body.fail(exc)
        self._wake(exc)
        self.complete()

    def abort(self) -> None:
        """End the stream with RST_STREAM(CANCEL): the answer cannot be completed."""
        if self.closed or self.done:
            return
        self.finished = True
        self.protocol.reset(self)
        self.gone(ClientGone("stream reset by the server"))

    # -- request body (FlowControl for StreamBody) -------------------------------
    def attach_body(self, length: int | None, limit: int, now: float) -> StreamBody:
        self._body_limit = limit
        self.body_started = now
        self._body = StreamBody(self.protocol.loop, length, cast(Any, self))
        return self._body

    @property
    def received(self) -> int:
        """Request body bytes received so far."""
        return 0 if self._body is None else self._body.received

    def feed(self, data: bytes, flow_length: int) -> None:
        tunnel = self._tunnel
        if tunnel is not None and tunnel.receiver is not None and not self.closed:
            if self.paused:
                self._unacked += flow_length
            else:
                self.protocol.codec.acknowledge(self.stream_id, flow_length)
            if data:
                tunnel.receiver.data_received(data)
            return
        body = self._body
        if self.closed or body is None:
            self.protocol.codec.acknowledge(self.stream_id, flow_length)
            return
        if body.received + len(data) > self._body_limit:
            self.protocol.codec.acknowledge(self.stream_id, flow_length)
            self.fail_body(
                HTTPError(
                    413,
                    f"request body larger than {self._body_limit} bytes "
                    "(limit max_body_size or the mount's max_client_body_size)",
                )
            )
            return
        body.feed(data)
        if self.paused:
            self._unacked += flow_length
        else:
            self.protocol.codec.acknowledge(self.stream_id, flow_length)

    def body_end(self) -> None:
        self.remote_ended = True
        tunnel = self._tunnel
        if tunnel is not None and tunnel.receiver is not None:
            tunnel.receiver.eof_received()
        if self._body is not None:
            self._body.feed_eof()

    def fail_body(self, exc: HTTPError) -> None:
        """The body broke a limit: answer it if nothing was sent yet, stop the upload."""
        if self._body is not None:
            self._body.fail(exc)
        if not self.started and not self.closed:
            self.respond(
                exc.status, [("content-type", "text/plain; charset=utf-8")], exc.detail.encode("utf-8", "replace")
            )
        elif not self.finished:
            self.abort()

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        if self.paused:
            self.paused = False
            unacked, self._unacked = self._unacked, 0
            self.protocol.codec.acknowledge(self.stream_id, unacked)
            self.protocol.schedule_flush()

    # -- helpers ---------------------------------------------------------------
    def _head(self, status: int, headers: HeaderList) -> tuple[list[tuple[bytes, bytes]], int | None, bool] | None:
        if self.started:
            raise RuntimeError("response already started")
        try:
            fields, length, has_te = encode_headers(headers)
        except ValueError as exc:
            self._refuse(exc)
            return None
        block = [(b":status", _STATUS.get(status) or str(status).encode("ascii"))]
        block.extend(self.protocol.date_fields())
        block.extend(self.protocol.state.observer.fields(self.request))  # observability hook: X-Request-ID
        block.extend(fields)
        return block, length, has_te

    def _begin(self, status: int, headers: HeaderList) -> None:
        self.started = True
        self.status = status
        if status < 300 and not self.pushed:
            self.protocol.push_for(self, headers)

    def _refuse(self, exc: Exception) -> None:
        self.protocol.state.logs.error(f"refused response head for {self.request.method} {self.request.path}: {exc}")
        self.respond(500, [("content-type", "text/plain; charset=utf-8")], b"Internal Server Error")

    async def _wait(self) -> None:
        if self.closed:
            raise ClientGone("stream closed by the client")
        self._waiter = self.protocol.loop.create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _wake(self, exc: BaseException | None) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            if exc is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(exc)

    def __repr__(self) -> str:
        return f"<H2Stream {self.stream_id} {self.request.method} {self.request.path!r}>"
