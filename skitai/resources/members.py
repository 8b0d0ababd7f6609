"""Alias members: the strings of ``skitai.alias("@name", kind, members)``.

Documented spellings: ``"user:pass@host:port/db"``, ``"localhost/0"``,
``"./sqlite3.db"``, ``"s1.myserver.com"``, each optionally followed by a space
and a weight (``"user:pass@localhost/mydb 20"``) used by load balancing.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import unquote

__all__ = ["Member", "parse_member", "parse_members", "split_weight", "as_list"]


@dataclasses.dataclass(frozen=True)
class Member:
    """One server of an alias (or one SQLite file: only ``raw`` then)."""

    raw: str
    weight: int = 1
    user: str | None = None
    password: str | None = None
    host: str = ""
    port: int | None = None
    path: str = ""
    scheme: str = ""

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}" if self.port else self.host


def split_weight(text: str) -> tuple[str, int]:
    head, _, tail = text.strip().rpartition(" ")
    if head and tail.isdigit():
        weight = int(tail)
        if weight < 1:
            raise ValueError(f"alias member weight must be 1 or more, got {text!r}")
        return head.strip(), weight
    return text.strip(), 1


def parse_member(text: str) -> Member:
    """``"user:pass@host:port/path 20"`` -> :class:`Member` (every part optional
    but the host).

    Example:
        >>> m = parse_member("me:secret@db.local:5433/shop 20")
        >>> (m.user, m.password, m.host, m.port, m.path, m.weight)
        ('me', 'secret', 'db.local', 5433, 'shop', 20)
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"alias member must be a non-empty string, got {text!r}")
    body, weight = split_weight(text)
    scheme = ""
    if "://" in body:
        scheme, _, body = body.partition("://")
    credentials, at, location = body.rpartition("@")
    if not at:
        credentials, location = "", body
    user = password = None
    if credentials:
        user, colon, secret = credentials.partition(":")
        user = unquote(user)
        password = unquote(secret) if colon else None
    hostport, slash, path = location.partition("/")
    host, port = hostport, None
    if hostport.startswith("["):  # [::1]:5432
        close = hostport.find("]")
        host, rest = hostport[1:close], hostport[close + 1 :]
        if rest.startswith(":"):
            port = _port(rest[1:], text)
    elif hostport.count(":") == 1:
        host, _, number = hostport.partition(":")
        port = _port(number, text)
    return Member(text, weight, user, password, host, port, path if slash else "", scheme)


def _port(number: str, text: str) -> int:
    if not number.isdigit() or not 0 < int(number) < 65536:
        raise ValueError(f"alias member {text!r} has a bad port {number!r}")
    return int(number)


def parse_members(members: object) -> list[tuple[str, int]]:
    """The raw member strings with their weights, for kinds that are not
    host-based (SQLite paths)."""
    return [split_weight(text) for text in as_list(members)]


def as_list(members: object) -> list[str]:
    if isinstance(members, str):
        return [members]
    if isinstance(members, (list, tuple)) and all(isinstance(m, str) for m in members):
        return list(members)
    raise TypeError(f"alias members must be a string or a list of strings, got {members!r}")
