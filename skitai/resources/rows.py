"""Rows and statement results shared by the SQL backends."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..attraccess import AttrAccess

__all__ = ["Row", "SQLResult"]


class Row(AttrAccess, dict[str, Any]):
    """A result row: ``row["name"]`` and ``row.name`` both work, and it is a dict,
    so it serialises to JSON as is.  Assigning an attribute sets the key (a
    ``filter=`` function may hide a column: ``row.password = "****"``)."""

    __slots__ = ()

    # setting and deleting go through AttrAccess; a missing column names the others
    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"row has no column {name!r} (columns: {', '.join(self)})") from None


@dataclasses.dataclass
class SQLResult:
    """What one statement gave: its rows (empty when it returns none) and how
    many rows it touched."""

    rows: list[Row]
    rowcount: int
