"""context.stub / xmlrpc / jsonrpc and ProxyPass on @aliases, against real
upstream servers (tests/resources/upstreams.py)."""

from __future__ import annotations

import os

import httpx
import pytest
from upstreams import echo_server, jsonrpc_server, xmlrpc_server

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site", "serve.py")


@pytest.fixture(scope="module")
def servers():
    made = {
        "a": echo_server("a"),
        "b": echo_server("b"),
        "plain": echo_server("plain"),
        "xml": xmlrpc_server(),
        "json": jsonrpc_server(),
    }
    yield made
    for server in made.values():
        server.close()


@pytest.fixture(scope="module")
def engine(servers):
    dead = f"127.0.0.1:{free_port()}"
    env = {
        "RES_UPSTREAMS": f"{servers['a'].member} 2,{servers['b'].member} 1",
        "RES_FLAKY": f"{dead} 5,{servers['b'].member}",
        "RES_XMLRPC": servers["xml"].member,
        "RES_JSONRPC": servers["json"].member,
        "RES_PLAIN_URL": f"http://{servers['plain'].member}",
    }
    with skitai.test_client(SITE, port=free_port(), env=env) as engine:
        yield engine


@pytest.fixture
def client(engine):
    with httpx.Client(base_url=engine.base_url, timeout=30) as client:
        yield client


def test_get_fills_and_quotes_the_path(client):
    data = client.get("/stub/get").json()["data"]
    assert data["method"] == "GET"
    assert data["path"] == "/v1/profiles/a%20b%2Fc?limit=10"


def test_put_payload_and_dispatch(client):
    answer = client.get("/stub/put").json()
    assert answer["data"]["method"] == "PUT" and answer["data"]["path"] == "/profiles/100"
    assert answer["data"]["body"] == '{"name":"Hans Roh"}' and answer["data"]["type"] == "application/json"
    assert answer["posted"] == "plain text"
    assert (answer["status"], answer["status_code"]) == (skitai.STA_NORMAL, 200)


def test_dispatch_gives_an_error_answer_fetch_raises_502(client):
    assert client.get("/stub/missing").json() == {"status_code": 404, "text_has_server": True, "data": "/missing"}
    response = client.get("/stub/missing-fetch")
    assert response.status_code == 502
    assert "answered 404" in response.json()["detail"]


def test_load_balancing_reaches_every_member(client):
    assert client.get("/stub/lb", params={"n": 40}).json() == {"servers": ["a", "b"]}


def test_a_dead_member_is_skipped(client):
    assert client.get("/stub/failover").json() == {"servers": ["b"] * 6}


def test_map_dispatches_to_every_member(client):
    answer = client.get("/stub/map").json()
    assert answer["servers"] == ["b"]
    assert sorted(answer["statuses"]) == sorted([answer["normal"], answer["neterr"]])


def test_upstream_timeout_is_504(client):
    response = client.get("/stub/timeout")
    assert response.status_code == 504


def test_plain_url_stub(client):
    assert client.get("/stub/url").json() == {"data": "/base/x"}


def test_async_stub_and_map(client):
    assert client.get("/stub/async").json() == {"data": '{"k":1}', "servers": ["a", "b"]}


def test_xmlrpc(client):
    assert client.get("/rpc/xml").json() == {"sum": 1108}
    assert client.get("/rpc/xml-fault").json() == {"fault": True}


def test_jsonrpc(client):
    assert client.get("/rpc/json").json() == {"sum": 3, "kw": 7, "error": -32601}


def test_proxypass_on_an_alias(client):
    answer = client.get("/proxy/hello", params={"x": "1"}).json()
    assert answer["path"] == "/hello?x=1" and answer["server"] in ("a", "b")
