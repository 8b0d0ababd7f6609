"""Error handlers and pages; app request hooks and per-route prework."""

import os
import time

from atila import Atila


def make_app():
    app = Atila(__name__)

    @app.route("/boom")
    def boom(context):
        raise RuntimeError("secret detail")

    @app.route("/missing")
    def missing(context):
        raise context.HttpError("404 Not Found", "no such document")

    return app


def test_500_hides_traceback_without_debug(serve):
    res = serve(make_app()).get("/boom")
    assert res.status == 500
    assert "traceback" not in res.json()
    assert "secret detail" not in res.text


def test_500_shows_traceback_in_debug(serve):
    app = make_app()
    app.debug = True
    res = serve(app).get("/boom")
    assert res.status == 500
    assert "secret detail" in "".join(res.json()["traceback"])


def test_custom_error_handler_by_code(serve):
    app = make_app()

    @app.error_handler(404)
    def not_found(context, error):
        return "<h1>{code} {message}</h1><p>{detail}</p>".format(**error)

    harness = serve(app)
    res = harness.get("/missing")
    assert (res.status, res.text) == (404, "<h1>404 Not Found</h1><p>no such document</p>")
    assert harness.get("/no-route").text.startswith("<h1>404")


def test_default_error_handler(serve):
    app = make_app()

    @app.default_error_handler
    def default(context, error):
        return context.API(code=error.code, url=error.url)

    res = serve(app).get("/boom")
    assert (res.status, res.json()) == (500, {"code": 500, "url": "/boom"})


def test_before_request_can_answer(serve):
    app = make_app()

    @app.before_request
    def before(context):
        if context.request.get_header("x-block"):
            return context.response("403 Forbidden", "blocked")

    @app.route("/ok")
    def ok(context):
        return "ok"

    harness = serve(app)
    assert harness.get("/ok").text == "ok"
    res = harness.get("/ok", headers=[("X-Block", "1")])
    assert (res.status, res.text) == (403, "blocked")


def test_request_hook_order(serve):
    app = make_app()
    log = []
    app.before_request(lambda context: log.append("before"))
    app.finish_request(lambda context: log.append("finish"))
    app.failed_request(lambda context, exc_info: log.append(("failed", exc_info[0].__name__)))
    app.teardown_request(lambda context: log.append("teardown"))

    @app.route("/ok")
    async def ok(context):
        log.append("handler")
        return "ok"

    harness = serve(app)
    harness.get("/ok")
    assert log == ["before", "handler", "finish", "teardown"]
    del log[:]
    assert harness.get("/boom").status == 500
    assert log == ["before", ("failed", "RuntimeError"), "teardown"]


def test_failed_request_may_answer(serve):
    app = make_app()
    app.failed_request(lambda context, exc_info: context.response("501 Not Implemented", "sorry"))
    res = serve(app).get("/boom")
    assert (res.status, res.text) == (501, "sorry")


def test_hooks_added_after_first_request_apply(serve):
    app = make_app()

    @app.route("/ok")
    def ok(context):
        return "ok"

    harness = serve(app)
    assert harness.get("/ok").text == "ok"
    app.before_request(lambda context: "intercepted")
    assert harness.get("/ok").text == "intercepted"


def test_run_before_and_after(serve):
    app = make_app()
    log = []

    def pre1(context):
        log.append("pre1")

    def pre2(context):
        if context.request.ARGS.get("stop"):
            return "stopped"

    @app.route("/")
    @app.run_before(pre1, pre2)
    @app.run_after(lambda context: log.append("post"))
    def index(context, stop=None):
        log.append("index")
        return "index"

    harness = serve(app)
    assert harness.get("/").text == "index"
    assert log == ["pre1", "index", "post"]
    assert harness.get("/?stop=1").text == "stopped"


def test_if_file_modified(serve, tmp_path):
    app = make_app()
    watched = tmp_path / "config"
    watched.write_text("1")
    reloads = []

    @app.route("/")
    @app.if_file_modified(str(watched), lambda context, path: reloads.append(path), interval=0)
    def index(context):
        return "index"

    harness = serve(app)
    harness.get("/")
    assert reloads == []
    later = time.time() + 10
    os.utime(watched, (later, later))
    harness.get("/")
    assert reloads == [str(watched)]


def test_if_updated_watches_the_store_without_setlu(serve):
    app = make_app()
    seen = []

    @app.route("/")
    @app.if_updated("weather-news", lambda context, key: seen.append(key), interval=0)
    def index(context):
        return "index"

    harness = serve(app)
    harness.get("/")
    app.store["weather-news"] = time.time()
    harness.get("/")
    assert seen == ["weather-news"]


def test_405_uses_custom_error_handler(serve):
    app = make_app()

    @app.error_handler(405)
    def not_allowed(context, error):
        return f"no {error.code}"

    @app.route("/only-get", methods=["GET"])
    def only_get(context):
        return "get"

    res = serve(app).request("POST", "/only-get")
    assert (res.status, res.text, res.header("allow")) == (405, "no 405", "GET, HEAD, OPTIONS")


def test_request_life_cycle_events(serve):
    app = make_app()
    seen = []
    for name in ("before_request", "finish_request", "teardown_request"):
        app.on(name)(lambda context, name=name: seen.append(name))
    app.on("failed_request")(lambda context, exc_info: seen.append(("failed", exc_info[0].__name__)))

    @app.route("/ok")
    async def ok(context):
        return "ok"

    harness = serve(app)
    harness.get("/ok")
    assert seen == ["before_request", "finish_request", "teardown_request"]
    del seen[:]
    harness.get("/boom")
    assert seen == ["before_request", ("failed", "RuntimeError"), "teardown_request"]
