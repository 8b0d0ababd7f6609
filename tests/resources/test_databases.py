"""context.db on real SQLite and PostgreSQL (and Redis) through a real server
process: every builder method, raw SQL, injection attempts, async routes,
result rows, pool exhaustion and reconnection."""

from __future__ import annotations

import concurrent.futures as cf
import os
import time

import httpx
import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site", "serve.py")
ITEMS = [("apple", 0), ("banana", 5), ("cherry", 10), ("a%b_c", 15)]


@pytest.fixture(scope="module")
def engine(postgres, redis_server, tmp_path_factory):
    env = {
        "RES_SQLITE": str(tmp_path_factory.mktemp("lite") / "items.db"),
        "RES_PG": postgres.dsn,
        "RES_REDIS": redis_server.member,
        "RES_DEBUG": "1",
    }
    with skitai.test_client(SITE, port=free_port(), env=env) as engine:
        yield engine


@pytest.fixture
def client(engine):
    with httpx.Client(base_url=engine.base_url + "/db", timeout=30) as client:
        yield client


@pytest.fixture(params=["lite", "pg"])
def db(request, client):
    """A fresh ``items`` table on the database, filled with ITEMS; yields its URL prefix."""
    name = request.param
    assert client.post(f"/{name}/setup").status_code == 200
    for index, (title, score) in enumerate(ITEMS):
        response = client.post(f"/{name}/items", data={"title": title, "score": score, "created_at": index})
        assert response.status_code == 201, response.text
        assert response.json() == {"id": index + 1}
    return f"/{name}"


def names(response):
    assert response.status_code == 200, response.text
    return [row["name"] for row in response.json()["items"]]


# -- select -------------------------------------------------------------------------------------------
def test_select_get_all(client, db):
    assert client.get(f"{db}/items").json()["items"][0] == {"id": 1, "name": "apple"}
    assert names(client.get(f"{db}/items")) == ["apple", "banana", "cherry", "a%b_c"]


def test_filter_like(client, db):
    assert names(client.get(f"{db}/items", params={"like": "b%"})) == ["banana"]


def test_filter_contains_matches_wildcards_literally(client, db):
    assert names(client.get(f"{db}/items", params={"contains": "%b_"})) == ["a%b_c"]
    assert names(client.get(f"{db}/items", params={"contains": "_"})) == ["a%b_c"]


def test_filter_gte_in_and_q_or(client, db):
    assert names(client.get(f"{db}/items", params={"min": 10})) == ["cherry", "a%b_c"]
    assert names(client.get(f"{db}/items", params={"names": "apple,cherry"})) == ["apple", "cherry"]
    assert names(client.get(f"{db}/items", params={"either": "banana,cherry"})) == ["banana", "cherry"]


def test_order_by_limit_offset(client, db):
    got = names(client.get(f"{db}/items", params={"order": "-id", "limit": 2, "offset": 1}))
    assert got == ["cherry", "banana"]
    assert names(client.get(f"{db}/items", params={"order": "name desc", "limit": 1})) == ["cherry"]
    assert names(client.get(f"{db}/items", params={"order": "id", "offset": 3})) == ["a%b_c"]


def test_one_finds_a_row_with_attribute_and_key_access(client, db):
    assert client.get(f"{db}/items/3").json() == {"id": 3, "name": "cherry", "score": 10}


def test_one_of_nothing_is_404(client, db):
    response = client.get(f"{db}/items/99")
    assert response.status_code == 404
    assert "found nothing" in response.json()["detail"]


def test_update_returning_and_rowcount(client, db):
    answer = client.patch(f"{db}/items/2", data={"score": 42}).json()
    assert answer == {"changed": [{"id": 2, "score": 42}], "rowcount": 1}
    assert client.get(f"{db}/items/2").json()["score"] == 42


def test_delete(client, db):
    assert client.delete(f"{db}/items/1").json() == {"deleted": 1}
    assert client.get(f"{db}/items/1").status_code == 404
    assert client.delete(f"{db}/items/1").json() == {"deleted": 0}


def test_map_with_clone_and_aggregate(client, db):
    answer = client.get(f"{db}/summary").json()
    assert answer == {
        "latest": [{"id": 4, "name": "a%b_c"}, {"id": 3, "name": "cherry"}],
        "stats": {"cnt": 3, "best": 15},
    }


def test_with_subquery(client, db):
    assert client.get(f"{db}/cte").json() == {"n": 2}


def test_raw_execute_with_parameters(client, db):
    assert client.get(f"{db}/raw", params={"title": "banana"}).json() == {"items": [{"id": 2, "name": "banana"}]}


def test_filter_option_edits_rows(client, db):
    assert {row["name"] for row in client.get(f"{db}/hidden").json()["result"]} == {"****"}


def test_async_routes_use_the_same_builder(client, db):
    assert names(client.get(f"{db}/async/items", params={"like": "%an%"})) == ["banana"]
    assert client.post(f"{db}/async/add", data={"title": "async"}).json() == {"id": 5}
    assert names(client.get(f"{db}/async/items", params={"like": "async"})) == ["async"]


# -- injection ------------------------------------------------------------------------------------------
INJECTIONS = ["x' OR '1'='1", "'; DROP TABLE items; --", 'apple" OR 1=1 --', "%' UNION SELECT 1, 'x' --"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_filter_values_are_parameters(client, db, value):
    assert names(client.get(f"{db}/items", params={"like": value})) == []
    assert names(client.get(f"{db}/items", params={"contains": value})) == []
    assert client.get(f"{db}/raw", params={"title": value}).json() == {"items": []}
    assert len(names(client.get(f"{db}/items"))) == 4


@pytest.mark.parametrize("value", INJECTIONS)
def test_inserted_values_are_stored_verbatim(client, db, value):
    created = client.post(f"{db}/items", data={"title": value, "score": 1}).json()["id"]
    assert client.get(f"{db}/items/{created}").json()["name"] == value


@pytest.mark.parametrize(
    "param, value",
    [
        ("order", "id; DROP TABLE items"),
        ("order", "id desc, (select 1)"),
        ("order", "1=1"),
        ("order", "-id desc"),
        ("limit", "1; DROP TABLE items"),
        ("limit", "-1"),
        ("offset", "1 OR 1=1"),
        ("cols", "id, (SELECT 1)"),
        ("cols", "pg_sleep(1)"),
        ("cols", "name; --"),
        ("cols", "count(*) ; x"),
    ],
)
def test_identifiers_from_user_input_are_refused_with_400(client, db, param, value):
    response = client.get(f"{db}/items", params={param: value})
    assert response.status_code == 400, response.text
    assert "invalid SQL" in response.json()["detail"]
    assert len(names(client.get(f"{db}/items"))) == 4


# -- pools ----------------------------------------------------------------------------------------------------
def _running_sleeps(dsn: str) -> int:
    import psycopg

    with psycopg.connect(f"postgresql://{dsn}", autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep%%'"
        ).fetchone()
        return int(row[0]) if row else 0


def test_pool_exhaustion_is_a_clear_503_not_a_hang(engine, postgres):
    """@pg has pool_size=2 and pool_timeout=1: two long queries hold both
    connections, a third request waits one second and gets 503."""
    url = engine.base_url + "/db/pg/sleep"
    with cf.ThreadPoolExecutor(4) as pool:
        slow = [pool.submit(httpx.get, url, params={"seconds": 6}, timeout=30) for _ in range(2)]
        # both pooled connections must be busy before the third request: ask the server, don't sleep
        deadline = time.monotonic() + 20
        while _running_sleeps(postgres.dsn) < 2:
            assert time.monotonic() < deadline, "the two slow queries never started"
            time.sleep(0.05)
        third = httpx.get(url, params={"seconds": 0}, timeout=30)
        assert [f.result().status_code for f in slow] == [200, 200]
    assert third.status_code == 503
    assert "no free connection" in third.json()["detail"] and "pool_size" in third.json()["detail"]


def test_postgres_going_away_and_coming_back(engine, postgres):
    client = httpx.Client(base_url=engine.base_url + "/db", timeout=30)
    assert client.post("/pg/setup").status_code == 200
    assert client.post("/pg/items", data={"title": "before"}).status_code == 201
    with cf.ThreadPoolExecutor(4) as pool:  # NOTE: both pools hold two connections each
        for route in ("/pg/sleep?seconds=0.3", "/pg/async/items"):
            assert {f.result().status_code for f in [pool.submit(client.get, route) for _ in range(3)]} <= {200, 503}
    postgres.stop()
    down = client.get("/pg/items")
    assert down.status_code == 503
    postgres.start()
    assert names(client.get("/pg/items")) == ["before"]
    assert names(client.get("/pg/async/items")) == ["before"]


# -- redis ---------------------------------------------------------------------------------------------------
def test_redis_commands_are_tasks(client):
    assert client.post("/redis/set", data={"key": "greeting", "value": "hello"}).json() == {"value": "hello"}
    first = client.get("/redis/async", params={"key": "counter"}).json()["value"]
    second = client.get("/redis/async", params={"key": "counter"}).json()["value"]
    assert int(second) == int(first) + 1
