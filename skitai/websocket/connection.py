"""The asyncio side of a WebSocket that took over an HTTP/1.1 connection.

``accept_factory`` builds what ``responder.upgrade`` wants: a function of
``(transport, leftover_bytes)`` returning the protocol that owns the transport
from then on.  This adapter only moves bytes between the transport and the
:class:`~skitai.websocket.session.WebSocketSession` and keeps the clock.

When the engine is Skitai's server, the connection joins its connection set:
the once-a-second sweep calls :meth:`check_timeouts` and a graceful shutdown
calls :meth:`shutdown` (close 1001) and waits for the close to finish.  With
another engine (the in-process test driver, an ASGI host) it runs its own
one-second timer.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from .session import WebSocketSession

__all__ = ["WebSocketConnection", "accept_factory"]

_TICK = 1.0


class WebSocketConnection(asyncio.Protocol):
    def __init__(self, session: WebSocketSession, server: Any = None) -> None:
        self.session = session
        self.server = server if server is not None and hasattr(server, "connection_opened") else None
        self.transport: Any = None
        self._timer: asyncio.TimerHandle | None = None
        # PERF: the transport calls the session directly, no hop through this class
        self.data_received = session.receive_data  # type: ignore[method-assign]

    def start(self, transport: Any, leftover: bytes) -> None:
        """The hand-off: asyncio does not call ``connection_made`` after ``set_protocol``."""
        self.transport = transport
        if self.server is not None:
            self.server.connection_opened(self)
        else:
            self._timer = self.session.loop.call_later(_TICK, self._tick)
        self.session.attach(transport, leftover)

    # -- asyncio.Protocol -----------------------------------------------------------
    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.session.receive_data(data)

    def eof_received(self) -> bool | None:
        self.session.receive_eof()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self.server is not None:
            self.server.connection_closed(self)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.session.connection_lost()

    def pause_writing(self) -> None:
        self.session.pause_writing()

    def resume_writing(self) -> None:
        self.session.resume_writing()

    # -- the server's sweep and shutdown ------------------------------------------------
    def check_timeouts(self, now: float) -> None:
        self.session.check_timeouts(now)

    def shutdown(self) -> None:
        self.session.shutdown()

    def _tick(self) -> None:
        session = self.session
        session.check_timeouts(session.loop.time())
        if not session.closed:
            self._timer = session.loop.call_later(_TICK, self._tick)


def accept_factory(session: WebSocketSession, server: Any = None) -> Callable[[Any, bytes], WebSocketConnection]:
    """The ``protocol_factory`` for ``responder.upgrade``."""

    def factory(transport: Any, leftover: bytes) -> WebSocketConnection:
        connection = WebSocketConnection(session, server)
        connection.start(transport, leftover)
        return connection

    return factory
