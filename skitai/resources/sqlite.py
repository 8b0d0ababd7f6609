"""SQLite aliases (``skitai.DB_SQLITE3``): a small pool of connections to one file.

Needs nothing installed, so the examples run anywhere.  ``":memory:"`` is one
shared in-memory database per alias and worker (every connection of the pool
sees the same tables).  Statements run in threads: SQLite has no async driver.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
from typing import Any, Sequence

from .errors import PoolExhausted
from .members import parse_members
from .rows import Row, SQLResult

__all__ = ["SQLiteBackend"]


def _row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> Row:
    return Row(zip([column[0] for column in cursor.description], values, strict=True))


class SQLiteBackend:
    paramstyle = "qmark"
    dialect = "sqlite"
    has_async = False

    def __init__(self, alias: Any) -> None:
        members = parse_members(alias.members)
        if len(members) != 1:
            raise ValueError(f"SQLite alias {alias.name} takes one database file, got {alias.members!r}")
        path = members[0][0]
        self.name = alias.name
        if path == ":memory:":
            self.target, self.uri = f"file:skitai-{alias.name[1:]}-{os.getpid()}?mode=memory&cache=shared", True
        else:
            self.target, self.uri = os.path.abspath(os.path.expanduser(path)), False
        self.size = int(alias.option("pool_size"))
        self.pool_timeout = float(alias.option("pool_timeout"))
        self.timeout = float(alias.option("timeout"))
        self._idle: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._made = 0
        self._lock = threading.Lock()
        self._keeper: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.target, timeout=self.timeout, check_same_thread=False, uri=self.uri, isolation_level=None
        )
        conn.row_factory = _row
        if not self.uri:
            conn.execute("PRAGMA journal_mode=WAL")
        elif self._keeper is None:
            # NOTE: a shared in-memory database lives while one connection is open
            self._keeper = sqlite3.connect(self.target, uri=True, check_same_thread=False)
        return conn

    def _acquire(self) -> sqlite3.Connection:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._made < self.size:
                self._made += 1
                try:
                    return self._connect()
                except BaseException:
                    self._made -= 1
                    raise
        try:
            return self._idle.get(timeout=self.pool_timeout)
        except queue.Empty:
            raise PoolExhausted(self.name, self.pool_timeout) from None

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> SQLResult:
        conn = self._acquire()
        try:
            conn.execute("BEGIN")
            try:
                cursor = conn.execute(sql, params)
                rows = cursor.fetchall() if cursor.description else []
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return SQLResult(rows, cursor.rowcount)
        finally:
            self._idle.put(conn)

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break
        if self._keeper is not None:
            self._keeper.close()
            self._keeper = None
        self._made = 0
