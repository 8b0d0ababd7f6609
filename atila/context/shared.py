"""State shared beyond one request: ``app.store``/``app.g`` (one app, thread-safe)
and ``context.g``/``context.apps`` (every app of the worker).

Apps find each other through the engine they are started on: the first Atila
app started on an engine creates the shared state, the others adopt it.  No
module-level globals, so two engines in one process (tests) never mix.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, MutableMapping
from typing import Any

from skitai.attraccess import AttrAccess

__all__ = ["Store", "SharedState", "AppsView"]


class Store(AttrAccess, MutableMapping[str, Any]):
    """A dict guarded by a lock, with attribute access (``app.store``,
    documented as thread-safe).  ``incr`` is the atomic read-modify-write
    a counter needs (``store["n"] += 1`` is two operations).

    With several workers (or hosts) the server :meth:`share` s it: every
    worker then reads and writes one set of values, which must be JSON.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        object.__setattr__(self, "_data", dict(*args, **kwargs))
        object.__setattr__(self, "_lock", threading.RLock())
        object.__setattr__(self, "_shared", None)

    def share(self, values: Any) -> None:
        """Move to a cross-worker backend (``skitai.state`` values); what was
        stored before (in the launch script, before the fork) is added where
        the key is not there yet, so a worker starting late keeps others' values."""
        with self._lock:
            existing = set(values.keys())
            for key, value in self._data.items():
                if key not in existing:
                    values.set(key, value)
            object.__setattr__(self, "_shared", values)

    def __getitem__(self, key: str) -> Any:
        shared = self._shared
        if shared is not None:
            return shared.get(key)
        with self._lock:
            return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        shared = self._shared
        if shared is not None:
            shared.set(key, value)
            return
        with self._lock:
            self._data[key] = value

    def __delitem__(self, key: str) -> None:
        shared = self._shared
        if shared is not None:
            shared.delete(key)
            return
        with self._lock:
            del self._data[key]

    def __iter__(self) -> Iterator[str]:
        shared = self._shared
        if shared is not None:
            return iter(shared.keys())
        with self._lock:
            return iter(list(self._data))

    def __len__(self) -> int:
        shared = self._shared
        if shared is not None:
            return len(shared.keys())
        return len(self._data)

    def incr(self, key: str, amount: int | float = 1) -> int | float:
        shared = self._shared
        if shared is not None:
            result: int | float = shared.incr(key, amount)
            return result
        with self._lock:
            value: int | float = self._data.get(key, 0) + amount
            self._data[key] = value
            return value

    def __repr__(self) -> str:
        return f"Store({dict(self.items())!r})"


class SharedState:
    """What every Atila app on one engine shares: ``g`` and the event hub."""

    def __init__(self, hub: Any) -> None:
        self.g = Store()
        self.hub = hub


class AppsView:
    """``context.apps["name"]``: the apps mounted on the same engine, by mount name."""

    def __init__(self, app: Any) -> None:
        self._app = app

    def _mounts(self) -> list[Any]:
        engine = self._app.engine
        return list(engine.mounts) if engine is not None else [self._app]

    def __getitem__(self, name: str) -> Any:
        for mount in self._mounts():
            if getattr(mount, "name", None) == name:
                return mount
        raise KeyError(f"no app named {name!r} is mounted")

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name: object) -> bool:
        return any(getattr(mount, "name", None) == name for mount in self._mounts())

    def names(self) -> list[str]:
        return [mount.name for mount in self._mounts() if getattr(mount, "name", None)]
