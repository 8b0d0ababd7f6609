"""Conditions: ``filter(name__like="x%", id__gt=3)`` keywords and ``Q`` objects
combined with ``|``, ``&`` and ``~``.  Each compiles to SQL text with
placeholders plus the parameter list.

Lookups (after ``__``): ``exact``/``eq`` (the default), ``neq``/``ne``, ``gt``,
``gte``, ``lt``, ``lte``, ``like``, ``ilike``, ``notlike``, ``contains``,
``startswith``, ``endswith`` (the value is matched literally), ``in``,
``notin``, ``between``, ``isnull``, ``regex`` (PostgreSQL).
"""

from __future__ import annotations

from typing import Any

from .identifiers import InvalidIdentifier, identifier

__all__ = ["Q", "LOOKUPS", "compile_lookup"]

LOOKUPS = frozenset(
    {
        "exact",
        "eq",
        "neq",
        "ne",
        "gt",
        "gte",
        "lt",
        "lte",
        "like",
        "ilike",
        "notlike",
        "contains",
        "startswith",
        "endswith",
        "in",
        "notin",
        "between",
        "isnull",
        "regex",
    }
)
_COMPARE = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _escape_like(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _split(key: str) -> tuple[str, str]:
    column, sep, lookup = key.rpartition("__")
    if sep and lookup in LOOKUPS:
        return identifier(column, "column"), lookup
    return identifier(key, "column"), "exact"


def compile_lookup(key: str, value: Any, ph: str, dialect: str) -> tuple[str, list[Any]]:
    column, lookup = _split(key)
    if lookup in ("exact", "eq"):
        return (f"{column} IS NULL", []) if value is None else (f"{column} = {ph}", [value])
    if lookup in ("neq", "ne"):
        return (f"{column} IS NOT NULL", []) if value is None else (f"{column} <> {ph}", [value])
    if lookup in _COMPARE:
        return f"{column} {_COMPARE[lookup]} {ph}", [value]
    if lookup == "like":
        return f"{column} LIKE {ph}", [value]
    if lookup == "notlike":
        return f"{column} NOT LIKE {ph}", [value]
    if lookup == "ilike":
        if dialect == "postgresql":
            return f"{column} ILIKE {ph}", [value]
        return f"lower({column}) LIKE lower({ph})", [value]
    if lookup in ("contains", "startswith", "endswith"):
        pattern = _escape_like(value)
        pattern = {"contains": f"%{pattern}%", "startswith": f"{pattern}%", "endswith": f"%{pattern}"}[lookup]
        return f"{column} LIKE {ph} ESCAPE '\\'", [pattern]
    if lookup in ("in", "notin"):
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise InvalidIdentifier(f"value for {lookup} (a list is needed)", value)
        items = list(value)
        if not items:
            return ("1 = 0" if lookup == "in" else "1 = 1"), []
        marks = ", ".join([ph] * len(items))
        return f"{column} {'IN' if lookup == 'in' else 'NOT IN'} ({marks})", items
    if lookup == "between":
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise InvalidIdentifier("value for between (two values are needed)", value)
        return f"{column} BETWEEN {ph} AND {ph}", list(value)
    if lookup == "isnull":
        return f"{column} IS {'' if value else 'NOT '}NULL", []
    if dialect != "postgresql":
        raise InvalidIdentifier(f"lookup for {dialect} (regex needs PostgreSQL)", key)
    return f"{column} ~ {ph}", [value]


class Q:
    """A condition tree.  ``Q(a=1, b=2)`` is ``a = 1 AND b = 2``;
    ``Q(a=1) | Q(b=2)``, ``Q(a=1) & ~Q(b=2)``."""

    __slots__ = ("items", "children", "connector", "negated")

    def __init__(self, *children: "Q", **lookups: Any) -> None:
        for key in lookups:
            _split(key)  # NOTE: refuse a bad column now, where the caller wrote it
        self.items = list(lookups.items())
        self.children = list(children)
        self.connector = "AND"
        self.negated = False

    def _combine(self, other: "Q", connector: str) -> "Q":
        if not isinstance(other, Q):
            return NotImplemented
        node = Q(self, other)
        node.connector = connector
        return node

    def __or__(self, other: "Q") -> "Q":
        return self._combine(other, "OR")

    def __and__(self, other: "Q") -> "Q":
        return self._combine(other, "AND")

    def __invert__(self) -> "Q":
        node = Q(self)
        node.negated = True
        return node

    def compile(self, ph: str, dialect: str) -> tuple[str, list[Any]]:
        parts: list[str] = []
        params: list[Any] = []
        for key, value in self.items:
            sql, values = compile_lookup(key, value, ph, dialect)
            parts.append(sql)
            params += values
        for child in self.children:
            sql, values = child.compile(ph, dialect)
            if sql:
                parts.append(f"({sql})")
                params += values
        sql = f" {self.connector} ".join(parts)
        if self.negated and sql:
            sql = f"NOT ({sql})"
        return sql, params

    def __repr__(self) -> str:
        return f"<Q {self.compile('?', 'sqlite')[0]}>"
