"""What a connection's protocol may use of the server that accepted it.

The protocols (HTTP/1.1 now; HTTP/2 and WebSocket build on the same) get this
small object, never the ``Server``: the clock and the cached ``Date`` head
(both refreshed by the server's once-a-second sweep), the limits, the logs, the
mount-table match, the dispatch of a parsed request, and the two calls that
keep the server's connection count (``max_connections`` back-pressure and the
graceful drain).  So a protocol can be read and tested without a server, and the
server is the only place that knows how these are made.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable, Protocol

from .config import Limits
from .observability.observer import PlainObserver

if TYPE_CHECKING:
    from .http1.cycle import Cycle
    from .logs import Logs
    from .mounts.table import Candidates

__all__ = ["ServerState", "Connection"]


class Connection(Protocol):
    """What the server asks of every connection it counts."""

    def check_timeouts(self, now: float) -> None:
        """Called about once a second with the server's clock."""
        ...

    def shutdown(self) -> None:
        """Graceful stop: finish what is in flight, take no new work."""
        ...

    def abort(self) -> None:
        """Drop the connection now (the drain's grace is over)."""
        ...


class ServerState:
    """Shared by every connection of one worker; the server writes ``now`` and
    ``date_header``, the connections read them."""

    __slots__ = (
        "limits",
        "loop",
        "logs",
        "now",
        "date_header",
        "match",
        "dispatch",
        "connection_opened",
        "connection_closed",
        "observer",
    )

    def __init__(
        self,
        limits: Limits,
        loop: asyncio.AbstractEventLoop,
        logs: Logs,
        match: Callable[[str], Candidates],
        dispatch: Callable[[Cycle], None],
        connection_opened: Callable[[Connection], None],
        connection_closed: Callable[[Connection], None],
        observer: Any = None,
    ) -> None:
        self.limits = limits
        self.loop = loop
        self.logs = logs
        #: the loop's clock at the last sweep (deadlines compare with it)
        self.now = 0.0
        #: ``date:`` and ``server:`` fields, ready to join into a response head
        self.date_header = b""
        #: the mounts that may answer a path, in the order they are tried
        self.match = match
        #: hand a parsed request (its cycle) to the mounts
        self.dispatch = dispatch
        self.connection_opened = connection_opened
        self.connection_closed = connection_closed
        #: request ids, access log, metrics (skitai/observability); the plain one only logs
        self.observer = observer if observer is not None else PlainObserver(logs)

    def __repr__(self) -> str:
        return f"<ServerState now={self.now} limits={self.limits!r}>"
