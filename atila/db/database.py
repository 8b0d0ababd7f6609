"""``context.db("@alias")``: one alias seen from one request.

SQL aliases (SQLite, PostgreSQL, or a custom interface with ``execute``)
offer the builder (``select``, ``insert``, ``update``, ``delete``) and raw
``execute(sql, params)`` with the driver's placeholders (``?`` for SQLite,
``%s`` for PostgreSQL).  Redis and MongoDB aliases (or a custom interface
with ``call``) expose their client's commands: ``db.set("k", "v")``,
``db.find({...})``.  Every call returns a task.

Options: ``filter`` (applied to the fetched result), ``timeout``,
``use_cache`` (names whose change invalidates the cached result) and
``rm_cache`` (names marked changed once the statement succeeded).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence

from skitai.resources import current_registry

from ..tasks.base import Task
from ..tasks.runner import current_runner, on_loop
from .builder import Query
from .cache import result_cache

__all__ = ["Database", "DBTask"]


class DBTask(Task):
    """A statement's task: ``fetch()`` gives the rows, ``rowcount`` how many
    rows the statement touched."""

    kind = "query"
    rowcount = -1

    def _raw(self, timeout: float | None = None) -> Any:
        value = super()._raw(timeout)
        if hasattr(value, "rows") and hasattr(value, "rowcount"):
            self.rowcount = value.rowcount
            return value.rows
        return value


def _names(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


class Database:
    def __init__(
        self,
        context: Any,
        name: str,
        *,
        filter: Callable[[Any], Any] | None = None,
        timeout: float | None = None,
        use_cache: str | Sequence[str] | None = None,
        rm_cache: str | Sequence[str] | None = None,
        meta: dict[str, Any] | None = None,
        collection: str | None = None,
    ) -> None:
        registry = current_registry()
        self.alias = registry.get(name)
        self.name = name
        self.backend = registry.backend(name)
        self.context = context
        self.filter = filter
        self.timeout = float(timeout if timeout is not None else self.alias.option("timeout"))
        self.use_cache = _names(use_cache)
        self.rm_cache = _names(rm_cache)
        self.meta = meta
        self.collection_name = collection
        self.is_sql = hasattr(self.backend, "execute")

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    # -- the builder (SQL aliases) -------------------------------------------------
    def _query(self, verb: str, table: str) -> Query:
        if not self.is_sql:
            raise AttributeError(f"{self.name} is a {self.alias.kind} alias: it has no SQL builder")
        return Query(self, verb, table)

    def select(self, table: str) -> Query:
        return self._query("select", table)

    def insert(self, table: str) -> Query:
        return self._query("insert", table)

    def update(self, table: str) -> Query:
        return self._query("update", table)

    def delete(self, table: str) -> Query:
        return self._query("delete", table)

    # -- running ------------------------------------------------------------------------
    def execute(self, statement: str | Query, params: Sequence[Any] | dict[str, Any] | None = None) -> DBTask:
        """Run a built query or raw SQL (with the driver's placeholders)."""
        if not self.is_sql:
            raise AttributeError(f"{self.name} is a {self.alias.kind} alias: use its commands, not execute()")
        values: Any
        if isinstance(statement, Query):
            if params is not None:
                raise TypeError("a built query carries its own parameters")
            sql, values = statement.compile(
                getattr(self.backend, "paramstyle", "qmark"), getattr(self.backend, "dialect", "sqlite")
            )
        elif isinstance(statement, str):
            sql, values = statement, params if params is not None else ()
        else:
            raise TypeError(f"execute() takes SQL text or a query, got {statement!r}")
        key = None
        if self.use_cache:
            key = (self.name, sql, _hashable(values))
            cached = result_cache().get(key)
            if cached is not None:
                return self._task(_done(cached))
        started = time.time()
        loop = on_loop()
        runner = current_runner()
        if loop is not None and getattr(self.backend, "has_async", False) and hasattr(self.backend, "aexecute"):
            future = runner.spawn(self.backend.aexecute(sql, values))
        else:
            future = runner.submit(self.backend.execute, sql, values)
        task = self._task(future)
        if key is not None or self.rm_cache:
            future.add_done_callback(lambda done: self._finished(done, key, started))
        return task

    def _task(self, future: Any) -> DBTask:
        return DBTask(
            future,
            label=f"query on {self.name}",
            meta=self.meta,
            timeout=self.timeout,
            filter=self.filter,
            context=self.context,
        )

    def _finished(self, future: Any, key: Any, started: float) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        if key is not None:
            result_cache().put(key, started, self.use_cache, future.result())
        if self.rm_cache:
            from ..context.resources import mark_updated

            for name in self.rm_cache:
                mark_updated(self.context, name)

    # -- commands (Redis, MongoDB, custom) ------------------------------------------
    def collection(self, name: str) -> "Database":
        """MongoDB: the same alias, commands sent to collection ``name``."""
        other = Database.__new__(Database)
        other.__dict__.update(self.__dict__)
        other.collection_name = name
        return other

    def __getattr__(self, command: str) -> Callable[..., Task]:
        if command.startswith("_"):
            raise AttributeError(command)
        backend = self.__dict__.get("backend")
        if backend is None or not hasattr(backend, "call"):
            raise AttributeError(f"{self.__dict__.get('name')} has no command {command!r}")
        check = getattr(backend, "command", None)
        if check is not None:
            check(command)

        def run(*args: Any, **kwargs: Any) -> Task:
            return self._command(command, args, kwargs)

        run.__name__ = command
        return run

    def _command(self, command: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Task:
        backend = self.backend
        runner = current_runner()
        if backend.dialect == "mongodb":
            future = runner.submit(backend.call, self.collection_name, command, args, kwargs)
        elif on_loop() is not None and getattr(backend, "has_async", False) and hasattr(backend, "acall"):
            future = runner.spawn(backend.acall(command, args, kwargs))
        else:
            future = runner.submit(backend.call, command, args, kwargs)
        if self.rm_cache:
            future.add_done_callback(lambda done: self._finished(done, None, 0.0))
        return Task(
            future,
            label=f"{self.name} {command}",
            meta=self.meta,
            timeout=self.timeout,
            filter=self.filter,
            context=self.context,
        )


def _done(value: Any) -> Any:
    import concurrent.futures as cf

    future: cf.Future[Any] = cf.Future()
    future.set_result(value)
    return future


def _hashable(values: Any) -> Any:
    if isinstance(values, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in values.items()))
    if isinstance(values, (list, tuple)):
        return tuple(_hashable(v) for v in values)
    return values
