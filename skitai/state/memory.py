"""In-process last-update times: for one worker, tests, and tools without a server."""

from __future__ import annotations

import threading

__all__ = ["MemoryLastUpdates"]


class MemoryLastUpdates:
    def __init__(self) -> None:
        self._times: dict[str, float] = {}
        self._lock = threading.Lock()

    def declare(self, name: str) -> None:
        with self._lock:
            self._times.setdefault(name, 0.0)

    def set(self, name: str, when: float) -> None:
        with self._lock:
            if name not in self._times:
                raise KeyError(name)
            self._times[name] = max(when, self._times[name])

    def get(self, name: str) -> float:
        with self._lock:
            if name not in self._times:
                raise KeyError(name)
            return self._times[name]

    def names(self) -> list[str]:
        with self._lock:
            return list(self._times)
