"""The launch script's plan: what to mount where, which paths are not logged.

``skitai.mount`` only records an entry here; nothing is imported until
``resolve()`` runs (inside ``skitai.run``, before workers fork), so a broken app
fails once, in the master, with a clear message.  An app's ``__config__(pref)``
hook may itself call ``skitai.mount`` (seed 000 mounts Django's static folders
that way): such entries are appended while resolving and resolved in turn.

The registry is created at the first call that needs it, never at import.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Iterable

from .contract import Mount
from .preference import Pref

__all__ = ["Entry", "Site", "current_site", "reset_site", "MountError"]


class MountError(Exception):
    """A mount entry could not be turned into a mounted thing (import error, bad target)."""

    def __init__(self, entry: "Entry", cause: BaseException) -> None:
        self.entry = entry
        self.cause = cause
        super().__init__(f"cannot mount {entry.target!r} on {entry.prefix or '/'!r}: {cause}")


@dataclasses.dataclass
class Entry:
    prefix: str
    target: Any
    pref: Pref | None = None
    name: str | None = None
    options: dict[str, Any] = dataclasses.field(default_factory=dict)


class Site:
    """Everything the launch script declared, in declaration order."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.log_off_prefixes: list[str] = []
        self.max_ages: dict[str, int] = {}
        #: ``skitai.enable_ssl(...)``: certfile, keyfile, passphrase for ``run``
        self.ssl_settings: dict[str, Any] = {}

    def add(
        self,
        prefix: str,
        target: Any,
        pref: Pref | None = None,
        name: str | None = None,
        **options: Any,
    ) -> Entry:
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ValueError(f"mount point must be a path starting with '/', got {prefix!r}")
        if target is None or (isinstance(target, str) and not target):
            raise ValueError(f"nothing to mount on {prefix!r}: target is {target!r}")
        if pref is not None and not isinstance(pref, Pref):
            raise TypeError(f"pref must come from skitai.preference(), got {type(pref).__name__}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"mount name must be a string, got {type(name).__name__}")
        entry = Entry(prefix, target, pref, name, dict(options))
        self.entries.append(entry)
        return entry

    def log_off(self, *prefixes: str) -> None:
        for prefix in prefixes:
            if not isinstance(prefix, str) or not prefix.startswith("/"):
                raise ValueError(f"log_off path must start with '/', got {prefix!r}")
            if prefix not in self.log_off_prefixes:
                self.log_off_prefixes.append(prefix)

    def set_max_age(self, prefix: str, seconds: int) -> None:
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ValueError(f"max-age path must start with '/', got {prefix!r}")
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError(f"max-age must be a non-negative whole number of seconds, got {seconds!r}")
        self.max_ages[prefix] = seconds

    def max_age_for(self, path: str) -> int | None:
        """The ``set_max_age`` value of the longest prefix covering ``path``."""
        best: tuple[int, int] | None = None
        for prefix, seconds in self.max_ages.items():
            if _covers(prefix, path) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), seconds)
        return None if best is None else best[1]

    def resolve(self) -> list[Mount]:
        """Load every entry into mounts, including entries added while loading.

        Raises :class:`MountError` naming the entry that failed.
        """
        from .mounts.loader import load_mount

        mounts: list[Mount] = []
        index = 0
        while index < len(self.entries):
            entry = self.entries[index]
            index += 1
            try:
                loaded = load_mount(entry.prefix, entry.target, entry.pref, entry.name, **entry.options)
            except MountError:
                raise
            except (Exception, SystemExit) as exc:
                raise MountError(entry, exc) from exc
            mounts.extend(loaded)
        if not mounts:
            raise ValueError("nothing is mounted: call skitai.mount(path, app) before skitai.run()")
        return mounts


def watch_paths(mounts: Iterable[Mount]) -> list[str]:
    """Folders and files whose change restarts a ``--devel`` server."""
    paths: list[str] = []
    for mount in mounts:
        watch = getattr(mount, "watch_paths", None)
        if watch is None:
            continue
        for path in watch():
            path = os.path.abspath(path)
            if path not in paths and os.path.exists(path):
                paths.append(path)
    return paths


def _covers(prefix: str, path: str) -> bool:
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/") or not prefix


_site: Site | None = None


def current_site() -> Site:
    """The process's Site, created on first use."""
    global _site
    if _site is None:
        _site = Site()
    return _site


def reset_site() -> None:
    """Forget every declaration (tests, or a script that builds two sites in turn)."""
    global _site
    _site = None
