"""Messages waiting for an application that pulls them (``await receive()``).

Used where the app asks for messages instead of being called with them: Atila's
``WS_STREAM``/``WS_COROUTINE`` handlers and ASGI websocket apps.  Past
``max_queue`` waiting messages the session stops reading (back-pressure) and
resumes once the app has caught up.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING

from .messages import Message

if TYPE_CHECKING:
    from .session import WebSocketSession

__all__ = ["Inbox"]


class Inbox:
    __slots__ = ("loop", "max_queue", "session", "closed", "_queue", "_waiter")

    def __init__(self, loop: asyncio.AbstractEventLoop, max_queue: int) -> None:
        self.loop = loop
        self.max_queue = max(1, max_queue)
        #: set once the socket is open; its reading is held while the queue is full
        self.session: WebSocketSession | None = None
        self.closed = False
        self._queue: deque[Message] = deque()
        self._waiter: asyncio.Future[Message | None] | None = None

    def put(self, message: Message) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(message)
                return
        self._queue.append(message)
        if len(self._queue) >= self.max_queue and self.session is not None:
            self.session.hold_reading()

    def close(self) -> None:
        """No more messages: a waiting or later ``get`` returns None."""
        self.closed = True
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def get(self) -> "asyncio.Future[Message | None]":
        """The next message, or None once closed and empty."""
        future: asyncio.Future[Message | None] = self.loop.create_future()
        queue = self._queue
        if queue:
            future.set_result(queue.popleft())
            if len(queue) == self.max_queue // 2 and self.session is not None:
                self.session.release_reading()
        elif self.closed:
            future.set_result(None)
        else:
            self._waiter = future
        return future
