"""skitai.alias declarations: member spellings, clear errors, custom interfaces,
and MongoDB (skipped when no server can be had)."""

from __future__ import annotations

import shutil

import pytest

import skitai
from atila.db import Database
from skitai.resources.balancer import Balancer
from skitai.resources.members import parse_member


@pytest.mark.parametrize(
    "text, parts",
    [
        ("user:pass@localhost/mydb", ("user", "pass", "localhost", None, "mydb", 1)),
        ("user:pass@localhost:5433/mydb 20", ("user", "pass", "localhost", 5433, "mydb", 20)),
        ("localhost/0", (None, None, "localhost", None, "0", 1)),
        ("s1.myserver.com", (None, None, "s1.myserver.com", None, "", 1)),
        ("me:p%40ss@[::1]:6379/2 3", ("me", "p@ss", "::1", 6379, "2", 3)),
    ],
)
def test_member_spellings(text, parts):
    member = parse_member(text)
    assert (member.user, member.password, member.host, member.port, member.path, member.weight) == parts


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: skitai.alias("nodb", skitai.DB_SQLITE3, "x.db"), "look like '@name'"),
        (lambda: skitai.alias("@x", "*nothing", "x"), "unknown alias kind"),
        (lambda: skitai.alias("@x", skitai.DB_SQLITE3, "x.db", pool=3), "unknown options"),
        (lambda: skitai.alias("@x", skitai.DB_PGSQL, "u@host:99999/db"), "bad port"),
        (lambda: skitai.alias("@x", skitai.DB_REDIS, "localhost/zero"), "database number"),
        (lambda: skitai.alias("@x", skitai.PROTO_HTTP, []), "at least one member"),
        (lambda: skitai.alias("@x", skitai.DB_MONGODB, "localhost"), "host:port/database"),
    ],
)
def test_bad_declarations_fail_at_declaration_with_the_reason(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_balancer_prefers_healthy_members():
    balancer = Balancer(["a", "b"], [1, 1])
    balancer.failed("a")
    assert [balancer.order()[0] for _ in range(20)] == ["b"] * 20
    balancer.succeeded("a")
    assert {balancer.order()[0] for _ in range(200)} == {"a", "b"}


class UpperStore:
    """A custom backend: commands through ``call``."""

    dialect = "upper"

    def __init__(self, alias):
        self.prefix = alias.members[0]

    def call(self, name, args, kwargs):
        return f"{self.prefix}:{name}:{','.join(map(str, args))}".upper()

    def close(self):
        pass


def test_custom_database_interface():
    skitai.add_database_interface("*upper", UpperStore)
    skitai.alias("@upper", "*upper", "mem")
    assert Database(None, "@upper").shout(1, 2).fetch() == "MEM:SHOUT:1,2"


@pytest.mark.process
def test_mongodb_alias_against_a_real_server():
    if shutil.which("mongod") is None:
        pytest.skip(
            "MongoDB: no server obtainable here (Debian has no mongodb-server package and downloading "
            "server binaries is not allowed); the @mongo alias is covered by declaration tests only"
        )
    import subprocess
    import tempfile

    from skitai.testing.client import free_port

    port = free_port()
    data = tempfile.mkdtemp()
    server = subprocess.Popen(["mongod", "--port", str(port), "--bind_ip", "127.0.0.1", "--dbpath", data])
    try:
        skitai.alias("@mongo", skitai.DB_MONGODB, f"127.0.0.1:{port}/test/cities")
        db = Database(None, "@mongo")
        db.insert_one({"city": "New York"}).commit()
        assert [doc["city"] for doc in db.find({"city": "New York"}).fetch()] == ["New York"]
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(data, ignore_errors=True)
