"""The ASGI adapter: ASGI scope/receive/send in, the engine contract out."""

import asyncio
import os
import subprocess
import sys
import time

import httpx
import pytest

from atila.asgi import ASGIAdapter
from skitai.mounts.wsgi import WSGIMount
from skitai.static.mount import StaticMount
from skitai.testing.client import free_port

SAMPLES = os.path.join(os.path.dirname(__file__), "samples")


def wsgi_app(environ, start_response):
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-Script", environ["SCRIPT_NAME"])])
    return [environ["REQUEST_METHOD"].encode(), b" ", environ["PATH_INFO"].encode(), b" ", body]


class StreamingMount:
    """A mount answering with start/write/end, and recording its life cycle."""

    prefix = ""
    priority = 10
    body_limit = None
    name = "streaming"

    def __init__(self):
        self.events = []

    async def startup(self, engine):
        self.events.append(("startup", await engine.run_in_thread(lambda: "threaded")))

    async def shutdown(self):
        self.events.append(("shutdown",))

    def handle(self, request, responder):
        return self.serve(request, responder)

    async def serve(self, request, responder):
        if request.path_info == "/boom":
            raise RuntimeError("handler boom")
        if request.path_info == "/silent":
            return
        data = await request.body.read()
        responder.start(200, [("Content-Type", "text/plain")])
        for part in (b"a", b"b", data):
            await responder.write(part)
        responder.end()

    def watch_paths(self):
        return []


def scope(method="GET", path="/", headers=(), root_path=""):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": root_path,
        "query_string": b"",
        "headers": [(k.encode(), v.encode()) for k, v in headers],
        "client": ("127.0.0.1", 5555),
        "server": ("127.0.0.1", 80),
    }


def call(adapter, method="GET", path="/", chunks=(), headers=(), root_path=""):
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1} for i, chunk in enumerate(chunks)
    ]
    sent = []

    async def receive():
        if messages:
            return messages.pop(0)
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def main():
        await asyncio.wait_for(adapter(scope(method, path, headers, root_path), receive, send), 5)

    asyncio.run(main())
    status = sent[0]["status"]
    head = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    body = b"".join(m.get("body", b"") for m in sent[1:])
    assert sent[-1]["more_body"] is False
    return status, head, body


def test_request_and_body_reach_the_mount():
    adapter = ASGIAdapter(WSGIMount("", wsgi_app))
    body = b"x=1&y=2"
    status, head, out = call(adapter, "POST", "/pets", [body[:3], body[3:]], [("content-length", str(len(body)))])
    assert (status, out) == (200, b"POST /pets x=1&y=2")


def test_root_path_becomes_script_name():
    adapter = ASGIAdapter(WSGIMount("", wsgi_app))
    status, head, out = call(adapter, "GET", "/v1/pets", root_path="/v1")
    assert (head["x-script"], out) == ("/v1", b"GET /pets ")


def test_path_outside_the_mount_prefix_is_404():
    assert call(ASGIAdapter(WSGIMount("/api", wsgi_app)), "GET", "/other")[0] == 404
    assert call(ASGIAdapter(WSGIMount("/api", wsgi_app)), "GET", "/api/x")[2] == b"GET /x "


def test_streamed_response_and_lazy_startup():
    mount = StreamingMount()
    adapter = ASGIAdapter(mount)
    status, _, out = call(adapter, "PUT", "/s", [b"c"], [("content-length", "1")])
    assert (status, out) == (200, b"abc")
    assert mount.events == [("startup", "threaded")]


def test_failing_handler_is_500_and_silent_handler_is_500():
    assert call(ASGIAdapter(StreamingMount()), "GET", "/boom")[0] == 500
    assert call(ASGIAdapter(StreamingMount()), "GET", "/silent")[0] == 500


def test_bad_content_length_is_400():
    adapter = ASGIAdapter(WSGIMount("", wsgi_app))
    status, _, out = call(adapter, "POST", "/", [b"x"], [("content-length", "abc")])
    assert status == 400 and b"Content-Length" in out


def test_static_files_are_sent(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"hello static")
    adapter = ASGIAdapter(StaticMount("", str(tmp_path)))
    status, head, out = call(adapter, "GET", "/a.txt")
    assert (status, out, head["content-type"].split(";")[0]) == (200, b"hello static", "text/plain")


def test_lifespan_runs_startup_and_shutdown():
    mount = StreamingMount()
    adapter = ASGIAdapter(mount)
    inbox = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent = []

    async def receive():
        return inbox.pop(0)

    async def send(message):
        sent.append(message["type"])

    asyncio.run(asyncio.wait_for(adapter({"type": "lifespan"}, receive, send), 5))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert mount.events == [("startup", "threaded"), ("shutdown",)]


def test_unknown_scope_type_is_refused():
    with pytest.raises(ValueError, match="scope type"):
        asyncio.run(ASGIAdapter(StreamingMount())({"type": "mqtt"}, None, None))


def test_atila_app_is_itself_an_asgi_app():
    from atila import Atila

    app = Atila(__name__)

    @app.route("/hi")
    def hi(context, name="you"):
        return f"hi {name}"

    assert app.asgi is app.asgi and isinstance(app.asgi, ASGIAdapter)
    status, head, body = call(app, "GET", "/hi")
    assert (status, body) == (200, b"hi you")


def start_uvicorn(target):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=SAMPLES,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn did not start: {process.stderr.read().decode()}")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def uvicorn_server():
    yield from start_uvicorn("asgi_wsgi_sample:app")


@pytest.fixture
def uvicorn_atila():
    yield from start_uvicorn("asgi_atila_sample:app")


@pytest.mark.process
def test_served_by_uvicorn(uvicorn_server):
    r = httpx.post(uvicorn_server + "/echo", content=b"over uvicorn", timeout=5)
    assert (r.status_code, r.text) == (200, "POST /echo over uvicorn")


@pytest.mark.process
def test_atila_app_served_by_uvicorn(uvicorn_atila):
    with httpx.Client(base_url=uvicorn_atila, timeout=5) as http:
        r = http.get("/")
        assert (r.status_code, r.text) == (200, "<h1>something</h1>")
        r = http.get("/apis/pets/45")
        assert r.json() == {"id": 45, "kind": "dog", "started": ["mounted"]}
        assert http.post("/apis/echo", json={"name": "Monk"}).json() == {"name": "Monk"}
        assert http.post("/apis/echo", data={"name": "form"}).json() == {"name": "form"}
        assert http.get("/apis/pets/notanumber").status_code == 404


@pytest.mark.process
def test_a_failed_stream_is_cut_under_uvicorn(uvicorn_atila):
    with httpx.Client(base_url=uvicorn_atila, timeout=5) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            http.get("/apis/feed")
        assert http.get("/").status_code == 200
