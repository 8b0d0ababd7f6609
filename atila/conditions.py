"""Conditional prework for routes: ``@app.if_file_modified`` and ``@app.if_updated``
(documented under "Conditional Prework").

Each is a ``run_before`` callable that checks its condition at most every
``interval`` seconds and, when the watched thing changed since the last
check, calls ``func(context, path_or_key)`` before the handler runs.  The
first check only records the starting point.
"""

from __future__ import annotations

import os
import threading
import time
from abc import ABC, abstractmethod
from typing import Any, Callable

__all__ = ["FileModified", "KeyUpdated"]


class _Watch(ABC):
    def __init__(self, target: str, func: Callable[..., Any], interval: float) -> None:
        if not callable(func):
            raise TypeError(f"the callback must be callable, got {func!r}")
        self.target = target
        self.func = func
        self.interval = float(interval)
        self._checked = float("-inf")
        self._seen: Any = None
        self._started = False
        self._lock = threading.Lock()

    @abstractmethod
    def current(self, context: Any) -> Any:
        """The watched value now (a file's mtime, a stored key's value)."""

    def __call__(self, context: Any) -> None:
        now = time.monotonic()
        if now - self._checked < self.interval:
            return None
        with self._lock:
            if now - self._checked < self.interval:
                return None
            self._checked = now
            value = self.current(context)
            changed = self._started and value != self._seen
            self._seen, self._started = value, True
        if changed:
            self.func(context, self.target)
        return None


class FileModified(_Watch):
    """Calls back when the file's modification time changes (or it appears/disappears)."""

    def current(self, context: Any) -> Any:
        try:
            return os.stat(self.target).st_mtime_ns
        except OSError:
            return None


class KeyUpdated(_Watch):
    """Calls back when ``context.getlu(key)`` (last update time) changes; for a
    key not declared with ``skitai.deflu`` the app's ``store[key]`` is watched."""

    def current(self, context: Any) -> Any:
        getlu = getattr(context, "getlu", None)
        if getlu is not None:
            try:
                return getlu(self.target)
            except KeyError:
                pass
        return context.app.store.get(self.target)
