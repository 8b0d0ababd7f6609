"""Request bodies as the protocols hand them to mounts.

The protocol feeds decoded bytes in (after de-chunking and limit checks); mounts
read them out, either on the loop (``await body.read()``) or from a worker thread
(``body.read_sync()``).  Reading is back-pressured: past ``HIGH_WATER`` buffered
bytes the protocol is asked to pause reading from the socket, so a fast client
cannot make us buffer an upload the app consumes slowly.
"""

from __future__ import annotations

import asyncio
from typing import AsyncIterator, Callable, Final

from .contract import FlowControl
from .errors import ClientGone

__all__ = ["StreamBody", "EMPTY_BODY", "bytes_body", "FlowControl"]

HIGH_WATER = 256 * 1024
LOW_WATER = 64 * 1024


class StreamBody:
    """A body being received (a :class:`skitai.contract.BodyFeed`).  Single
    consumer; fed only from the loop thread."""

    __slots__ = (
        "length",
        "_loop",
        "_chunks",
        "_buffered",
        "_eof",
        "_error",
        "_waiter",
        "_flow",
        "_on_first_read",
        "received",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop | None,
        length: int | None,
        flow: FlowControl | None = None,
        on_first_read: Callable[[], None] | None = None,
    ) -> None:
        self.length = length
        self._loop = loop
        self._chunks: list[bytes] = []
        self._buffered = 0
        self._eof = False
        self._error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._flow = flow
        self._on_first_read = on_first_read
        self.received = 0

    # -- producer side (protocol, loop thread) -------------------------------
    def feed(self, data: bytes) -> None:
        self._chunks.append(data)
        self._buffered += len(data)
        self.received += len(data)
        if self._buffered > HIGH_WATER and self._flow is not None:
            self._flow.pause_reading()
        self._wake()

    def feed_eof(self) -> None:
        self._eof = True
        self._wake()

    def fail(self, exc: BaseException) -> None:
        if not self._eof:
            self._error = exc
            self._eof = True
            self._wake()

    @property
    def complete(self) -> bool:
        return self._eof and self._error is None

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- consumer side -------------------------------------------------------
    async def read(self, size: int = -1) -> bytes:
        if self._on_first_read is not None:
            callback, self._on_first_read = self._on_first_read, None
            callback()
        if size < 0:
            # NOTE: take chunks as they come so the protocol's read pause (high
            # water) is released; waiting for EOF first would deadlock.
            parts = []
            while True:
                if self._chunks:
                    parts.append(self._take(self._buffered))
                if self._eof:
                    break
                await self._wait()
            self._raise_error()
            return b"".join(parts)
        while not self._chunks and not self._eof:
            await self._wait()
        if not self._chunks:
            self._raise_error()
            return b""
        return self._take(size)

    async def _wait(self) -> None:
        loop = self._loop or asyncio.get_running_loop()
        self._waiter = loop.create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _take(self, size: int) -> bytes:
        chunks = self._chunks
        if len(chunks) == 1 and len(chunks[0]) <= size:
            data = chunks.pop()
        else:
            joined = b"".join(chunks)
            data, rest = joined[:size], joined[size:]
            chunks[:] = [rest] if rest else []
        self._buffered -= len(data)
        if self._flow is not None and self._buffered < LOW_WATER and not self._eof:
            self._flow.resume_reading()
        return data

    def read_sync(self, size: int = -1) -> bytes:
        """Blocking read for WSGI apps and ``def`` handlers in the thread pool."""
        if self._eof and self._on_first_read is None:
            # NOTE: nothing feeds a finished body, so the thread may take directly.
            self._raise_error()
            return self._take(self._buffered if size < 0 else min(size, self._buffered))
        loop = self._loop
        if loop is None:
            raise ClientGone("body has no event loop to read from")
        return asyncio.run_coroutine_threadsafe(self.read(size), loop).result()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            chunk = await self.read(65536)
            if not chunk:
                return
            yield chunk

    def __repr__(self) -> str:
        return f"<StreamBody length={self.length} received={self.received} eof={self._eof}>"


def bytes_body(data: bytes) -> StreamBody:
    """A complete body from bytes (in-memory clients, HTTP/2 small bodies)."""
    body = StreamBody(None, len(data))
    if data:
        body.feed(data)
    body.feed_eof()
    return body


class _EmptyBody:
    """Shared body of requests without one (PERF: no allocation per GET).

    Feeding it is a no-op, so the protocol may treat every body alike."""

    __slots__ = ()
    length: int | None = 0
    complete = True
    received = 0

    def feed(self, data: bytes) -> None:
        pass

    def feed_eof(self) -> None:
        pass

    def fail(self, exc: BaseException) -> None:
        pass

    async def read(self, size: int = -1) -> bytes:
        return b""

    def read_sync(self, size: int = -1) -> bytes:
        return b""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        return
        yield b""  # pragma: no cover - makes this an async generator

    def __repr__(self) -> str:
        return "<EMPTY_BODY>"


EMPTY_BODY: Final = _EmptyBody()
