"""Cross-worker state: the interfaces every backend implements.

A backend decides how far the state reaches: one process (:mod:`.memory`),
every worker of the host (:mod:`.host`, :mod:`.relay`, :mod:`.values`), or
every worker of every host sharing one Redis (:mod:`.rediscluster`).  Apps
never choose: ``skitai.run(cluster=...)`` / ``SKITAI_CLUSTER_URL`` does
(:mod:`.selection`).

What goes through it: the "last updated" times behind ``skitai.deflu`` /
``context.setlu`` / ``context.getlu`` (and the database result cache that
trusts them), ``app.store``, events emitted with ``broadcast=True``,
``app.websocket_send`` to a client another worker holds, and revoked one-time
tokens / used digest nonces.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

__all__ = ["LastUpdates", "SharedValues", "Revocations", "Relay", "Cluster", "Handler", "JSON"]

JSON = Any
#: ``handler(payload)`` for a relayed message; runs on the relay's receiving thread
Handler = Callable[[dict[str, Any]], None]


class LastUpdates(Protocol):
    """Named timestamps that every worker reaching the same backend agrees on."""

    def declare(self, name: str) -> None:
        """Make ``name`` known (idempotent); its time starts at 0."""

    def set(self, name: str, when: float) -> None:
        """Record that ``name`` changed at ``when`` (seconds since the epoch)."""

    def get(self, name: str) -> float:
        """When ``name`` last changed (0.0 when never)."""

    def names(self) -> list[str]:
        """Every declared name."""


class SharedValues(Protocol):
    """One namespace of JSON values (an app's ``store``)."""

    def get(self, key: str) -> JSON:
        """The value; raises KeyError when absent."""

    def set(self, key: str, value: JSON) -> None: ...

    def delete(self, key: str) -> None:
        """Raises KeyError when absent."""

    def incr(self, key: str, amount: int | float) -> int | float:
        """Add atomically (a missing key counts as 0); the new value."""

    def keys(self) -> list[str]: ...


class Revocations(Protocol):
    """Ids refused until a time (revoked one-time tokens, used digest nonces)."""

    def revoke(self, kind: str, ident: str, until: float) -> None: ...

    def is_revoked(self, kind: str, ident: str) -> bool: ...

    def claim(self, kind: str, ident: str, until: float) -> bool:
        """Revoke unless already revoked, atomically: True for the first caller."""


class Relay(Protocol):
    """Messages to the other workers: every one of them, or the one named ``node``."""

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """To every other worker that subscribed ``topic`` (never back to this one)."""

    def send(self, node: str, topic: str, payload: dict[str, Any]) -> bool:
        """To the worker ``node``; False when no such worker is reachable."""

    def subscribe(self, topic: str, handler: Handler) -> None: ...


class Cluster(Protocol):
    """A backend: the four parts plus its life in the worker."""

    @property
    def scope(self) -> str:
        """``"process"``, ``"host"`` or ``"redis"``."""

    @property
    def last_updates(self) -> LastUpdates: ...

    @property
    def revocations(self) -> Revocations: ...

    @property
    def relay(self) -> Relay: ...

    def values(self, namespace: str) -> SharedValues: ...

    def start(self) -> None:
        """In the worker, after the fork (sockets, connections, threads)."""

    def stop(self) -> None: ...
