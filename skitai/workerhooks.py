"""Per-worker start and stop callbacks.

Resources (database pools, HTTP clients, process pools) must be made after
the worker forked and closed when it stops; a mount's ``startup``/``shutdown``
is per app, this is per worker.  The server runs :func:`worker_started` before
its mounts start and :func:`worker_stopping` after they stopped.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any, Callable

__all__ = ["on_worker_start", "on_worker_stop", "worker_started", "worker_stopping"]

logger = logging.getLogger("skitai.workerhooks")

Hook = Callable[[Any], Any]
_start: list[Hook] = []
_stop: list[Hook] = []


def on_worker_start(func: Hook) -> Hook:
    """``func(engine)`` (may be async) runs in each worker before its mounts start."""
    if func not in _start:
        _start.append(func)
    return func


def on_worker_stop(func: Hook) -> Hook:
    """``func(engine)`` (may be async) runs in each worker after its mounts stopped."""
    if func not in _stop:
        _stop.append(func)
    return func


async def worker_started(engine: Any) -> None:
    for func in list(_start):
        result = func(engine)
        if inspect.isawaitable(result):
            await result


async def worker_stopping(engine: Any) -> None:
    """Every stop hook runs even when one fails (each failure is logged)."""
    for func in list(_stop):
        try:
            result = func(engine)
            if inspect.isawaitable(result):
                await result
        except Exception:
            logger.exception("worker stop hook %r failed", func)
