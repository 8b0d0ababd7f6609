"""``app.store`` values and revocations shared by the workers of one host: one
SQLite file (WAL journal) in the folder the master made before forking.

Why SQLite: atomic read-modify-write across processes (``incr``) and expiry
need a real store, and a shared memory map of arbitrary values would be a
database written by hand.  Values are JSON.  Each process opens its own
connection (after the fork), guarded by a lock for its threads.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from typing import Any, Callable, TypeVar

from .interface import JSON

__all__ = ["HostStore", "HostValues", "HostRevocations", "to_json"]

T = TypeVar("T")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS kv (ns TEXT NOT NULL, k TEXT NOT NULL, v TEXT NOT NULL, PRIMARY KEY (ns, k))",
    "CREATE TABLE IF NOT EXISTS rev (kind TEXT NOT NULL, id TEXT NOT NULL, until REAL NOT NULL, "
    "PRIMARY KEY (kind, id))",
)


def to_json(value: Any, what: str) -> str:
    try:
        return json.dumps(value, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} is shared by every worker as JSON, and this value is not JSON: {exc}") from None


class HostStore:
    def __init__(self, path: str) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def create(self) -> None:
        """In the master: make the file and its tables."""
        with sqlite3.connect(self.path) as db:
            db.execute("PRAGMA journal_mode=WAL")
            for statement in _SCHEMA:
                db.execute(statement)
        db.close()

    def db(self) -> sqlite3.Connection:
        """This process's connection (call with the lock held)."""
        if self._db is None or self._pid != os.getpid():
            self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._pid = os.getpid()
        return self._db

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:
            return self.db().execute(sql, params).fetchall()

    def atomically(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work(db)`` inside one ``BEGIN IMMEDIATE`` (one writer host-wide)."""
        with self._lock:
            db = self.db()
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

    def transaction(self, statements: list[tuple[str, tuple[Any, ...]]]) -> list[list[Any]]:
        """Several statements in one transaction; the rows of each."""
        return self.atomically(lambda db: [db.execute(sql, params).fetchall() for sql, params in statements])


class HostValues:
    def __init__(self, store: HostStore, namespace: str) -> None:
        self._store = store
        self.namespace = namespace

    def get(self, key: str) -> JSON:
        rows = self._store.run("SELECT v FROM kv WHERE ns=? AND k=?", (self.namespace, key))
        if not rows:
            raise KeyError(key)
        return json.loads(rows[0][0])

    def set(self, key: str, value: JSON) -> None:
        encoded = to_json(value, f"store[{key!r}]")
        self._store.run("INSERT OR REPLACE INTO kv (ns, k, v) VALUES (?, ?, ?)", (self.namespace, key, encoded))

    def delete(self, key: str) -> None:
        deleted = self._store.transaction(
            [
                ("SELECT 1 FROM kv WHERE ns=? AND k=?", (self.namespace, key)),
                ("DELETE FROM kv WHERE ns=? AND k=?", (self.namespace, key)),
            ]
        )
        if not deleted[0]:
            raise KeyError(key)

    def incr(self, key: str, amount: int | float) -> int | float:
        def add(db: sqlite3.Connection) -> int | float:
            found = db.execute("SELECT v FROM kv WHERE ns=? AND k=?", (self.namespace, key)).fetchone()
            current = json.loads(found[0]) if found else 0
            if not isinstance(current, (int, float)) or isinstance(current, bool):
                raise TypeError(f"store[{key!r}] holds {type(current).__name__}, incr needs a number")
            value: int | float = current + amount
            db.execute(
                "INSERT OR REPLACE INTO kv (ns, k, v) VALUES (?, ?, ?)", (self.namespace, key, json.dumps(value))
            )
            return value

        return self._store.atomically(add)

    def keys(self) -> list[str]:
        return [row[0] for row in self._store.run("SELECT k FROM kv WHERE ns=? ORDER BY k", (self.namespace,))]


class HostRevocations:
    def __init__(self, store: HostStore) -> None:
        self._store = store

    def revoke(self, kind: str, ident: str, until: float) -> None:
        self._store.transaction(
            [
                ("DELETE FROM rev WHERE until <= ?", (time.time(),)),
                ("INSERT OR REPLACE INTO rev (kind, id, until) VALUES (?, ?, ?)", (kind, ident, until)),
            ]
        )

    def is_revoked(self, kind: str, ident: str) -> bool:
        rows = self._store.run("SELECT 1 FROM rev WHERE kind=? AND id=? AND until > ?", (kind, ident, time.time()))
        return bool(rows)

    def claim(self, kind: str, ident: str, until: float) -> bool:
        now = time.time()
        found, _, _ = self._store.transaction(
            [
                ("SELECT 1 FROM rev WHERE kind=? AND id=? AND until > ?", (kind, ident, now)),
                ("DELETE FROM rev WHERE until <= ?", (now,)),
                ("INSERT OR IGNORE INTO rev (kind, id, until) VALUES (?, ?, ?)", (kind, ident, until)),
            ]
        )
        return not found
