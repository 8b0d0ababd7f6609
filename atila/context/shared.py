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
    a counter needs (``store["n"] += 1`` is two operations)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        object.__setattr__(self, "_data", dict(*args, **kwargs))
        object.__setattr__(self, "_lock", threading.RLock())

    def __getitem__(self, key: str) -> Any:
        with self._lock:
            return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        with self._lock:
            self._data[key] = value

    def __delitem__(self, key: str) -> None:
        with self._lock:
            del self._data[key]

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            return iter(list(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def incr(self, key: str, amount: int | float = 1) -> int | float:
        with self._lock:
            value: int | float = self._data.get(key, 0) + amount
            self._data[key] = value
            return value

    def __repr__(self) -> str:
        return f"Store({self._data!r})"


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
