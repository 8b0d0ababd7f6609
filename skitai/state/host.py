"""Last-update times shared by every worker of one host: a table in an
anonymous shared memory map made before the workers fork.

Each slot is a name (``NAME_BYTES``, UTF-8, NUL padded) and a float64 time.
A multiprocessing lock (created with the map, so inherited by every worker)
guards each read-modify-write; slots never move, so each process remembers
where a name lives after finding it once.
"""

from __future__ import annotations

import mmap
import multiprocessing
import struct

__all__ = ["HostLastUpdates", "SLOTS", "NAME_BYTES"]

SLOTS = 1024
NAME_BYTES = 120
_SLOT = struct.Struct(f"{NAME_BYTES}sd")


class HostLastUpdates:
    def __init__(self, slots: int = SLOTS) -> None:
        self.slots = slots
        self._map = mmap.mmap(-1, _SLOT.size * slots, flags=mmap.MAP_SHARED)
        self._lock = multiprocessing.Lock()
        self._where: dict[str, int] = {}

    def _encode(self, name: str) -> bytes:
        raw = name.encode("utf-8")
        if not raw or len(raw) > NAME_BYTES or b"\0" in raw:
            raise ValueError(f"last-update name must be 1 to {NAME_BYTES} bytes of UTF-8 without NUL, got {name!r}")
        return raw

    def _find(self, raw: bytes) -> int | None:
        """Slot of ``raw`` (call with the lock held)."""
        for index in range(self.slots):
            stored, _ = _SLOT.unpack_from(self._map, index * _SLOT.size)
            if stored[:1] == b"\0":
                return None
            if stored.rstrip(b"\0") == raw:
                return index
        return None

    def _slot(self, name: str) -> int:
        index = self._where.get(name)
        if index is None:
            raw = self._encode(name)
            with self._lock:
                index = self._find(raw)
            if index is None:
                raise KeyError(name)
            self._where[name] = index
        return index

    def declare(self, name: str) -> None:
        raw = self._encode(name)
        with self._lock:
            if self._find(raw) is not None:
                return
            for index in range(self.slots):
                stored, _ = _SLOT.unpack_from(self._map, index * _SLOT.size)
                if stored[:1] == b"\0":
                    _SLOT.pack_into(self._map, index * _SLOT.size, raw, 0.0)
                    self._where[name] = index
                    return
        raise ValueError(f"no room for last-update name {name!r}: {self.slots} names are declared")

    def set(self, name: str, when: float) -> None:
        index = self._slot(name)
        offset = index * _SLOT.size
        with self._lock:
            raw, old = _SLOT.unpack_from(self._map, offset)
            _SLOT.pack_into(self._map, offset, raw, max(old, when))

    def get(self, name: str) -> float:
        index = self._slot(name)
        with self._lock:
            return float(_SLOT.unpack_from(self._map, index * _SLOT.size)[1])

    def names(self) -> list[str]:
        found: list[str] = []
        with self._lock:
            for index in range(self.slots):
                stored, _ = _SLOT.unpack_from(self._map, index * _SLOT.size)
                if stored[:1] == b"\0":
                    break
                found.append(stored.rstrip(b"\0").decode("utf-8"))
        return found
