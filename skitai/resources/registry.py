"""The aliases a launch script declared and, per worker, the backends serving them.

``skitai.alias`` runs in the master (launch script, ``__config__``) and only
records the declaration; each worker builds its own backend (connection pool,
HTTP client) on first use, so nothing opened before ``fork`` is shared.  A
registry seen from a new process id forgets the backends it inherited (they
belong to the parent) and builds fresh ones.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import threading
from typing import Any

from .errors import UnknownAlias
from .kinds import BUILTIN_INTERFACES, DEFAULT_OPTIONS, HTTP_KINDS
from .members import as_list

__all__ = ["Alias", "Registry", "current_registry"]


@dataclasses.dataclass
class Alias:
    name: str
    kind: str
    members: list[str]
    options: dict[str, Any]

    def option(self, key: str) -> Any:
        return self.options.get(key, DEFAULT_OPTIONS.get(key))


class Registry:
    def __init__(self) -> None:
        self.aliases: dict[str, Alias] = {}
        self.interfaces: dict[str, Any] = dict(BUILTIN_INTERFACES)
        self._backends: dict[str, Any] = {}
        self._pid = os.getpid()
        self._lock = threading.Lock()

    # -- declaring (master) ----------------------------------------------------
    def declare(self, name: str, kind: str, members: Any, **options: Any) -> Alias:
        if not isinstance(name, str) or not name.startswith("@") or len(name) < 2 or "/" in name:
            raise ValueError(f"alias name must look like '@name' (no '/'), got {name!r}")
        if kind not in self.interfaces:
            known = ", ".join(sorted(self.interfaces))
            raise ValueError(
                f"unknown alias kind {kind!r} for {name}: use one of {known} "
                "or register one with skitai.add_database_interface(kind, cls)"
            )
        unknown = set(options) - set(DEFAULT_OPTIONS)
        if unknown:
            raise TypeError(
                f"skitai.alias({name!r}) got unknown options {sorted(unknown)}; known: {sorted(DEFAULT_OPTIONS)}"
            )
        listed = as_list(members)
        if not listed:
            raise ValueError(f"alias {name} needs at least one member")
        alias = Alias(name, kind, listed, options)
        self._interface(kind)(alias).close()  # NOTE: validates members now, in the master, with a clear error
        with self._lock:
            old = self._backends.pop(name, None)
            self.aliases[name] = alias
        if old is not None:
            old.close()
        return alias

    def add_interface(self, kind: str, cls: Any) -> None:
        if not isinstance(kind, str) or not kind:
            raise ValueError(f"database interface kind must be a non-empty string, got {kind!r}")
        self.interfaces[kind] = cls

    def get(self, name: str) -> Alias:
        alias = self.aliases.get(name)
        if alias is None:
            raise UnknownAlias(name, sorted(self.aliases))
        return alias

    # -- serving (worker) --------------------------------------------------------
    def backend(self, name: str) -> Any:
        """The worker's backend for ``name``, built on first use."""
        if os.getpid() != self._pid:
            with self._lock:
                if os.getpid() != self._pid:
                    self._backends = {}
                    self._pid = os.getpid()
        backend = self._backends.get(name)
        if backend is None:
            alias = self.get(name)
            with self._lock:
                backend = self._backends.get(name)
                if backend is None:
                    backend = self._backends[name] = self._interface(alias.kind)(alias)
        return backend

    def base_url(self, name: str) -> str:
        """An HTTP alias's base URL (one member, chosen by the balancer)."""
        alias = self.get(name)
        if alias.kind not in HTTP_KINDS:
            raise ValueError(f"{name} is a {alias.kind} alias, not an HTTP upstream")
        return str(self.backend(name).base_urls()[0])

    async def close(self) -> None:
        """Close every backend this worker built (worker stop)."""
        with self._lock:
            backends, self._backends = list(self._backends.values()), {}
        for backend in backends:
            aclose = getattr(backend, "aclose", None)
            if aclose is not None:
                await aclose()
            else:
                backend.close()

    def _interface(self, kind: str) -> Any:
        found = self.interfaces[kind]
        if isinstance(found, str):
            module, _, attr = found.partition(":")
            found = self.interfaces[kind] = getattr(importlib.import_module(module), attr)
        return found


_registry: Registry | None = None


def current_registry() -> Registry:
    global _registry
    if _registry is None:
        _registry = Registry()
        from ..workerhooks import on_worker_stop

        on_worker_stop(_close_registry)
    return _registry


async def _close_registry(engine: Any) -> None:
    if _registry is not None:
        await _registry.close()
