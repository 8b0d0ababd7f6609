"""MongoDB aliases (``skitai.DB_MONGODB``): one pymongo client per worker.

The member is ``host[:port]/database[/collection]``; commands go to the
collection named in the member or chosen with ``db.collection("name")``.
Commands run in threads (pymongo's client is thread-safe and pooled).
"""

from __future__ import annotations

from typing import Any

from .errors import ResourceUnavailable
from .members import as_list, parse_member

__all__ = ["MongoBackend"]


class MongoBackend:
    dialect = "mongodb"
    has_async = False

    def __init__(self, alias: Any) -> None:
        members = [parse_member(text) for text in as_list(alias.members)]
        database, _, collection = members[0].path.partition("/")
        if not database:
            raise ValueError(
                f"MongoDB alias {alias.name}: members look like 'host:port/database[/collection]', "
                f"got {alias.members!r}"
            )
        self.name = alias.name
        self.hosts = [m.netloc or "localhost" for m in members]
        self.database = database
        self.collection_name = collection or None
        self.user, self.password = members[0].user, members[0].password
        self.size = int(alias.option("pool_size"))
        self.pool_timeout = float(alias.option("pool_timeout"))
        self.timeout = float(alias.option("timeout"))
        self._client: Any = None

    def client(self) -> Any:
        if self._client is None:
            import pymongo

            self._client = pymongo.MongoClient(
                self.hosts,
                username=self.user,
                password=self.password,
                maxPoolSize=self.size,
                waitQueueTimeoutMS=int(self.pool_timeout * 1000),
                serverSelectionTimeoutMS=int(self.timeout * 1000),
                socketTimeoutMS=int(self.timeout * 1000),
                tz_aware=True,
            )
        return self._client

    def call(self, collection: str | None, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        import pymongo.errors

        target = collection or self.collection_name
        if not target:
            raise ValueError(f"{self.name}: no collection; name it in the member or use db.collection('name')")
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            result = getattr(self.client()[self.database][target], name)(*args, **kwargs)
            if hasattr(result, "to_list"):
                return list(result)
            return result
        except (pymongo.errors.ServerSelectionTimeoutError, pymongo.errors.AutoReconnect) as exc:
            raise ResourceUnavailable(self.name, exc) from exc

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
