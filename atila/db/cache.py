"""Per-worker result cache for ``context.db("@x", use_cache="tables.users")``.

An entry is kept with the time its query started; it is served while none of
its names changed since (``context.setlu`` / ``rm_cache=`` in any worker move
the shared last-update time forward).  Rows are copied out, so a ``filter``
that edits rows never edits the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Hashable

from skitai.resources.rows import Row, SQLResult
from skitai.state import getlu

__all__ = ["ResultCache", "result_cache", "MAX_ENTRIES"]

MAX_ENTRIES = 1024


class ResultCache:
    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[float, tuple[str, ...], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
        started, names, value = entry
        if getlu(*names) > started:
            with self._lock:
                self._entries.pop(key, None)
            return None
        return _copy(value)

    def put(self, key: Hashable, started: float, names: tuple[str, ...], value: Any) -> None:
        with self._lock:
            self._entries[key] = (started, names, _copy(value))
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _copy(value: Any) -> Any:
    if isinstance(value, SQLResult):
        return SQLResult([Row(row) for row in value.rows], value.rowcount)
    if isinstance(value, list):
        return [Row(item) if isinstance(item, Row) else item for item in value]
    return value


_cache = ResultCache()


def result_cache() -> ResultCache:
    return _cache
