"""A real Flask app served through WSGIMount."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, request, send_file, stream_with_context

from skitai.mounts.wsgi import WSGIMount
from skitai.testing import MemoryResponder, call_mount, make_request


@pytest.fixture
def flask_app(tmp_path: Path) -> Flask:
    app = Flask("flask_under_test")
    report = tmp_path / "report.txt"
    report.write_bytes(b"quarterly numbers\n" * 100)

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/users/<int:user_id>")
    def user(user_id: int) -> Any:
        return {"id": user_id, "q": request.args.get("q")}

    @app.route("/echo", methods=["POST"])
    def echo() -> Any:
        return {"json": request.get_json(), "length": request.content_length}

    @app.route("/form", methods=["POST"])
    def form() -> Any:
        return {"name": request.form["name"]}

    @app.route("/stream")
    def stream() -> Response:
        def generate() -> Any:
            for number in range(3):
                yield f"line {number}\n"

        return Response(stream_with_context(generate()), mimetype="text/plain")

    @app.route("/report")
    def download() -> Response:
        return send_file(report, mimetype="text/plain")

    @app.route("/where")
    def where() -> Any:
        return {
            "script_root": request.script_root,
            "path": request.path,
            "url": request.url,
            "url_for": app.url_for("user", user_id=3),
        }

    return app


def get(app: Flask, target: str, prefix: str = "", **kwargs: Any) -> MemoryResponder:
    responder = call_mount(WSGIMount(prefix, app), make_request(target=target, script_name=prefix, **kwargs))
    assert responder is not None
    return responder


def test_plain_route(flask_app: Flask) -> None:
    responder = get(flask_app, "/")
    assert (responder.status, responder.body) == (200, b"index")
    assert responder.header("content-type") == "text/html; charset=utf-8"


def test_json_route_with_converter_and_query(flask_app: Flask) -> None:
    responder = get(flask_app, "/users/42?q=hi")
    assert responder.status == 200
    assert json.loads(responder.body) == {"id": 42, "q": "hi"}


def test_not_found_comes_from_flask(flask_app: Flask) -> None:
    assert get(flask_app, "/nope").status == 404


def test_json_request_body(flask_app: Flask) -> None:
    payload = json.dumps({"a": [1, 2]}).encode()
    responder = get(
        flask_app,
        "/echo",
        method="POST",
        body=payload,
        headers=[("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    assert json.loads(responder.body) == {"json": {"a": [1, 2]}, "length": len(payload)}


def test_chunked_request_body_without_content_length(flask_app: Flask) -> None:
    """Werkzeug reads to EOF because the server sets wsgi.input_terminated."""
    responder = get(
        flask_app,
        "/form",
        method="POST",
        body=b"name=skitai",
        headers=[("Content-Type", "application/x-www-form-urlencoded"), ("Transfer-Encoding", "chunked")],
    )
    assert json.loads(responder.body) == {"name": "skitai"}


def test_streaming_response(flask_app: Flask) -> None:
    responder = get(flask_app, "/stream")
    assert responder.status == 200
    assert responder.chunks == [b"line 0\n", b"line 1\n", b"line 2\n"]
    assert responder.ended


def test_send_file_goes_through_sendfile(flask_app: Flask) -> None:
    calls: list[tuple[int, int]] = []

    class Recorder(MemoryResponder):
        async def sendfile(self, file: Any, offset: int, count: int) -> None:
            calls.append((offset, count))
            await super().sendfile(file, offset, count)

    responder = Recorder()
    asyncio.run(WSGIMount("", flask_app).handle(make_request(target="/report"), responder))
    assert calls == [(0, 1800)]
    assert responder.body == b"quarterly numbers\n" * 100
    assert responder.header("content-length") == "1800"


def test_mounted_at_prefix_sees_script_root(flask_app: Flask) -> None:
    responder = get(flask_app, "/flask/where", prefix="/flask")
    assert json.loads(responder.body) == {
        "script_root": "/flask",
        "path": "/where",
        "url": "http://testserver/flask/where",
        "url_for": "/flask/users/3",
    }
