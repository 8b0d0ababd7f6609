"""What the launcher needs from the launch script's plan (a :class:`skitai.site.Site`).

The plan calls the launcher (``Site.run``), so the launcher must not import
the plan's module back: it reads the plan through this Protocol instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, Sequence

if TYPE_CHECKING:
    from .contract import Mount
    from .preference import Pref
    from .switches import Switch

__all__ = ["Plan"]


class Plan(Protocol):
    #: switches the script declared; any other is refused
    switches: list["Switch"]
    #: the script reads plain arguments besides the daemon commands
    takes_args: bool
    #: URL prefixes whose requests write no access-log line
    log_off_prefixes: list[str]
    #: ``set_max_age`` rules: URL prefix -> seconds
    max_ages: dict[str, int]

    def prefs(self) -> Sequence["Pref"]:
        """The preferences given with the mounts (they may ask for debug or reloading)."""
        ...

    def resolve(self) -> list["Mount"]:
        """Import every mount target; raises ValueError/TypeError naming the one that failed."""
        ...
