"""Queue: a thread produces chunks, the loop streams them (documented
under "Threaded Data Streaming").

``context.Queue(produce)`` calls ``produce(queue)`` in its own thread; the
producer calls ``queue.put(chunk)`` and ``queue.put(None)`` at the end.  The
loop never waits on the thread: each ``put`` hands the chunk over with
``call_soon_threadsafe``.  ``put`` blocks the producer (not the loop) while
``maxsize`` chunks are waiting, so a slow client slows the producer down, and
raises ``BrokenPipeError`` once the client has gone, which ends the producer.

A producer that fails does not end the stream: the head is already out, so a
complete-looking answer would tell the client the body is whole.  ``send``
raises :class:`ProducerFailed` instead and the engine cuts the connection
without the last chunk, which the client sees as an incomplete read.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable

from .base import Response, RunInThread, encode_chunk

__all__ = ["Queue", "Channel", "ProducerFailed"]

_END = None


class ProducerFailed(RuntimeError):
    """The producer of a streamed answer raised; its exception is the cause."""


class _Failure:
    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


class Channel:
    """The producer's side is ``put``; the loop's side is ``get``."""

    def __init__(self, loop: asyncio.AbstractEventLoop, maxsize: int = 64) -> None:
        self._loop = loop
        self._items: asyncio.Queue[Any] = asyncio.Queue()
        self._room = threading.Semaphore(maxsize)
        self.closed = False

    def put(self, item: Any) -> None:
        """Hand one chunk (str or bytes; None ends the stream) to the loop."""
        while not self._room.acquire(timeout=0.5):
            if self.closed:
                break
        if self.closed:
            raise BrokenPipeError("the client of this stream has gone away")
        self._loop.call_soon_threadsafe(self._items.put_nowait, item)

    async def get(self) -> Any:
        item = await self._items.get()
        self._room.release()
        return item

    def close(self) -> None:
        self.closed = True
        self._room.release()

    def run(self, producer: Callable[["Channel"], Any]) -> None:
        try:
            producer(self)
        except BrokenPipeError:
            return
        except Exception as exc:
            end: Any = _Failure(exc)
        else:
            # NOTE: a producer that forgot put(None) still ends the stream.
            end = _END
        if not self.closed:
            self._loop.call_soon_threadsafe(self._items.put_nowait, end)


class Queue(Response):
    """A streamed answer fed by ``producer(queue)`` running in a thread."""

    __slots__ = ("producer", "maxsize")

    one_write = False

    def __init__(
        self,
        producer: Callable[[Channel], Any],
        content_type: str = "text/plain; charset=utf-8",
        headers: list[tuple[str, str]] | None = None,
        status: Any = None,
        maxsize: int = 64,
    ) -> None:
        if not callable(producer):
            raise TypeError(f"Queue needs a callable producer, got {producer!r}")
        super().__init__(status, b"", headers)
        self.set_default_header("Content-Type", content_type)
        self.producer = producer
        self.maxsize = maxsize

    async def send(self, responder: Any, run_in_thread: RunInThread) -> None:
        channel = Channel(asyncio.get_running_loop(), self.maxsize)
        thread = threading.Thread(target=channel.run, args=(self.producer,), name="atila-queue", daemon=True)
        thread.start()
        responder.start(self.status or 200, self.headers)
        try:
            while True:
                item = await channel.get()
                if item is _END or responder.closed:
                    break
                if isinstance(item, _Failure):
                    raise ProducerFailed(f"Queue producer {self.producer!r} failed: {item.error}") from item.error
                chunk = encode_chunk(item)
                if chunk:
                    await responder.write(chunk)
        finally:
            channel.close()
        responder.end()
