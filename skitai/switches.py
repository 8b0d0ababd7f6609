"""The launch script's own command-line switches.

The launcher refuses a switch it does not know (a mistyped ``--prot 18280``
must not silently serve on the default port), so a script that reads switches
of its own declares them first, in the ``getopt`` spelling the older docs use::

    opts, args = skitai.getopt("hf:", ["ssl", "origin="])
    for name, value in opts:          # ("-f", "a.txt"), ("--ssl", "") ...
        ...

``"f:"`` and ``"origin="`` take a value, the others are flags (value ``""``).
The launcher's own switches and the daemon commands never appear in ``opts``
or ``args``.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable

__all__ = ["Switch", "from_getopt"]


@dataclasses.dataclass(frozen=True)
class Switch:
    """One declared switch: ``-f`` or ``--origin``, with or without a value."""

    flag: str
    takes_value: bool
    help: str | None = None


def from_getopt(shortopts: str = "", longopts: Iterable[str] = ()) -> list[Switch]:
    """Switches from a ``getopt.getopt`` style declaration.

    Raises:
        ValueError: a malformed declaration (``":f"``, ``"-x"``, ``"--ssl"``).
    """
    if isinstance(longopts, str):
        longopts = [longopts]
    switches: list[Switch] = []
    index = 0
    while index < len(shortopts):
        letter = shortopts[index]
        if not letter.isalnum():
            raise ValueError(f"short switches are letters or digits, got {letter!r} in {shortopts!r}")
        takes_value = shortopts[index + 1 : index + 2] == ":"
        switches.append(Switch(f"-{letter}", takes_value))
        index += 2 if takes_value else 1
    for name in longopts:
        takes_value = name.endswith("=")
        bare = name[:-1] if takes_value else name
        if not bare or bare.startswith("-") or not all(ch.isalnum() or ch in "-_" for ch in bare):
            raise ValueError(f"long switches are given without dashes, like 'origin=' or 'ssl', got {name!r}")
        switches.append(Switch(f"--{bare}", takes_value))
    return switches
