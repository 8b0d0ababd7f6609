"""Which mounted things may answer a path, in the order they are tried.

The longest matching prefix wins.  The mounts sharing that prefix are tried in
``priority`` order (static folders 0, then apps), so a file in a static folder
wins over an app route on the same prefix (seed 001) and the app gets the paths
the folder does not have (seed 004's single-page app).  A mount that returns
``NOT_FOUND`` passes the request to the next one of the same prefix; a shorter
prefix never sees it (a missing file under ``/static`` is a 404, not a page of
the app at ``/``).  Candidate lists are computed once, at start.
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
        self._candidates: list[tuple[str, str, list[Mount]]] = []
        for prefix in sorted(groups, key=len, reverse=True):
            ordered = sorted(groups[prefix], key=lambda m: getattr(m, "priority", 10))
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

