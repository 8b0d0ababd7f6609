"""One request/response exchange on an HTTP/1.1 connection: the Responder.

The HTTP/1.1 rules of an answer (Content-Length or chunked, HEAD and 204/304
without body, the ``Connection`` field of RFC 9112 9.3, ``100 Continue``) are
the sans-I/O framing module's (:func:`~skitai.http1.framing.whole_head`,
:func:`~skitai.http1.framing.stream_head`); the cycle keeps the state of one
exchange (started, finished, how much of the body is still owed) and hands
bytes to its connection.  It never touches the socket itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..contract import BodyFeed, HeaderList, Request, UpgradeFactory
from ..errors import ClientGone
from ..mounts.table import Candidates
from .codec import RequestHead
from .framing import (
    CHUNK_END,
    CHUNKED,
    CONTENT_LENGTH,
    CONTINUE,
    LAST_CHUNK,
    NO_BODY,
    chunk_head,
    frame_chunk,
    frame_headers_cached,
    stream_head,
    whole_head,
)

if TYPE_CHECKING:
    from .protocol import H1Protocol

__all__ = ["Cycle"]

#: bodies up to this size are joined to their head (one small copy beats writev)
_JOIN_LIMIT = 16 * 1024


class Cycle:
    """The :class:`~skitai.contract.Responder` of one request, and what the
    connection and the dispatcher need to know about that exchange."""

    __slots__ = (
        "conn",
        "request",
        "head",
        "started",
        "finished",
        "closed",
        "keep_alive",
        "status",
        "sent",
        "started_at",
        "_chunked",
        "_remaining",
        "_head_only",
        "continue_sent",
        "upgrade_to",
        "candidates",
        "body",
    )

    def __init__(
        self,
        conn: H1Protocol,
        request: Request,
        head: RequestHead,
        now: float,
        candidates: Candidates,
        body: BodyFeed,
    ) -> None:
        self.conn = conn
        self.request = request
        self.head = head
        self.started = False
        self.finished = False
        self.closed = False
        self.keep_alive = head.keep_alive
        self.status = 0
        self.sent = 0
        self.started_at = now
        self._chunked = False
        self._remaining: int | None = None
        self._head_only = head.method == "HEAD"
        self.continue_sent = False
        self.upgrade_to: UpgradeFactory | None = None
        #: the mounts that may answer, in order (matched by the protocol at head time)
        self.candidates = candidates
        #: the request body, seen from the protocol's side (it feeds it)
        self.body = body

    # -- Responder -------------------------------------------------------------
    def respond(self, status: int, headers: HeaderList, body: bytes = b"") -> None:
        framed = self._frame(headers)
        if framed is None:
            return
        block, length, has_te = framed
        conn = self.conn
        if conn.closing:
            self.keep_alive = False
        try:
            head, send = whole_head(
                status,
                block,
                length,
                has_te,
                len(body),
                head_only=self._head_only,
                version=self.request.version,
                keep_alive=self.keep_alive,
                # observability hook: the X-Request-ID line joins the Date/Server preamble
                preamble=conn.state.date_header + conn.state.observer.header(self.request),
            )
        except ValueError as exc:
            self._refuse(exc)
            return
        self.started = True
        self.status = status
        if not send:
            conn.write(head)
        elif len(body) <= _JOIN_LIMIT:
            conn.write(head + body)
            self.sent = len(body)
        else:
            # PERF: a large body (a cached static file) goes out by writev, uncopied.
            conn.writelines((head, body))
            self.sent = len(body)
        self._finish()

    def start(self, status: int, headers: HeaderList) -> None:
        framed = self._frame(headers)
        if framed is None:
            return
        block, length, has_te = framed
        conn = self.conn
        try:
            head, framing, self.keep_alive = stream_head(
                status,
                block,
                length,
                has_te,
                head_only=self._head_only,
                version=self.request.version,
                keep_alive=self.keep_alive,
                closing=conn.closing,
                preamble=conn.state.date_header + conn.state.observer.header(self.request),  # observability hook
            )
        except ValueError as exc:
            self._refuse(exc)
            return
        self.started = True
        self.status = status
        if framing is NO_BODY:
            self._remaining = 0
        elif framing is CONTENT_LENGTH:
            self._remaining = length
        elif framing is CHUNKED:
            self._chunked = True
        conn.write(head)

    async def write(self, data: bytes) -> None:
        if not self.started:
            raise RuntimeError("write before start")
        if self.closed:
            raise ClientGone("client disconnected")
        if not data or self._head_only:
            return
        size = len(data)
        if self._remaining is not None:
            if size > self._remaining:
                raise RuntimeError("response body longer than its Content-Length")
            self._remaining -= size
        self.sent += size
        if self._chunked:
            self.conn.write(frame_chunk(data))
        else:
            self.conn.write(data)
        await self.conn.drain()

    async def sendfile(self, file: Any, offset: int, count: int) -> None:
        if not self.started:
            raise RuntimeError("sendfile before start")
        if self.closed:
            raise ClientGone("client disconnected")
        if count <= 0 or self._head_only:
            return
        if self._chunked:
            self.conn.write(chunk_head(count))
        if self._remaining is not None:
            self._remaining -= count
        await self.conn.sendfile(file, offset, count)
        self.sent += count
        if self._chunked:
            self.conn.write(CHUNK_END)

    def end(self) -> None:
        if not self.started:
            raise RuntimeError("end before start")
        if self.finished:
            return
        if self._remaining:
            # NOTE: a body shorter than its Content-Length leaves the client
            # waiting for bytes that never come: the only safe end is a close.
            self.keep_alive = False
        if self._chunked and not self._head_only and not self.closed:
            self.conn.write(LAST_CHUNK)
        self._finish()

    def upgrade(self, protocol_factory: UpgradeFactory) -> None:
        if self.status != 101:
            raise RuntimeError("upgrade() needs start(101, ...) first")
        self.upgrade_to = protocol_factory
        self._finish()

    # -- helpers ---------------------------------------------------------------
    def _frame(self, headers: HeaderList) -> tuple[str, int | None, bool] | None:
        """The app's header block, or None when it was refused (a 500 went out)."""
        if self.started:
            raise RuntimeError("response already started")
        try:
            block, length, has_te, close = frame_headers_cached(headers)
        except ValueError as exc:
            self._refuse(exc)
            return None
        if close:
            self.keep_alive = False
        return block, length, has_te

    def _refuse(self, exc: Exception) -> None:
        """The app produced a head we will not write: log it and answer 500."""
        self.conn.state.logs.error(f"refused response head for {self.request.method} {self.request.path}: {exc}")
        self.respond(500, [("content-type", "text/plain; charset=utf-8")], b"Internal Server Error")

    def _finish(self) -> None:
        if not self.finished:
            self.finished = True
            self.conn.cycle_finished(self)

    def abort(self) -> None:
        """Drop the connection: a started answer cannot be finished or corrected."""
        self.conn.transport.close()

    def continue_(self) -> None:
        """Send ``100 Continue`` the first time the app reads an expecting body."""
        if not self.continue_sent and not self.started:
            self.continue_sent = True
            self.conn.write(CONTINUE)
