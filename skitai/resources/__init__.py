"""Resource aliases: ``skitai.alias("@name", kind, members)`` names a database or
an HTTP upstream once, and every worker gets its own pool for it.

Example::

    import skitai

    skitai.alias("@db", skitai.DB_SQLITE3, "app.db")
    skitai.alias("@pg", skitai.DB_PGSQL, ["user:pass@localhost/shop 20", "user:pass@replica/shop 10"])
    skitai.alias("@api", skitai.PROTO_HTTP, ["127.0.0.1:8001", "127.0.0.1:8002"])
"""

from __future__ import annotations

from typing import Any

from . import kinds as _kinds
from .errors import PoolExhausted, ResourceError, ResourceUnavailable, TaskTimeout, UnknownAlias
from .kinds import *  # noqa: F403  (the constants, named once in kinds.__all__)
from .registry import Alias, Registry, current_registry
from .rows import Row, SQLResult

__all__ = [
    "alias",
    "add_database_interface",
    "current_registry",
    "Alias",
    "Registry",
    "Row",
    "SQLResult",
    "ResourceError",
    "PoolExhausted",
    "ResourceUnavailable",
    "TaskTimeout",
    "UnknownAlias",
]
__all__ += _kinds.__all__


def alias(name: str, kind: str, members: Any, **options: Any) -> Alias:
    """Declare ``name`` (``"@mydb"``) as a ``kind`` resource served by ``members``.

    Options: ``pool_size`` (connections per worker and member, default 10),
    ``pool_timeout`` (seconds to wait for a free connection before a 503,
    default 5) and ``timeout`` (seconds a query or request may take before a
    504, default 10).
    """
    return current_registry().declare(name, kind, members, **options)


def add_database_interface(kind: str, cls: Any) -> None:
    """Serve aliases of ``kind`` with ``cls(alias)`` (a custom backend)."""
    current_registry().add_interface(kind, cls)
