"""What may appear in SQL text: identifiers and column expressions, checked
against a strict grammar.  Values never appear in SQL text (they travel as
parameters), so these checks are what stands between a name taken from user
input (``order_by(request_value)``) and an injection.
"""

from __future__ import annotations

import re

from ..responses.errors import HttpError

__all__ = ["InvalidIdentifier", "identifier", "column_expression", "order_term", "AGGREGATES"]

_IDENT = r"[A-Za-z_][A-Za-z0-9_]{0,62}"
_QUALIFIED = re.compile(rf"{_IDENT}(?:\.{_IDENT})?\Z")
#: functions a column expression may call (one argument: a column or ``*``)
AGGREGATES = frozenset({"count", "sum", "avg", "min", "max", "lower", "upper", "length", "abs"})
_EXPRESSION = re.compile(
    rf"""\s*(?:
        (?P<func>{_IDENT})\s*\(\s*(?P<distinct>distinct\s+)?(?P<arg>\*|{_IDENT}(?:\.{_IDENT})?)\s*\)
      | (?P<column>\*|{_IDENT}(?:\.{_IDENT})?(?:\.\*)?)
    )(?:\s+as\s+(?P<alias>{_IDENT}))?\s*\Z""",
    re.IGNORECASE | re.VERBOSE,
)
_ORDER = re.compile(rf"\s*(?P<minus>-)?(?P<column>{_IDENT}(?:\.{_IDENT})?)(?:\s+(?P<dir>asc|desc))?\s*\Z", re.I)


class InvalidIdentifier(HttpError, ValueError):
    """A table, column or expression the SQL builder refuses (400 when it came
    from a request)."""

    def __init__(
        self, what: str, value: object, rule: str = "use letters, digits and _ (table.column allowed)"
    ) -> None:
        super().__init__(400, f"invalid SQL {what} {value!r}: {rule}")


def identifier(name: object, what: str = "identifier") -> str:
    if not isinstance(name, str) or not _QUALIFIED.match(name):
        raise InvalidIdentifier(what, name)
    return name


def column_expression(text: object) -> str:
    """``"id"``, ``"t.*"``, ``"name as n"``, ``"count(id) as cnt"`` (normalised)."""
    match = _EXPRESSION.match(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidIdentifier("column expression", text)
    if match["func"]:
        func = match["func"].lower()
        if func not in AGGREGATES:
            raise InvalidIdentifier(f"function (allowed: {', '.join(sorted(AGGREGATES))})", match["func"])
        out = f"{func}({'DISTINCT ' if match['distinct'] else ''}{match['arg']})"
    else:
        out = match["column"]
    return f"{out} AS {match['alias']}" if match["alias"] else out


def columns(*specs: str) -> list[str]:
    """``get("id, name", "email")`` -> each expression checked."""
    out: list[str] = []
    for spec in specs:
        if not isinstance(spec, str):
            raise InvalidIdentifier("column list", spec)
        out.extend(column_expression(part) for part in spec.split(","))
    return out


def order_term(text: object) -> str:
    """``"-created_at"`` -> ``"created_at DESC"``; ``"name"`` / ``"name asc"``."""
    match = _ORDER.match(text) if isinstance(text, str) else None
    if match is None or (match["minus"] and match["dir"]):
        raise InvalidIdentifier("order_by term", text)
    direction = "DESC" if match["minus"] or (match["dir"] or "").lower() == "desc" else "ASC"
    return f"{match['column']} {direction}"
