"""X-Request-ID over real HTTP: generated or kept, on every answer, seen by the
app, in the access and error log lines."""

from __future__ import annotations

import json
import re

import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

SERVE = """
    import skitai
    from atila import Atila

    app = Atila("rid")

    @app.route("/echo")
    def echo(context):
        return context.request.get_header("x-request-id")

    @app.route("/fails")
    def fails(context):
        raise ValueError("handler bug")

    def wsgi(environ, start_response):
        if environ["PATH_INFO"] == "/boom":
            raise RuntimeError("boom")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["HTTP_X_REQUEST_ID"].encode()]

    if __name__ == "__main__":
        skitai.mount("/", app)
        skitai.mount("/wsgi", wsgi)
        skitai.run(access_log_json=JSON)
"""
HEX32 = re.compile(r"[0-9a-f]{32}")


def test_generated_kept_or_replaced_and_seen_by_every_mount(script, wait_for):
    with skitai.test_client(script(SERVE.replace("JSON", "False")), port=free_port()) as cli:
        fresh = cli.get("/echo")
        rid = fresh.headers["x-request-id"]
        assert HEX32.fullmatch(rid) and fresh.text == rid
        assert cli.get("/echo").headers["x-request-id"] != rid
        kept = cli.get("/echo", headers={"X-Request-ID": "abc-123.trace:7"})
        assert kept.headers["x-request-id"] == "abc-123.trace:7" == kept.text
        for insane in ("has space", "x" * 129, 'quo"te', "semi;colon"):
            replaced = cli.get("/echo", headers={"X-Request-ID": insane})
            assert HEX32.fullmatch(replaced.headers["x-request-id"]), insane
            assert replaced.text == replaced.headers["x-request-id"]
        wsgi = cli.get("/wsgi/", headers={"X-Request-ID": "w-1"})
        assert wsgi.text == "w-1" and wsgi.headers["x-request-id"] == "w-1"
        missing = cli.get("/nothing-here")
        assert missing.status_code == 404 and HEX32.fullmatch(missing.headers["x-request-id"])
        # the id of the request is the last field of its access line
        wait_for(
            lambda: '"GET /echo HTTP/1.1" 200' in cli.output() and " abc-123.trace:7\n" in cli.output(),
            "the access line with the request id",
        )
        # an engine error line names the request it was written for
        failed = cli.get("/wsgi/boom", headers={"X-Request-ID": "fails-1"})
        assert failed.status_code == 500 and failed.headers["x-request-id"] == "fails-1"
        wait_for(lambda: "[req fails-1]" in cli.output(), "the error line with the request id")
        # so does an app's own error record (Atila logging a failed handler), traceback included
        assert cli.get("/fails", headers={"X-Request-ID": "app-fails-2"}).status_code == 500
        wait_for(
            lambda: (
                "[req app-fails-2] atila.app.rid: <Request GET '/fails'> failed" in cli.output()
                and "ValueError: handler bug" in cli.output()
            ),
            "the app's error line with the request id",
        )


def test_json_access_lines_carry_the_request_id(script, wait_for):
    with skitai.test_client(script(SERVE.replace("JSON", "True")), port=free_port()) as cli:
        cli.get("/echo", headers={"X-Request-ID": "json-7"})

        def record():
            for line in cli.output().splitlines():
                if line.startswith("{") and '"json-7"' in line:
                    return json.loads(line)
            return None

        entry = wait_for(record, "the JSON access line")
        assert entry["request_id"] == "json-7" and entry["path"] == "/echo" and entry["status"] == 200


def test_malformed_request_answer_has_an_id_too(script):
    import socket

    port = free_port()
    with skitai.test_client(script(SERVE.replace("JSON", "False")), port=port):
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 400")
        assert re.search(rb"\r\nx-request-id: [0-9a-f]{32}\r\n", answer)


def test_switched_off(script):
    source = SERVE.replace("access_log_json=JSON", "request_id=False")
    with skitai.test_client(script(source), port=free_port()) as cli:
        response = cli.get("/echo")
        assert "x-request-id" not in response.headers
        assert response.text == ""


def test_request_listeners_see_every_answer(script, wait_for):
    source = """
        import sys
        import skitai
        from skitai.observability import on_request

        @on_request
        def seen(request, status, size, seconds):
            print("seen", request.method, request.path, status, size, request.state["request_id"], flush=True)

        def wsgi(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"hi"]

        if __name__ == "__main__":
            skitai.mount("/", wsgi)
            skitai.run()
    """
    with skitai.test_client(script(source), port=free_port()) as cli:
        cli.get("/x", headers={"X-Request-ID": "l-1"})
        wait_for(lambda: "seen GET /x 200 2 l-1" in cli.output(), "the listener's line")


def test_http2_answers_carry_the_request_id_and_are_counted(script, wait_for):
    source = SERVE.replace("access_log_json=JSON", "metrics=True")
    with skitai.test_client(script(source), port=free_port(), http2=True) as cli:
        response = cli.get("/echo", headers={"X-Request-ID": "h2-1"})
        assert response.raw.http_version == "HTTP/2"
        assert response.headers["x-request-id"] == "h2-1" == response.text
        fresh = cli.get("/echo")
        assert HEX32.fullmatch(fresh.headers["x-request-id"])
        wait_for(lambda: " h2-1\n" in cli.output(), "the HTTP/2 access line with its id")
        wait_for(lambda: 'route="/echo"' in cli.get("/metrics").text, "the HTTP/2 requests in the metrics")
