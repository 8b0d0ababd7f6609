"""Which mounted things may answer a path, in the order they are tried.

Longest prefix first; on one prefix, lower ``priority`` first (static folders 0,
Atila apps 10, WSGI/ASGI apps 20), so a file in a static folder wins over an app
route on the same prefix (seed 001) and an Atila app sees a path before a
catch-all Django app mounted beside it (seed 000).  A mount that returns
``NOT_FOUND`` passes the request on to the next candidate, shorter prefixes
included.  Candidate lists are computed once, at start.
"""

from __future__ import annotations

from typing import Any

from ..contract import Mount

__all__ = ["MountTable", "normalize_prefix"]


def normalize_prefix(prefix: str) -> str:
    """"/" -> "", "/api/" -> "/api"; PEP 3333 SCRIPT_NAME never ends with "/"."""
    if not prefix.startswith("/"):
        raise ValueError(f"mount path must start with '/': {prefix!r}")
    return prefix.rstrip("/")


class MountTable:
    def __init__(self, mounts: list[Mount]) -> None:
        self.mounts = list(mounts)
        groups: dict[str, list[Mount]] = {}
        for mount in self.mounts:
            groups.setdefault(normalize_prefix(mount.prefix or "/"), []).append(mount)
        prefixes = sorted(groups, key=len, reverse=True)
        self._candidates: list[tuple[str, str, list[Mount]]] = []
        for index, prefix in enumerate(prefixes):
            ordered: list[Mount] = []
            for shorter in prefixes[index:]:
                if _covers(shorter, prefix):
                    ordered.extend(sorted(groups[shorter], key=lambda m: getattr(m, "priority", 10)))
            self._candidates.append((prefix, prefix + "/", ordered))
        self._root: list[Mount] = []
        for prefix, _, ordered in self._candidates:
            if prefix == "":
                self._root = ordered

    def match(self, path: str) -> list[Mount]:
        for prefix, slashed, ordered in self._candidates:
            if path.startswith(slashed) or path == prefix:
                return ordered
        return self._root

    def by_name(self, name: str) -> Any:
        for mount in self.mounts:
            if getattr(mount, "name", None) == name:
                return mount
        raise KeyError(name)

    def __iter__(self) -> Any:
        return iter(self.mounts)

    def __len__(self) -> int:
        return len(self.mounts)


def _covers(shorter: str, prefix: str) -> bool:
    return shorter == "" or prefix == shorter or prefix.startswith(shorter + "/")

