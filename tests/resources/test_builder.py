"""The SQL builder: the SQL text and parameters it makes, and each lookup run
against real SQLite and PostgreSQL in-process (the same Database a handler gets)."""

from __future__ import annotations

import pytest

import skitai
from atila.db import Database, InvalidIdentifier, Q, Row
from atila.db.builder import Query

pytestmark = pytest.mark.process


def sql(query, style="qmark", dialect="sqlite"):
    return query.compile(style, dialect)


def test_select_compiles_with_placeholders():
    query = (
        Query(None, "select", "foo")
        .get("id, name")
        .filter(name__like="x%", id__gt=3)
        .filter(Q(a=1) | Q(b=2))
        .order_by("-created_at")
        .limit(10)
        .offset(20)
    )
    assert sql(query) == (
        "SELECT id, name FROM foo WHERE (name LIKE ? AND id > ?) AND ((a = ?) OR (b = ?)) "
        "ORDER BY created_at DESC LIMIT ? OFFSET ?",
        ["x%", 3, 1, 2, 10, 20],
    )
    assert sql(query, "format", "postgresql")[0].count("%s") == 6


def test_insert_update_delete_compile():
    assert sql(Query(None, "insert", "t").set(name="x").returning("id")) == (
        "INSERT INTO t (name) VALUES (?) RETURNING id",
        ["x"],
    )
    assert sql(Query(None, "update", "t").set(name="y").filter(id=1)) == (
        "UPDATE t SET name = ? WHERE (id = ?)",
        ["y", 1],
    )
    assert sql(Query(None, "delete", "t").filter(id__in=[1, 2])) == ("DELETE FROM t WHERE (id IN (?, ?))", [1, 2])


def test_with_aggregate_and_clone():
    root = Query(None, "select", "foo").filter(detail="ReturnTx").order_by("-id").limit(10)
    counted = root.clone().aggregate("count (id) as cnt")
    assert sql(counted) == ("SELECT count(id) AS cnt FROM foo WHERE (detail = ?)", ["ReturnTx"])
    assert "LIMIT" in sql(root)[0]
    outer = Query(None, "select", "a").with_("a", Query(None, "select", "foo").filter(x=1))
    assert sql(outer) == ("WITH a AS (SELECT * FROM foo WHERE (x = ?)) SELECT * FROM a", [1])


def test_q_negation_and_none():
    query = Query(None, "select", "t").filter(~Q(a=1) & Q(b=None), c__neq=None)
    assert sql(query) == ("SELECT * FROM t WHERE ((NOT ((a = ?))) AND (b IS NULL)) AND (c IS NOT NULL)", [1])


@pytest.mark.parametrize(
    "build",
    [
        lambda: Query(None, "select", "t; drop table t"),
        lambda: Query(None, "select", "t").get("id from t; --"),
        lambda: Query(None, "select", "t").get("sleep(1)"),
        lambda: Query(None, "select", "t").order_by("id) desc"),
        lambda: Query(None, "select", "t").filter(**{"id = 1 or 1": 1}),
        lambda: Query(None, "select", "t").limit("10 --"),
        lambda: Query(None, "select", "t").limit(True),
        lambda: Query(None, "update", "t").set(**{"a = 1, b": 2}),
        lambda: Query(None, "select", "t").group_by("a; b"),
        lambda: Query(None, "select", "t").with_("x y", Query(None, "select", "t")),
        lambda: Query(None, "select", "t").filter(id__in="1, 2"),
    ],
)
def test_unsafe_names_are_refused(build):
    with pytest.raises(InvalidIdentifier) as caught:
        built = build()
        built.compile()
    assert caught.value.status == 400


def test_row_access():
    row = Row(id=1, name="x")
    assert (row.id, row["name"]) == (1, "x")
    row.name = "****"
    assert row == {"id": 1, "name": "****"}
    with pytest.raises(AttributeError, match="no column"):
        row.missing


# -- against real databases ------------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        skitai.alias("@builder_lite", skitai.DB_SQLITE3, str(tmp_path / "b.db"))
        name, serial = "@builder_lite", "INTEGER PRIMARY KEY AUTOINCREMENT"
    else:
        server = request.getfixturevalue("postgres")
        skitai.alias("@builder_pg", skitai.DB_PGSQL, server.dsn)
        name, serial = "@builder_pg", "SERIAL PRIMARY KEY"
    db = Database(None, name)
    db.execute("DROP TABLE IF EXISTS t").commit()
    db.execute(f"CREATE TABLE t (id {serial}, name TEXT, score INTEGER, grp TEXT)").commit()
    for name_, score, grp in [("Alpha", 1, "a"), ("beta", 2, "a"), ("gamma", None, "b"), ("100%", 4, "b")]:
        db.insert("t").data(name=name_, score=score, grp=grp).execute().commit()
    yield db
    db.execute("DROP TABLE t").commit()


def pick(db, **lookups):
    return [row.name for row in db.select("t").get("name").filter(**lookups).order_by("id").execute().fetch()]


@pytest.mark.parametrize(
    "lookups, expected",
    [
        ({"name": "beta"}, ["beta"]),
        ({"name__eq": "beta"}, ["beta"]),
        ({"name__neq": "beta"}, ["Alpha", "gamma", "100%"]),
        ({"score__gt": 1}, ["beta", "100%"]),
        ({"score__gte": 2, "score__lt": 4}, ["beta"]),
        ({"score__lte": 1}, ["Alpha"]),
        ({"score__between": (2, 4)}, ["beta", "100%"]),
        ({"score__isnull": True}, ["gamma"]),
        ({"score__isnull": False}, ["Alpha", "beta", "100%"]),
        ({"score": None}, ["gamma"]),
        ({"name__in": ["Alpha", "gamma"]}, ["Alpha", "gamma"]),
        ({"name__in": []}, []),
        ({"name__notin": ["Alpha", "gamma"]}, ["beta", "100%"]),
        ({"name__like": "%a"}, ["Alpha", "beta", "gamma"]),
        ({"name__notlike": "%a"}, ["100%"]),
        ({"name__ilike": "alpha"}, ["Alpha"]),
        ({"name__startswith": "be"}, ["beta"]),
        ({"name__endswith": "0%"}, ["100%"]),
        ({"name__contains": "%"}, ["100%"]),
    ],
)
def test_lookups(database, lookups, expected):
    assert pick(database, **lookups) == expected


def test_regex_on_postgresql_only(database):
    if database.backend.dialect == "postgresql":
        assert pick(database, name__regex="^[ab]") == ["beta"]
    else:
        with pytest.raises(InvalidIdentifier):
            pick(database, name__regex="^[ab]")


def test_exclude_group_by_and_aggregates(database):
    assert pick(database.__class__(None, database.name), grp="a") == ["Alpha", "beta"]
    rows = (
        database.select("t")
        .get("grp", "count(id) as n", "max(score) as top")
        .group_by("grp")
        .order_by("grp")
        .execute()
        .fetch()
    )
    assert rows == [{"grp": "a", "n": 2, "top": 2}, {"grp": "b", "n": 2, "top": 4}]
    left = database.select("t").get("name").exclude(grp="a").order_by("name").execute().fetch()
    assert [row.name for row in left] == ["100%", "gamma"]


def test_delete_returning_and_rowcount(database):
    task = database.delete("t").filter(grp="b").returning("name").execute()
    assert sorted(row.name for row in task.fetch()) == ["100%", "gamma"]
    update = database.update("t").set(score=0).execute()
    update.commit()
    assert update.rowcount == 2


def test_sql_errors_surface_at_fetch(database):
    task = database.execute("SELECT nothing FROM t")
    with pytest.raises(Exception, match="nothing"):
        task.fetch()


def test_unknown_alias_names_the_fix():
    with pytest.raises(LookupError, match="skitai.alias"):
        Database(None, "@nowhere")


@pytest.fixture(autouse=True, scope="module")
def close_pools():
    yield
    import asyncio

    from skitai.resources import current_registry

    asyncio.run(current_registry().close())
