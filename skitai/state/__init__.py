"""Cross-worker state (see :mod:`.interface`).

Last-update times live in the host-wide table of :mod:`.host`, made on first
use: declare names with ``skitai.deflu`` in the launch script or
``__config__`` (before the workers fork) so that every worker shares them.

The rest (``store``, relayed events and websocket messages, revocations) goes
through :func:`current`, the backend :func:`configure` chose in the master
before forking: in-process for one worker, the host backend for several, Redis
when a cluster URL is set (``skitai.run(cluster=...)`` / ``SKITAI_CLUSTER_URL``).
Apps never pick one.
"""

from __future__ import annotations

import time

from .interface import Cluster, LastUpdates
from .selection import ClusterUnavailable, configure, current, release, use

__all__ = [
    "LastUpdates",
    "Cluster",
    "ClusterUnavailable",
    "current",
    "configure",
    "release",
    "use",
    "current_last_updates",
    "use_last_updates",
    "deflu",
    "setlu",
    "getlu",
]

_backend: LastUpdates | None = None


def current_last_updates() -> LastUpdates:
    global _backend
    if _backend is None:
        from .host import HostLastUpdates

        try:
            _backend = HostLastUpdates()
        except OSError as exc:  # no shared memory or semaphores (some sandboxes)
            import logging

            from .memory import MemoryLastUpdates

            logging.getLogger("skitai.state").warning(
                "last-update times stay per worker: no shared memory here (%s)", exc
            )
            _backend = MemoryLastUpdates()
    return _backend


def use_last_updates(backend: LastUpdates) -> None:
    """Replace the backend (before the workers fork); the in-process default
    backend of :func:`current` is made again around it."""
    global _backend
    _backend = backend
    use(None)


def deflu(*names: str) -> None:
    """Declare names whose last-update time workers share (``skitai.deflu``,
    also ``skitai.register_g``)."""
    backend = current_last_updates()
    for name in names:
        if isinstance(name, (list, tuple)):
            deflu(*name)
            continue
        backend.declare(name)


def setlu(name: str, when: float | None = None) -> float:
    """Record that ``name`` changed now; returns the time recorded."""
    stamp = time.time() if when is None else when
    try:
        current().last_updates.set(name, stamp)
    except KeyError:
        raise KeyError(
            f"last-update name {name!r} is not declared: call skitai.deflu({name!r}) in the launch script or __config__"
        ) from None
    return stamp


def getlu(*names: str) -> float:
    """The latest change time of ``names`` (0.0 when none changed yet)."""
    backend = current_last_updates()
    latest = 0.0
    for name in names:
        try:
            latest = max(latest, backend.get(name))
        except KeyError:
            raise KeyError(
                f"last-update name {name!r} is not declared: call skitai.deflu({name!r}) "
                "in the launch script or __config__"
            ) from None
    return latest
