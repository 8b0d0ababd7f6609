"""Alias kinds (``skitai.DB_PGSQL`` ...), request statuses (``skitai.STA_NORMAL``
...) and the default alias options."""

from __future__ import annotations

from typing import Any

#: the public constants, listed once: ``skitai.resources`` and ``skitai`` re-export
#: exactly these (the tables below stay importable by name, for the registry)
__all__ = [
    "DB_PGSQL",
    "DB_POSTGRESQL",
    "DB_SQLITE3",
    "DB_REDIS",
    "DB_MONGODB",
    "PROTO_HTTP",
    "PROTO_HTTPS",
    "STA_UNSENT",
    "STA_REQFAIL",
    "STA_TIMEOUT",
    "STA_NETERR",
    "STA_NORMAL",
]

DB_PGSQL = "*postgresql"
DB_POSTGRESQL = DB_PGSQL
DB_SQLITE3 = "*sqlite3"
DB_REDIS = "*redis"
DB_MONGODB = "*mongodb"
PROTO_HTTP = "http"
PROTO_HTTPS = "https"

HTTP_KINDS = frozenset({PROTO_HTTP, PROTO_HTTPS})
SQL_KINDS = frozenset({DB_PGSQL, DB_SQLITE3})

# the status of one upstream request, as ``dispatch()`` reports it
STA_UNSENT = 0
STA_REQFAIL = 1
STA_TIMEOUT = 2
STA_NETERR = 3
STA_NORMAL = 4

BUILTIN_INTERFACES: dict[str, Any] = {
    DB_SQLITE3: "skitai.resources.sqlite:SQLiteBackend",
    DB_PGSQL: "skitai.resources.postgres:PostgresBackend",
    DB_REDIS: "skitai.resources.redis:RedisBackend",
    DB_MONGODB: "skitai.resources.mongo:MongoBackend",
    PROTO_HTTP: "skitai.resources.http:HTTPBackend",
    PROTO_HTTPS: "skitai.resources.http:HTTPBackend",
}

DEFAULT_OPTIONS: dict[str, Any] = {
    #: connections per pool (per worker, per member)
    "pool_size": 10,
    #: seconds a query waits for a free connection before a 503
    "pool_timeout": 5.0,
    #: seconds a query or upstream request may take before a 504
    "timeout": 10.0,
}
