"""Who is connected: client ids, rooms, and pushing to them.

``app.websocket_send(client_id, message)`` and the group-chat rooms go through
one :class:`WebSocketBackend`.  :class:`LocalBackend` knows the connections of
this worker; a backend carrying messages across workers and hosts (Redis
pub/sub) implements the same four methods and routes by the id's prefix,
which names the worker that owns the connection.

Every method may be called from any thread and never raises for a client that
has gone: sending to it is a no-op that returns False.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any, Protocol

from ..state.node import node_id
from .messages import Message

__all__ = ["Client", "WebSocketBackend", "LocalBackend", "ClientIds"]


class Client(Protocol):
    """A connected websocket as the backend sees it."""

    client_id: str

    def send(self, message: Message) -> Any:
        """Truthy when the message was queued; callable from any thread."""
        ...


class WebSocketBackend(Protocol):
    def add(self, client: Client, room: str | None = None) -> None: ...

    def discard(self, client: Client, room: str | None = None) -> None: ...

    def send(self, client_id: str, message: Message) -> bool:
        """Push to one client; False when no such client is connected."""
        ...

    def broadcast(self, room: str, message: Message) -> int:
        """Push to every member of ``room``; how many it reached."""
        ...


_COUNTER = itertools.count(1)


class ClientIds:
    """Ids unique across workers and hosts: the worker's node id
    (:func:`skitai.state.node.node_id`, random per process) and a counter, so
    the prefix says which worker to route a message to.

    PERF: one string format per connection; no uuid4 (an os.urandom call each).
    """

    def __init__(self) -> None:
        self.prefix = node_id()
        # one counter for every app of the process: ids stay unique across apps
        self._counter = _COUNTER

    def next(self) -> str:
        return f"{self.prefix}-{next(self._counter)}"


class LocalBackend:
    """The connections of this worker, by id and by room."""

    def __init__(self) -> None:
        self.ids = ClientIds()
        self._clients: dict[str, Client] = {}
        self._rooms: dict[str, dict[str, Client]] = {}
        self._lock = threading.Lock()

    def add(self, client: Client, room: str | None = None) -> None:
        with self._lock:
            self._clients[client.client_id] = client
            if room is not None:
                self._rooms.setdefault(room, {})[client.client_id] = client

    def discard(self, client: Client, room: str | None = None) -> None:
        with self._lock:
            if self._clients.get(client.client_id) is client:
                del self._clients[client.client_id]
            if room is not None:
                members = self._rooms.get(room)
                if members is not None:
                    members.pop(client.client_id, None)
                    if not members:
                        del self._rooms[room]

    def send(self, client_id: str, message: Message) -> bool:
        client = self._clients.get(client_id) if isinstance(client_id, str) else None
        return client is not None and bool(client.send(message))

    def broadcast(self, room: str, message: Message) -> int:
        with self._lock:
            members = list(self._rooms.get(room, {}).values())
        return sum(1 for client in members if client.send(message))

    def members(self, room: str) -> list[str]:
        with self._lock:
            return list(self._rooms.get(room, {}))

    def __len__(self) -> int:
        return len(self._clients)
