"""Flask, Django, ASGI, Atila and static folders on one port, in a real server process."""

from __future__ import annotations

import os
import socket
from typing import Iterator

import pytest

import skitai
from skitai.testing.client import TestClient, free_port

pytestmark = pytest.mark.process

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
    assert cli.get("/django/where").json() == {"script_name": "/django", "path": "/django/where", "path_info": "/where"}
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
        sock.sendall(
            b"GET /flask/where HTTP/1.1\r\nHost: a\r\n\r\nGET /asgi/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    first, second = data.index(b"/where"), data.index(b"asgi /asgi /asgi/x")
    assert data.count(b"HTTP/1.1 200 OK") == 2 and first < second


def test_nested_prefix_beats_the_app_mounted_above_it(cli: TestClient) -> None:
    assert cli.get("/flask/deep/er/x/y").json() == {"script_name": "/flask/deep/er", "path_info": "/x/y"}
    assert cli.get("/flask/deep/er").json() == {"script_name": "/flask/deep/er", "path_info": ""}
    assert cli.get("/flask/deep/erx").status_code == 404  # Flask's: a prefix matches whole segments


def test_pref_body_limit_on_a_wsgi_mount_is_413_past_it(cli: TestClient) -> None:
    assert cli.post("/limited", data=b"x" * 64).text == "got 64"
    assert cli.post("/limited", data=b"x" * 65).status_code == 413


def test_pref_body_limit_counts_a_chunked_body(cli: TestClient) -> None:
    resp = cli.post("/limited", data=iter([b"x" * 40, b"x" * 40]))
    assert resp.status_code == 413


def test_flask_streaming_response_is_chunked(cli: TestClient) -> None:
    resp = cli.get("/flask/stream")
    assert resp.headers["transfer-encoding"] == "chunked" and resp.text == "line 0\nline 1\nline 2\n"


def test_head_of_a_streaming_wsgi_response_claims_no_length(cli: TestClient) -> None:
    for path in ("/flask/stream", "/stream"):
        head = cli.head(path)
        assert head.status_code == 200 and head.content == b""
        assert "content-length" not in head.headers, path


def raw_exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_expect_continue_on_a_wsgi_app_is_answered_by_size(cli: TestClient) -> None:
    with socket.create_connection(("127.0.0.1", cli.port), timeout=10) as sock:
        sock.sendall(
            b"POST /limited HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
            b"Content-Length: 10\r\nConnection: close\r\n\r\n"
        )
        interim = b""
        while b"\r\n\r\n" not in interim and (chunk := sock.recv(65536)):
            interim += chunk
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"x" * 10)
        rest = b""
        while chunk := sock.recv(65536):
            rest += chunk
    assert rest.startswith(b"HTTP/1.1 200") and rest.endswith(b"got 10")
    refused = raw_exchange(
        cli.port, b"POST /limited HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n"
    )
    assert refused.startswith(b"HTTP/1.1 413") and b"100 Continue" not in refused
