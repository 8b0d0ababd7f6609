"""``context.websocket``: one connection as the app sees it.

It is the session's handler (messages in, close out) and the app's handle on
the connection: ``client_id``, :meth:`send` (from the loop or any thread),
``await receive()`` (``WS_STREAM``), :meth:`close` and :meth:`pipe` (a
subprocess wired to the socket).  Sends made before the 101 went out (in
``onopen``) wait and go first.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from typing import TYPE_CHECKING, Any, Callable, Generator

import orjson

from skitai.websocket.inbox import Inbox
from skitai.websocket.messages import Message
from skitai.websocket.specs import WebSocketSpec

if TYPE_CHECKING:
    from skitai.websocket.session import WebSocketSession

    from .piped import PipedProcess
    from .route import WebSocketRoute

__all__ = ["WebSocket", "Sent", "as_message"]

log = logging.getLogger("atila.websocket")


class Sent:
    """What :meth:`WebSocket.send` returns: true when the message was queued,
    and awaitable for back-pressure (``await ws.send(x)`` waits while the
    client is slow to read).

    PERF: the two answers that need no waiting are shared constants.
    """

    __slots__ = ("ok", "session")

    def __init__(self, ok: bool, session: "WebSocketSession | None" = None) -> None:
        self.ok = ok
        self.session = session

    def __bool__(self) -> bool:
        return self.ok

    def __await__(self) -> Generator[Any, None, bool]:
        session = self.session
        if session is not None:
            yield from session.drain().__await__()
        return self.ok

    def __repr__(self) -> str:
        return f"<Sent {self.ok}>"


SENT = Sent(True)
NOT_SENT = Sent(False)


def as_message(value: Any) -> Message:
    """A handler's value as a WebSocket message: text for str, binary for
    bytes, JSON text for dicts and lists, ``str()`` for anything else."""
    if type(value) is str or type(value) is bytes:
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, (dict, list, tuple)):
        return orjson.dumps(value).decode()
    return str(value)


class WebSocket:
    def __init__(
        self, route: "WebSocketRoute", context: Any, options: dict[str, Any], subprotocol: str | None = None
    ) -> None:
        app = route.app
        self.route = route
        self.app = app
        self.context = context
        #: the values bound from the URL at the handshake (path and query)
        self.options = options
        self.subprotocol = subprotocol
        self.backend = app.websocket_backend
        self.client_id: str = self.backend.ids.next()
        request = context._req
        #: the room of ``WS_GROUPCHAT``: the URL path
        self.room: str = request.path if request is not None else ""
        self._room = self.room if route.model is WebSocketSpec.GROUPCHAT else None
        self.session: WebSocketSession | None = None
        self.loop: asyncio.AbstractEventLoop = app.loop or asyncio.get_running_loop()
        self.close_code: int | None = None
        self.close_reason = ""
        self.process: PipedProcess | None = None
        self._loop_thread = threading.get_ident()
        self._pending: list[Message] | None = []
        self.inbox = Inbox(self.loop, route.limits().ws_max_queue)
        self.runner = route.runner(self)

    def __repr__(self) -> str:
        return f"<WebSocket {self.client_id} {self.room!r}>"

    # -- the session's handler -------------------------------------------------------
    def on_open(self, session: "WebSocketSession") -> None:
        self.session = self.inbox.session = session
        pending, self._pending = self._pending, None
        for message in pending or ():
            session.send(message)
        self.backend.add(self, self._room)
        self.runner.open()

    def on_message(self, message: Message) -> None:
        if self.process is not None:
            self.process.feed(message)
        else:
            self.runner.message(message)

    def on_close(self, code: int, reason: str) -> None:
        self.close_code, self.close_reason = code, reason
        self.backend.discard(self, self._room)
        self.inbox.close()
        if self.process is not None:
            self.process.kill()
        self.runner.closed()

    # -- for the app -------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self.close_code is not None

    def send(self, value: Any) -> Sent:
        """Send ``value`` (str: text, bytes: binary, dict/list: JSON text).

        From the loop it is queued at once; ``await`` the result to wait while
        the client is slow.  From another thread it is handed to the loop, and
        waits there while the client is slow.  False when the socket is gone.
        """
        message = as_message(value)
        session = self.session
        if threading.get_ident() != self._loop_thread:
            return self._send_from_thread(message)
        if session is None:
            if self._pending is None or self.closed:
                return NOT_SENT
            self._pending.append(message)
            return SENT
        if not session.send(message):
            return NOT_SENT
        return Sent(True, session) if session.write_paused else SENT

    def _send_from_thread(self, message: Message) -> Sent:
        session = self.session
        if session is None or session.write_paused:
            future = asyncio.run_coroutine_threadsafe(self._send_and_drain(message), self.loop)
            return SENT if future.result() else NOT_SENT
        return SENT if session.send_threadsafe(message) else NOT_SENT

    async def _send_and_drain(self, message: Message) -> bool:
        return bool(await self.send(message))

    def receive(self) -> "asyncio.Future[Message | None]":
        """The next message, or None once the socket is closed (``WS_STREAM``)."""
        return self.inbox.get()

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Start the closing handshake (from the loop or any thread)."""
        session = self.session
        if session is None:
            return
        if threading.get_ident() != self._loop_thread:
            self.loop.call_soon_threadsafe(session.close, code, reason)
        else:
            session.close(code, reason)

    def fail(self, code: int, reason: str) -> None:
        session = self.session
        if session is not None:
            session.fail(code, reason)

    def pipe(self, args: list[str] | str, **popen: Any) -> "PipedProcess":
        """Wire a subprocess to this socket: its stdout lines go to the client,
        the client's messages go to its stdin, and it is killed when the
        socket closes.  The socket closes (1000) when the process exits."""
        from .piped import PipedProcess

        process = PipedProcess(self, args, popen)
        self.process = process
        if threading.get_ident() != self._loop_thread:
            self.loop.call_soon_threadsafe(process.start)
        else:
            process.start()
        return process

    # -- running app code at the route's place -------------------------------------------
    async def call(self, func: Callable[..., Any], *args: Any) -> Any:
        """Run ``func(*args)`` where the route runs its handler: the thread pool
        (WS_THREAD), or the loop; an ``async def`` is awaited."""
        if inspect.iscoroutinefunction(func):
            return await func(*args)
        if self.route.threaded:
            return await self.app.run_in_thread(func, *args)
        result = func(*args)
        if inspect.isawaitable(result):
            return await result
        return result
