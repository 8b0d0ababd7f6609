"""Redis aliases (``skitai.DB_REDIS``): redis-py clients, sync and asyncio.

Both clients use a blocking connection pool of ``pool_size`` connections, so a
burst waits up to ``pool_timeout`` for a connection instead of opening
unbounded ones.  Replies are decoded to str.  redis-py reconnects by itself
after the server comes back.
"""

from __future__ import annotations

from typing import Any

from .errors import PoolExhausted, ResourceUnavailable
from .members import as_list, parse_member

__all__ = ["RedisBackend"]


class RedisBackend:
    dialect = "redis"
    has_async = True

    def __init__(self, alias: Any) -> None:
        members = as_list(alias.members)
        if len(members) != 1:
            raise ValueError(f"Redis alias {alias.name} takes one server, got {alias.members!r}")
        member = parse_member(members[0])
        if member.path and not member.path.isdigit():
            raise ValueError(f"Redis alias {alias.name}: the path is the database number, got {member.path!r}")
        self.name = alias.name
        self.settings: dict[str, Any] = {
            "host": member.host or "localhost",
            "port": member.port or 6379,
            "db": int(member.path or 0),
            "username": member.user,
            "password": member.password,
            "decode_responses": True,
            "socket_timeout": float(alias.option("timeout")),
            "socket_connect_timeout": float(alias.option("timeout")),
        }
        self.size = int(alias.option("pool_size"))
        self.pool_timeout = float(alias.option("pool_timeout"))
        self._sync: Any = None
        self._async: Any = None

    def client(self) -> Any:
        if self._sync is None:
            import redis

            pool = redis.BlockingConnectionPool(  # type: ignore[no-untyped-call]
                max_connections=self.size, timeout=self.pool_timeout, **self.settings
            )
            self._sync = redis.Redis(connection_pool=pool)
        return self._sync

    def aclient(self) -> Any:
        if self._async is None:
            import redis.asyncio

            pool = redis.asyncio.BlockingConnectionPool(
                max_connections=self.size, timeout=self.pool_timeout, **self.settings
            )
            self._async = redis.asyncio.Redis(connection_pool=pool)
        return self._async

    def command(self, name: str) -> None:
        """Refuse what is not a Redis command of the client (typos, private names)."""
        import redis

        if name.startswith("_") or not callable(getattr(redis.Redis, name, None)):
            raise AttributeError(f"{self.name}: {name!r} is not a redis-py command")

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        import redis

        try:
            return getattr(self.client(), name)(*args, **kwargs)
        except redis.ConnectionError as exc:
            if "too many connections" in str(exc).lower() or "no connection available" in str(exc).lower():
                raise PoolExhausted(self.name, self.pool_timeout) from exc
            raise ResourceUnavailable(self.name, exc) from exc

    async def acall(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        import redis

        try:
            return await getattr(self.aclient(), name)(*args, **kwargs)
        except redis.ConnectionError as exc:
            if "too many connections" in str(exc).lower() or "no connection available" in str(exc).lower():
                raise PoolExhausted(self.name, self.pool_timeout) from exc
            raise ResourceUnavailable(self.name, exc) from exc

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()
            self._sync.connection_pool.disconnect()
            self._sync = None

    async def aclose(self) -> None:
        self.close()
        if self._async is not None:
            client, self._async = self._async, None
            await client.aclose()
            await client.connection_pool.disconnect()
