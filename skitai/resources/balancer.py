"""Weighted choice among an alias's members, skipping members that just failed.

A member that failed (refused connection, timeout) is left out for
``RETRY_AFTER`` seconds; when every member is out, all are tried again rather
than failing without trying.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Generic, Sequence, TypeVar

__all__ = ["Balancer", "RETRY_AFTER"]

T = TypeVar("T")
RETRY_AFTER = 5.0


class Balancer(Generic[T]):
    def __init__(self, members: Sequence[T], weights: Sequence[int]) -> None:
        if not members:
            raise ValueError("an alias needs at least one member")
        self.members = list(members)
        self.weights = list(weights)
        self._down: dict[int, float] = {}
        self._lock = threading.Lock()

    def order(self) -> list[T]:
        """Every member once, healthy ones first in weighted random order."""
        now = time.monotonic()
        with self._lock:
            down = {i for i, until in self._down.items() if until > now}
        healthy = [i for i in range(len(self.members)) if i not in down]
        picked: list[int] = []
        pool = list(healthy)
        while pool:
            index = random.choices(pool, weights=[self.weights[i] for i in pool])[0]
            picked.append(index)
            pool.remove(index)
        picked += sorted(down)
        return [self.members[i] for i in picked]

    def failed(self, member: T) -> None:
        with self._lock:
            self._down[self.members.index(member)] = time.monotonic() + RETRY_AFTER

    def succeeded(self, member: T) -> None:
        if self._down:
            with self._lock:
                self._down.pop(self.members.index(member), None)
