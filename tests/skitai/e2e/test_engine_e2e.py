"""Flask, Django, ASGI, Atila and static folders on one port, in a real server process."""

from __future__ import annotations

import os
import socket
from typing import Iterator

import pytest

import skitai
from skitai.testing.client import TestClient, free_port

SERVE = os.path.join(os.path.dirname(__file__), "site", "serve.py")


@pytest.fixture(scope="module")
def cli() -> Iterator[TestClient]:
    with skitai.test_client(SERVE, port=free_port()) as client:
        yield client


def test_wsgi_script_name_and_path_info(cli: TestClient) -> None:
    assert cli.get("/flask/where").json() == {"script_name": "/flask", "path_info": "/where"}


def test_wsgi_request_body(cli: TestClient) -> None:
    assert cli.post("/flask/upload", data=b"x" * 100_000).json() == {"size": 100_000}


def test_django_through_the_string_form(cli: TestClient) -> None:
    assert cli.get("/django/where").json() == {
        "script_name": "/django", "path": "/django/where", "path_info": "/where"
    }
    resp = cli.post("/django/echo?q=x", data=b"y" * 5000, headers={"content-type": "application/octet-stream"})
    assert resp.json() == {"method": "POST", "size": 5000, "q": "x"}


def test_asgi_root_path(cli: TestClient) -> None:
    assert cli.get("/asgi/hello").text == "asgi /asgi /asgi/hello"


def test_static_wins_over_app_route_on_the_same_prefix(cli: TestClient) -> None:
    resp = cli.get("/js/app.js")
    assert resp.text == "console.log(1)\n"
    assert resp.headers["cache-control"] == "max-age=300"


def test_app_gets_what_static_does_not_have(cli: TestClient) -> None:
    assert cli.get("/api/ping").json() == {"pong": True}
    assert "SPA" in cli.get("/some/client/route").text


def test_head_matches_get(cli: TestClient) -> None:
    get = cli.get("/public/readme.txt")
    head = cli.head("/public/readme.txt")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"] == str(len(b"public file\n"))


def test_longest_prefix_wins(cli: TestClient) -> None:
    assert cli.get("/public/readme.txt").text == "public file\n"
    assert cli.get("/public/missing.txt").status_code == 404


def test_raw_pipelined_requests_are_answered_in_order(cli: TestClient) -> None:
    port = cli.port
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /flask/where HTTP/1.1\r\nHost: a\r\n\r\n"
                     b"GET /asgi/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    first, second = data.index(b"/where"), data.index(b"asgi /asgi /asgi/x")
    assert data.count(b"HTTP/1.1 200 OK") == 2 and first < second
