"""The SQL builder behind ``context.db("@alias").select(...)``::

    (db.select("foo").get("id, name")
       .filter(name__like="x%", id__gt=3).filter(Q(a=1) | Q(b=2))
       .order_by("-created_at").limit(10).offset(20)).execute()

Every method returns the same query (chaining); ``clone()`` copies it.  Table
and column names are checked by :mod:`.identifiers`; values only ever become
parameters, sent to the driver beside the SQL text.
"""

from __future__ import annotations

import copy
from typing import Any

from .identifiers import InvalidIdentifier, columns, identifier, order_term
from .q import Q

__all__ = ["Query", "PLACEHOLDERS"]

PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _count(value: Any, what: str) -> int:
    rule = "a whole number, 0 or more"
    if isinstance(value, bool):
        raise InvalidIdentifier(what, value, rule)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidIdentifier(what, value, rule) from None
    if number < 0 or str(number) != str(value).strip().lstrip("+"):
        raise InvalidIdentifier(what, value, rule)
    return number


class Query:
    def __init__(self, database: Any, verb: str, table: str) -> None:
        self._database = database
        self.verb = verb
        self.table = identifier(table, "table")
        self._columns: list[str] = []
        self._where: list[Q] = []
        self._order: list[str] = []
        self._group: list[str] = []
        self._limit: int | None = None
        self._offset: int | None = None
        self._values: dict[str, Any] = {}
        self._returning: list[str] = []
        self._with: list[tuple[str, Query]] = []

    # -- building --------------------------------------------------------------
    def get(self, *specs: str) -> "Query":
        """Columns to select: ``get("id, name")``, ``get("id", "count(x) as n")``."""
        self._columns += columns(*specs)
        return self

    def aggregate(self, *specs: str) -> "Query":
        """Select only these aggregates (ordering and paging are dropped):
        ``aggregate("count(id) as cnt")``."""
        self._columns = columns(*specs)
        self._order, self._limit, self._offset = [], None, None
        return self

    def filter(self, *conditions: Q, **lookups: Any) -> "Query":
        for condition in conditions:
            if not isinstance(condition, Q):
                raise TypeError(f"filter() takes Q objects and keyword lookups, got {condition!r}")
            self._where.append(condition)
        if lookups:
            self._where.append(Q(**lookups))
        return self

    def exclude(self, *conditions: Q, **lookups: Any) -> "Query":
        return self.filter(~Q(*conditions, **lookups))

    def order_by(self, *terms: str) -> "Query":
        for term in terms:
            self._order += (
                [order_term(part) for part in str(term).split(",")] if isinstance(term, str) else [order_term(term)]
            )
        return self

    def group_by(self, *names: str) -> "Query":
        for spec in names:
            self._group += [identifier(part.strip(), "group_by column") for part in str(spec).split(",")]
        return self

    def limit(self, count: Any) -> "Query":
        self._limit = _count(count, "limit")
        return self

    def offset(self, count: Any) -> "Query":
        self._offset = _count(count, "offset")
        return self

    def set(self, **values: Any) -> "Query":
        """Column values of an insert or update."""
        for name in values:
            identifier(name, "column")
        self._values.update(values)
        return self

    data = set

    def returning(self, *specs: str) -> "Query":
        self._returning += columns(*specs)
        return self

    def with_(self, name: str, query: "Query") -> "Query":
        """``WITH name AS (query) ...``"""
        if not isinstance(query, Query):
            raise TypeError(f"with_() takes a query built by the same db, got {query!r}")
        self._with.append((identifier(name, "WITH name"), query))
        return self

    def clone(self) -> "Query":
        other = copy.copy(self)
        for name in ("_columns", "_where", "_order", "_group", "_returning", "_with"):
            setattr(other, name, list(getattr(self, name)))
        other._values = dict(self._values)
        return other

    # -- SQL ---------------------------------------------------------------------
    def compile(self, paramstyle: str = "qmark", dialect: str = "sqlite") -> tuple[str, list[Any]]:
        """``(sql, params)`` for the driver."""
        ph = PLACEHOLDERS[paramstyle]
        params: list[Any] = []
        head = ""
        if self._with:
            parts = []
            for name, query in self._with:
                sql, values = query.compile(paramstyle, dialect)
                parts.append(f"{name} AS ({sql})")
                params += values
            head = "WITH " + ", ".join(parts) + " "
        body, values = getattr(self, f"_{self.verb}")(ph, dialect)
        return head + body, params + values

    def _conditions(self, ph: str, dialect: str) -> tuple[str, list[Any]]:
        if not self._where:
            return "", []
        sql, params = Q(*self._where).compile(ph, dialect)
        return (f" WHERE {sql}", params) if sql else ("", [])

    def _tail(self) -> str:
        return f" RETURNING {', '.join(self._returning)}" if self._returning else ""

    def _select(self, ph: str, dialect: str) -> tuple[str, list[Any]]:
        where, params = self._conditions(ph, dialect)
        sql = f"SELECT {', '.join(self._columns) or '*'} FROM {self.table}{where}"
        if self._group:
            sql += f" GROUP BY {', '.join(self._group)}"
        if self._order:
            sql += f" ORDER BY {', '.join(self._order)}"
        if self._limit is not None:
            sql += f" LIMIT {ph}"
            params.append(self._limit)
        if self._offset is not None:
            if self._limit is None and dialect == "sqlite":
                sql += " LIMIT -1"
            sql += f" OFFSET {ph}"
            params.append(self._offset)
        return sql, params

    def _insert(self, ph: str, dialect: str) -> tuple[str, list[Any]]:
        if not self._values:
            raise ValueError(f"insert into {self.table}: no values; call .set(column=value, ...)")
        names = ", ".join(self._values)
        marks = ", ".join([ph] * len(self._values))
        return f"INSERT INTO {self.table} ({names}) VALUES ({marks}){self._tail()}", list(self._values.values())

    def _update(self, ph: str, dialect: str) -> tuple[str, list[Any]]:
        if not self._values:
            raise ValueError(f"update {self.table}: no values; call .set(column=value, ...)")
        assignments = ", ".join(f"{name} = {ph}" for name in self._values)
        where, params = self._conditions(ph, dialect)
        return f"UPDATE {self.table} SET {assignments}{where}{self._tail()}", [*self._values.values(), *params]

    def _delete(self, ph: str, dialect: str) -> tuple[str, list[Any]]:
        where, params = self._conditions(ph, dialect)
        return f"DELETE FROM {self.table}{where}{self._tail()}", params

    # -- running ---------------------------------------------------------------------
    def execute(self) -> Any:
        """Run on the query's database; returns a task (``fetch()`` the rows)."""
        if self._database is None:
            raise RuntimeError("this query has no database; build it with context.db('@alias').select(...)")
        return self._database.execute(self)

    def __str__(self) -> str:
        return self.compile()[0]

    def __repr__(self) -> str:
        return f"<Query {self.compile()[0]!r}>"
