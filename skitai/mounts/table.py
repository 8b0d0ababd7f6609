"""Which mounted things may answer a path, in the order they are tried.

The longest matching prefix wins.  The mounts sharing that prefix are tried in
``priority`` order (static folders 0, then apps), so a file in a static folder
wins over an app route on the same prefix and the app gets the paths the
folder does not have (a single-page app beside its API).  A mount that returns
``NOT_FOUND`` passes the request to the next one of the same prefix; a shorter
prefix never sees it (a missing file under ``/static`` is a 404, not a page of
the app at ``/``).  Candidate lists are computed once, at start.
"""

from __future__ import annotations

from typing import Callable, Iterator, Sequence

from ..contract import HandleResult, HasNotFound, Mount, Request, Responder

__all__ = ["MountTable", "Candidates", "normalize_prefix"]

NotFoundHandler = Callable[[Request, Responder], HandleResult]
#: the place of a mount that does not say (hand-written mounts may leave it out)
_DEFAULT_PRIORITY = 10


def normalize_prefix(prefix: str) -> str:
    """ "/" -> "", "/api/" -> "/api"; PEP 3333 SCRIPT_NAME never ends with "/"."""
    if not prefix.startswith("/"):
        raise ValueError(f"mount path must start with '/': {prefix!r}")
    return prefix.rstrip("/")


class Candidates(list[Mount]):
    """The mounts of one prefix in the order they are tried, with what the engine
    needs to know of them as a group, worked out once when the table is built.

    PERF: the protocol asks for ``body_limit`` on every request with a body and
    the dispatcher for ``not_found`` on every 404; both are plain attributes here.
    """

    __slots__ = ("body_limit", "not_found")

    def __init__(self, mounts: Sequence[Mount] = ()) -> None:
        super().__init__(mounts)
        # A mount's own limit (pref.max_client_body_size) replaces the engine
        # default, lower or higher; mounts without one (static folders) do not
        # vote.  Where several mounts share the prefix the most generous own limit
        # wins, since any of them may end up answering.  None: the engine default.
        limits = [own for own in (getattr(m, "body_limit", None) for m in self) if own is not None]
        self.body_limit: int | None = max(limits) if limits else None
        #: (prefix, ``not_found``) of the mounts that answer what every candidate
        #: declined, last one first (see :class:`skitai.contract.HasNotFound`)
        self.not_found: tuple[tuple[str, NotFoundHandler], ...] = tuple(
            (m.prefix, m.not_found) for m in reversed(self) if isinstance(m, HasNotFound)
        )


class MountTable:
    def __init__(self, mounts: list[Mount]) -> None:
        self.mounts = list(mounts)
        groups: dict[str, list[Mount]] = {}
        for mount in self.mounts:
            groups.setdefault(normalize_prefix(mount.prefix or "/"), []).append(mount)
        self._candidates: list[tuple[str, str, Candidates]] = []
        for prefix in sorted(groups, key=len, reverse=True):
            # NOTE: read once here with a default, so a hand-written mount that
            # leaves out ``priority`` or ``body_limit`` still serves.
            ordered = sorted(groups[prefix], key=lambda m: getattr(m, "priority", _DEFAULT_PRIORITY))
            self._candidates.append((prefix, prefix + "/", Candidates(ordered)))
        self._root = Candidates()
        for prefix, _, candidates in self._candidates:
            if prefix == "":
                self._root = candidates

    def match(self, path: str) -> Candidates:
        """The mounts that may answer ``path``: the longest matching prefix's."""
        for prefix, slashed, candidates in self._candidates:
            if path.startswith(slashed) or path == prefix:
                return candidates
        return self._root

    def by_name(self, name: str) -> Mount:
        for mount in self.mounts:
            if getattr(mount, "name", None) == name:
                return mount
        raise KeyError(name)

    def __iter__(self) -> Iterator[Mount]:
        return iter(self.mounts)

    def __len__(self) -> int:
        return len(self.mounts)
