"""PostgreSQL aliases (``skitai.DB_PGSQL``) on psycopg 3 pools.

Each member gets a sync ``ConnectionPool`` (statements from handler threads)
and an ``AsyncConnectionPool`` (statements awaited on the loop), each opened
on first use in the worker.  Statements run in autocommit mode.

A server that went away and came back: its pooled connections are dead, so a
statement failing on a connection psycopg marks broken is tried once more on
a fresh connection (PostgreSQL rolled the statement back when it lost the
session).  A server that stays down: the pool cannot hand out a connection
within ``pool_timeout`` and the statement fails with 503.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Sequence

from .balancer import Balancer
from .errors import PoolExhausted, ResourceUnavailable
from .members import Member, as_list, parse_member, split_weight
from .rows import Row, SQLResult

__all__ = ["PostgresBackend", "conninfo"]


def conninfo(member: Member) -> str:
    """A libpq connection string for ``user:pass@host:port/db`` (or a
    ``postgresql://`` URL as is)."""
    if member.scheme in ("postgres", "postgresql"):
        return split_weight(member.raw)[0]
    from psycopg.conninfo import make_conninfo

    parts: dict[str, Any] = {"host": member.host or "localhost"}
    if member.port:
        parts["port"] = member.port
    if member.user:
        parts["user"] = member.user
    if member.password is not None:
        parts["password"] = member.password
    if member.path:
        parts["dbname"] = member.path
    return str(make_conninfo(**parts))


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    names = [column.name for column in cursor.description] if cursor.description else []

    def make(values: Sequence[Any]) -> Row:
        return Row(zip(names, values, strict=True))

    return make


class PostgresBackend:
    paramstyle = "format"
    dialect = "postgresql"
    has_async = True

    def __init__(self, alias: Any) -> None:
        self.name = alias.name
        members = [parse_member(text) for text in as_list(alias.members)]
        self.balancer = Balancer(members, [m.weight for m in members])
        self.size = int(alias.option("pool_size"))
        self.pool_timeout = float(alias.option("pool_timeout"))
        self.timeout = float(alias.option("timeout"))
        self._sync: dict[int, Any] = {}
        self._async: dict[int, Any] = {}
        self._busy: dict[int, int] = {}
        self._abusy: dict[int, int] = {}
        self._lock = threading.Lock()

    # -- pools ------------------------------------------------------------------------
    def _kwargs(self) -> dict[str, Any]:
        return {
            "autocommit": True,
            "row_factory": _row_factory,
            "connect_timeout": max(1, int(self.pool_timeout)),
            "options": f"-c statement_timeout={int(self.timeout * 1000)}",
        }

    def _sync_pool(self, member: Member) -> Any:
        key = id(member)
        pool = self._sync.get(key)
        if pool is None:
            from psycopg_pool import ConnectionPool

            with self._lock:
                pool = self._sync.get(key)
                if pool is None:
                    pool = self._sync[key] = ConnectionPool(
                        conninfo(member),
                        min_size=1,
                        max_size=self.size,
                        timeout=self.pool_timeout,
                        kwargs=self._kwargs(),
                        open=True,
                        name=f"{self.name}-sync",
                    )
        return pool

    async def _async_pool(self, member: Member) -> Any:
        key = id(member)
        pool = self._async.get(key)
        if pool is None:
            from psycopg_pool import AsyncConnectionPool

            pool = self._async[key] = AsyncConnectionPool(
                conninfo(member),
                min_size=1,
                max_size=self.size,
                timeout=self.pool_timeout,
                kwargs=self._kwargs(),
                open=False,
                name=f"{self.name}-async",
            )
            await pool.open()
        return pool

    # -- statements -----------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> SQLResult:
        import psycopg
        from psycopg_pool import PoolTimeout

        failure: BaseException | None = None
        for member in self.balancer.order():
            for attempt in range(3):
                pool = self._sync_pool(member)
                try:
                    with pool.connection() as conn:
                        self._hold(member, 1)
                        try:
                            with conn.cursor() as cursor:
                                cursor.execute(sql, params or None)
                                rows = cursor.fetchall() if cursor.description else []
                                self.balancer.succeeded(member)
                                return SQLResult(rows, cursor.rowcount)
                        finally:
                            self._hold(member, -1)
                except PoolTimeout as exc:
                    failure = exc
                    if self._busy.get(id(member), 0) >= self.size:
                        raise PoolExhausted(self.name, self.pool_timeout) from None
                    if attempt == 2 or not self._probe(member):
                        break
                    old = self._replace(self._sync, member)
                    if old is not None:
                        old.close()
                except psycopg.OperationalError as exc:
                    failure = exc
                    if not _lost_session(exc):
                        raise
                    pool.check()  # NOTE: the other idle connections died with this one
            self.balancer.failed(member)
        raise ResourceUnavailable(self.name, failure or "no member answered") from failure

    async def aexecute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> SQLResult:
        import psycopg
        from psycopg_pool import PoolTimeout

        failure: BaseException | None = None
        for member in self.balancer.order():
            for attempt in range(3):
                pool = await self._async_pool(member)
                key = id(member)
                try:
                    async with pool.connection() as conn:
                        self._abusy[key] = self._abusy.get(key, 0) + 1
                        try:
                            async with conn.cursor() as cursor:
                                await cursor.execute(sql, params or None)
                                rows = await cursor.fetchall() if cursor.description else []
                                self.balancer.succeeded(member)
                                return SQLResult(rows, cursor.rowcount)
                        finally:
                            self._abusy[key] -= 1
                except PoolTimeout as exc:
                    failure = exc
                    if self._abusy.get(key, 0) >= self.size:
                        raise PoolExhausted(self.name, self.pool_timeout) from None
                    if attempt == 2 or not await self._aprobe(member):
                        break
                    old = self._replace(self._async, member)
                    if old is not None:
                        await old.close()
                except psycopg.OperationalError as exc:
                    failure = exc
                    if not _lost_session(exc):
                        raise
                    await pool.check()
            self.balancer.failed(member)
        raise ResourceUnavailable(self.name, failure or "no member answered") from failure

    # -- a server that came back ----------------------------------------------------
    # NOTE: a pool that failed to connect retries with a growing back-off (up to
    # minutes); once a direct connection works again, a fresh pool serves at once.
    def _probe(self, member: Member) -> bool:
        import psycopg

        try:
            psycopg.connect(conninfo(member), connect_timeout=max(1, int(self.pool_timeout))).close()
        except psycopg.Error:
            return False
        return True

    async def _aprobe(self, member: Member) -> bool:
        import psycopg

        try:
            conn = await psycopg.AsyncConnection.connect(
                conninfo(member), connect_timeout=max(1, int(self.pool_timeout))
            )
        except psycopg.Error:
            return False
        await conn.close()
        return True

    def _hold(self, member: Member, step: int) -> None:
        """Count statements holding a connection: a pool timeout with every
        connection held is exhaustion; with fewer, the server is the trouble."""
        with self._lock:
            self._busy[id(member)] = self._busy.get(id(member), 0) + step

    def _replace(self, pools: dict[int, Any], member: Member) -> Any:
        """Forget the member's pool (the next use builds a new one); returns the old one to close."""
        with self._lock:
            return pools.pop(id(member), None)

    # -- shutdown -------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            pools, self._sync = list(self._sync.values()), {}
        for pool in pools:
            pool.close()

    async def aclose(self) -> None:
        self.close()
        pools, self._async = list(self._async.values()), {}
        for pool in pools:
            await pool.close()


def _lost_session(exc: BaseException) -> bool:
    """The statement failed because the connection died (server restart, network), not because of the SQL."""
    text = str(exc).lower()
    return any(
        hint in text
        for hint in (
            "terminating connection",
            "server closed the connection",
            "connection is lost",
            "consuming input failed",
            "connection already closed",
            "the connection is closed",
            "eof",
            "broken pipe",
            "connection reset",
            "administrator command",
        )
    )
