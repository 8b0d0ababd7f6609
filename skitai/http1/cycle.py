"""One request/response exchange on an HTTP/1.1 connection: the Responder.

The cycle frames what a mount answers (Content-Length or chunked, HEAD without
body, ``Connection`` semantics of RFC 9112 9.3) and hands bytes to its
connection.  It never touches the socket itself.
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any, Callable

from ..contract import HeaderList, Request
from ..errors import ClientGone
from .codec import RequestHead, frame_headers, status_line

if TYPE_CHECKING:
    from .protocol import H1Protocol

__all__ = ["Cycle"]

_NO_BODY_STATUS = frozenset({204, 304}) | frozenset(range(100, 200))
_SENDFILE_CHUNK = 256 * 1024
#: bodies up to this size are joined to their head (one small copy beats writev)
_JOIN_LIMIT = 16 * 1024


class Cycle:
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
    )

    def __init__(self, conn: "H1Protocol", request: Request, head: RequestHead, now: float) -> None:
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
        self.upgrade_to: Callable[[Any, bytes], Any] | None = None
        #: the mounts that may answer, in order (chosen by the protocol at head time)
        self.candidates: list[Any] = []

    # -- Responder -------------------------------------------------------------
    def respond(self, status: int, headers: HeaderList, body: bytes = b"") -> None:
        framed = self._frame(headers)
        if framed is None:
            return
        block, length, has_te = framed
        if has_te or (length is not None and length != len(body) and not self._head_only):
            self._refuse(ValueError("app set framing headers that do not match its body"))
            return
        self.started = True
        self.status = status
        if status in _NO_BODY_STATUS:
            body = b""
        elif length is None and (body or not self._head_only):
            # NOTE: an empty answer to HEAD says nothing about the GET body's size
            # (Werkzeug answers HEAD of a stream with no body), and RFC 9110 8.6
            # forbids a Content-Length that differs from the GET one: omit it.
            block += f"content-length: {len(body)}\r\n"
        head = self._head_bytes(status, block)
        if not body or self._head_only:
            self.conn.write(head)
        elif len(body) <= _JOIN_LIMIT:
            self.conn.write(head + body)
            self.sent = len(body)
        else:
            # PERF: a large body (a cached static file) goes out by writev, uncopied.
            self.conn.writelines((head, body))
            self.sent = len(body)
        self._finish()

    def start(self, status: int, headers: HeaderList) -> None:
        framed = self._frame(headers)
        if framed is None:
            return
        block, length, has_te = framed
        if has_te:
            self._refuse(ValueError("apps must not set Transfer-Encoding; the engine frames bodies"))
            return
        self.started = True
        self.status = status
        if status == 101:
            self.keep_alive = True
        elif status in _NO_BODY_STATUS:
            self._remaining = 0
        elif length is not None:
            self._remaining = length
        elif self.request.version == "1.1":
            self._chunked = True
            if not self._head_only:
                block += "transfer-encoding: chunked\r\n"
        else:
            self.keep_alive = False  # HTTP/1.0: the close delimits the body
        self.conn.write(self._head_bytes(status, block))

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
            self.conn.write(b"%x\r\n%b\r\n" % (size, data))
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
            self.conn.write(b"%x\r\n" % count)
        if self._remaining is not None:
            self._remaining -= count
        await self.conn.sendfile(file, offset, count)
        self.sent += count
        if self._chunked:
            self.conn.write(b"\r\n")

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
            self.conn.write(b"0\r\n\r\n")
        self._finish()

    def upgrade(self, protocol_factory: Callable[[Any, bytes], Any]) -> None:
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
            block, length, has_te, close = frame_headers(headers)
        except ValueError as exc:
            self._refuse(exc)
            return None
        if close:
            self.keep_alive = False
        return block, length, has_te

    def _head_bytes(self, status: int, block: str) -> bytes:
        conn = self.conn
        if conn.closing:
            self.keep_alive = False
        if status == 101:
            connection = "connection: upgrade\r\n"
        elif not self.keep_alive:
            connection = "connection: close\r\n"
        elif self.request.version == "1.0":
            connection = "connection: keep-alive\r\n"
        else:
            connection = ""
        return b"".join(
            (
                status_line("1.1", status),
                conn.server.date_header,
                conn.server.observer.header(self.request),  # observability hook: X-Request-ID
                (block + connection).encode("latin-1"),
                b"\r\n",
            )
        )

    def _refuse(self, exc: Exception) -> None:
        """The app produced a head we will not write: log it and answer 500."""
        self.conn.server.logs.error(f"refused response head for {self.request.method} {self.request.path}: {exc}")
        self.respond(500, [("content-type", "text/plain; charset=utf-8")], b"Internal Server Error")

    def _finish(self) -> None:
        if not self.finished:
            self.finished = True
            self.conn.cycle_finished(self)

    def continue_(self) -> None:
        """Send ``100 Continue`` the first time the app reads an expecting body."""
        if not self.continue_sent and not self.started:
            self.continue_sent = True
            self.conn.write(b"HTTP/1.1 100 Continue\r\n\r\n")


async def read_file_chunks(file: Any, offset: int, count: int) -> Any:
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
