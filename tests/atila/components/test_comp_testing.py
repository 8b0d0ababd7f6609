"""The in-process client, driven over mounts the engine already has (WSGI, ASGI,
static).  Atila apps go through the same loader path; their tests live with the core."""

import json
import threading

import pytest

from atila.testing import AppTestClient
from skitai.testing.client import Response


def wsgi_app(environ, start_response):
    body = json.dumps(
        {
            "path": environ["PATH_INFO"],
            "script": environ["SCRIPT_NAME"],
            "query": environ["QUERY_STRING"],
            "method": environ["REQUEST_METHOD"],
            "body": environ["wsgi.input"].read().decode(),
            "cookie": environ.get("HTTP_COOKIE", ""),
            "thread": threading.current_thread().name,
        }
    ).encode()
    headers = [("Content-Type", "application/json")]
    if environ["PATH_INFO"] == "/login":
        headers.append(("Set-Cookie", "sid=abc; Path=/"))
    start_response("200 OK", headers)
    return [body]


def test_requests_reach_the_app_in_memory_with_mount_point():
    with AppTestClient(wsgi_app, "/v1") as cli:
        r = cli.get("/v1/pets", params={"kind": "dog"})
        assert isinstance(r, Response)
        assert r.status_code == 200
        data = r.json()
        assert (data["script"], data["path"], data["query"]) == ("/v1", "/pets", "kind=dog")


def test_form_and_raw_bodies_are_sent():
    with AppTestClient(wsgi_app) as cli:
        assert cli.post("/x", data={"query": "Detective Holmes"}).json()["body"] == "query=Detective+Holmes"
        assert cli.post("/x", data="raw text").json()["body"] == "raw text"
        assert json.loads(cli.put("/x", json={"a": 1}).json()["body"]) == {"a": 1}


def test_sync_apps_run_in_a_thread_pool():
    with AppTestClient(wsgi_app) as cli:
        assert cli.get("/").json()["thread"].startswith("atila-test")


def test_cookies_are_kept_between_requests():
    with AppTestClient(wsgi_app) as cli:
        cli.get("/login")
        assert cli.get("/me").json()["cookie"] == "sid=abc"


def test_api_stub_builds_paths_and_sends_json_accept():
    with AppTestClient(wsgi_app) as cli:
        r = cli.api().apis.pets(45).get(limit=2)
        assert (r.json()["path"], r.json()["query"]) == ("/apis/pets/45", "limit=2")
        assert cli.api().apis.pets.post(name="Monk").json()["body"] == '{"name":"Monk"}'


def test_unmounted_path_is_404():
    with AppTestClient(wsgi_app, "/v1") as cli:
        assert cli.get("/other").status_code == 404


def test_asgi_app_startup_request_and_shutdown():
    events = []

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                events.append(message["type"])
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await receive()
        await send({"type": "http.response.start", "status": 201, "headers": [(b"x-kind", b"asgi")]})
        await send({"type": "http.response.body", "body": b"made"})

    with AppTestClient(app) as cli:
        r = cli.post("/things", json={})
        assert (r.status_code, r.text, r.headers["x-kind"]) == (201, "made", "asgi")
    assert events == ["lifespan.startup", "lifespan.shutdown"]


def test_static_folder_is_served(tmp_path):
    (tmp_path / "hello.txt").write_text("hi")
    with AppTestClient(str(tmp_path), "/static", approot=str(tmp_path)) as cli:
        assert cli.get("/static/hello.txt").text == "hi"


def test_client_without_with_starts_lazily_and_stops():
    cli = AppTestClient(wsgi_app)
    assert cli.get("/").status_code == 200
    cli.stop()
    assert not cli.driver.started


def test_bad_target_is_a_clear_error():
    with pytest.raises(Exception, match="app|callable|folder"):
        AppTestClient(42).get("/")


def test_a_stream_failing_after_its_head_is_an_incomplete_read_in_memory():
    import httpx

    from atila import Atila

    app = Atila(__name__)

    @app.route("/feed")
    def feed(context):
        def produce(channel):
            channel.put("one\n")
            raise OSError("source gone")

        return context.Queue(produce)

    @app.route("/ok")
    def ok(context):
        return "fine"

    with app.test_client("/", approot=None) as cli:
        with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
            cli.get("/feed")
        assert cli.get("/ok").text == "fine"
