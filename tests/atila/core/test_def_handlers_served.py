"""``def`` handlers on a real server: the answers the thread-pool path gives
(it runs without a coroutine for requests without a body), the same as every
other path gives them."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Iterator

import pytest

import skitai
from skitai.testing.client import TestClient, free_port

pytestmark = pytest.mark.process

_SERVE = """
import skitai
from atila import Atila

app = Atila(__name__)


@app.route("/text")
def text(context):
    return "plain"


@app.route("/data")
def data(context, n=None):
    return {"n": n}


@app.route("/head")
def head(context):
    context.response.set_header("X-Made", "yes")
    return "with a head"


@app.route("/missing")
def missing(context):
    raise context.HttpError("404 Not Found", "no such thing")


@app.route("/broken")
def broken(context):
    raise ValueError("handler bug")


@app.route("/unencodable")
def unencodable(context):
    return {"when": object()}


@app.route("/stream")
def stream(context):
    def chunks():
        yield b"one,"
        yield b"two"
    return chunks()


@app.route("/echo", methods=["POST"])
def echo(context):
    return {"got": context.request.DATA}


skitai.mount("/", app)
skitai.run(access_log=False)
"""


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    script = Path(tmp_path_factory.mktemp("defsite")) / "serve.py"
    script.write_text(textwrap.dedent(_SERVE))
    with skitai.test_client(str(script), port=free_port()) as client:
        yield client


def test_str_and_dict_answers(cli: TestClient) -> None:
    resp = cli.get("/text")
    assert resp.status_code == 200 and resp.text == "plain"
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    assert cli.get("/data?n=3").json() == {"n": "3"}


def test_context_response_headers_are_kept(cli: TestClient) -> None:
    resp = cli.get("/head")
    assert resp.text == "with a head" and resp.headers["x-made"] == "yes"


def test_errors_keep_their_status(cli: TestClient) -> None:
    assert cli.get("/missing").status_code == 404
    assert cli.get("/broken").status_code == 500
    resp = cli.get("/unencodable")
    assert resp.status_code == 500 and "when" in resp.text


def test_a_streamed_body_and_a_request_body(cli: TestClient) -> None:
    assert cli.get("/stream").content == b"one,two"
    assert cli.post("/echo", json={"a": 1}).json() == {"got": {"a": 1}}


def test_many_requests_on_one_connection_in_order(cli: TestClient) -> None:
    for number in range(50):
        assert cli.get(f"/data?n={number}").json() == {"n": str(number)}
