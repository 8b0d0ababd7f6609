"""In-process state: for one worker, tests, and tools without a server."""

from __future__ import annotations

import threading
import time
from typing import Any

from .interface import JSON, Handler
from .subscribers import Subscribers

__all__ = ["MemoryLastUpdates", "MemoryValues", "MemoryRevocations", "LocalRelay", "MemoryCluster"]


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


class MemoryValues:
    """Any Python object may be stored (nothing leaves the process)."""

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> JSON:
        with self._lock:
            return self._data[key]

    def set(self, key: str, value: JSON) -> None:
        with self._lock:
            self._data[key] = value

    def delete(self, key: str) -> None:
        with self._lock:
            del self._data[key]

    def incr(self, key: str, amount: int | float) -> int | float:
        with self._lock:
            value: int | float = self._data.get(key, 0) + amount
            self._data[key] = value
            return value

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._data)


class MemoryRevocations:
    """Revoked ids, each forgotten once its time has passed."""

    def __init__(self) -> None:
        self._until: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def _sweep(self, now: float) -> None:
        for key in [k for k, t in self._until.items() if t <= now]:
            del self._until[key]

    def revoke(self, kind: str, ident: str, until: float) -> None:
        with self._lock:
            self._sweep(time.time())
            self._until[(kind, ident)] = until

    def is_revoked(self, kind: str, ident: str) -> bool:
        with self._lock:
            until = self._until.get((kind, ident))
            return until is not None and until > time.time()

    def claim(self, kind: str, ident: str, until: float) -> bool:
        with self._lock:
            now = time.time()
            current = self._until.get((kind, ident))
            if current is not None and current > now:
                return False
            self._sweep(now)
            self._until[(kind, ident)] = until
            return True


class LocalRelay:
    """No other worker to reach: publishing goes nowhere, handlers are kept for
    a backend that wraps this one."""

    def __init__(self) -> None:
        self.subscribers = Subscribers()

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        return None

    def send(self, node: str, topic: str, payload: dict[str, Any]) -> bool:
        return False

    def subscribe(self, topic: str, handler: Handler) -> None:
        self.subscribers.add(topic, handler)


class MemoryCluster:
    scope = "process"

    def __init__(self, last_updates: Any = None) -> None:
        self.last_updates = last_updates if last_updates is not None else MemoryLastUpdates()
        self.revocations = MemoryRevocations()
        self.relay = LocalRelay()
        self._values: dict[str, MemoryValues] = {}
        self._lock = threading.Lock()

    def values(self, namespace: str) -> MemoryValues:
        with self._lock:
            found = self._values.get(namespace)
            if found is None:
                found = self._values[namespace] = MemoryValues()
            return found

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None
