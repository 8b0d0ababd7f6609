"""The context and request view: members, methods, extensions, pipe, events."""

import threading

import pytest

from atila import Atila, Context


def make_app():
    app = Atila(__name__)

    @app.route("/request", methods=["POST"])
    def request_members(context):
        r = context.request
        return {
            "method": r.method,
            "command": r.command,
            "uri": r.uri,
            "version": r.version,
            "scheme": r.scheme,
            "header": r.get_header("X-Custom"),
            "headers": "x-custom" in r.headers,
            "content_type": r.get_content_type(),
            "main": r.get_main_type(),
            "sub": r.get_sub_type(),
            "remote": r.get_remote_addr(),
            "agent": r.get_user_agent(),
            "split": list(r.split_uri()),
            "env_method": r.env["REQUEST_METHOD"],
            "env_header": context.env.get("HTTP_X_CUSTOM"),
            "json": r.json(),
            "dict": r.dict(),
            "form": dict(r.form()),
            "body": r.get_body().decode(),
            "routed": r.routed.__name__,
            "routable": r.routable["methods"],
            "acceptables": r.acceptables,
            "acceptable": r.acceptable("application/json"),
        }

    @app.route("/g")
    def request_g(context):
        context.request.g.start = 1
        context.request.g["more"] = 2
        return dict(context.request.g)

    @app.route("/offset")
    @app.inspect(offset=int)
    def offset(context, offset=1):
        return context.API(result=offset)

    @app.route("/pipe")
    def piped(context):
        return context.pipe(offset, offset=4)

    @app.route("/pipe-bad")
    def piped_bad(context):
        return context.pipe("offset", offset="t")

    @app.route("/pipe-async")
    async def piped_async(context):
        return await context.pipe(async_target, name="x")

    @app.route("/async-target")
    async def async_target(context, name):
        return name.upper()

    @app.route("/emit")
    def emit(context):
        context.emit("custom-event", 7)
        return "ok"

    @app.route("/ext")
    def ext(context):
        first = context.lazy
        return {
            "object": context.searcher,
            "method": context.greet("Hans"),
            "same": first is context.lazy,
            "request": context.request.lazy_req,
            "alias": context.visits is context.request.visits,
        }

    @app.route("/log")
    def log(context):
        context.log("called index", "info")
        try:
            raise ValueError("x")
        except ValueError:
            context.traceback()
        return "logged"

    return app


def test_request_members(serve):
    res = serve(make_app()).post(
        "/request?x=1",
        json={"k": "v"},
        headers=[("X-Custom", "yes"), ("User-Agent", "ua"), ("Accept", "text/html;q=0.5, application/json")],
    )
    data = res.json()
    assert data == {
        "method": "POST",
        "command": "post",
        "uri": "/request?x=1",
        "version": "1.1",
        "scheme": "http",
        "header": "yes",
        "headers": True,
        "content_type": "application/json",
        "main": "application",
        "sub": "json",
        "remote": "127.0.0.1",
        "agent": "ua",
        "split": ["/request", None, "?x=1", None],
        "env_method": "POST",
        "env_header": "yes",
        "json": {"k": "v"},
        "dict": {"k": "v"},
        "form": {},
        "body": '{"k": "v"}',
        "routed": "request_members",
        "routable": ["POST"],
        "acceptables": ["application/json", "text/html"],
        "acceptable": True,
    }


def test_request_g_attribute_and_item_access(serve):
    assert serve(make_app()).get("/g").json() == {"start": 1, "more": 2}


def test_pipe_binds_and_validates(serve):
    harness = serve(make_app())
    assert harness.get("/pipe").json() == {"result": 4}
    res = harness.get("/pipe-bad")
    assert (res.status, res.json()["field"]) == (400, "offset")


def test_pipe_to_async_route_from_async_handler(serve):
    assert serve(make_app()).get("/pipe-async").text == "X"


def test_emit_reaches_listeners_with_the_context(serve):
    app = make_app()
    got = []

    @app.on("custom-event")
    def listener(context, value):
        got.append((type(context), value))

    serve(app).get("/emit")
    assert got == [(Context, 7)]


def test_context_extensions(serve):
    app = make_app()
    calls = []
    app.register_context("searcher", "SEARCHER")
    app.register_context("greet", lambda context, name: f"hi {name}", kind="method")

    def make_lazy(context):
        calls.append(1)
        return object()

    app.register_context("lazy", make_lazy, kind="property")
    app.register_context("lazy_req", lambda context: "on request", kind="property", scope="request")
    app.register_context("visits", lambda context: {}, kind="property", scope="both")
    data = serve(app).get("/ext").json()
    assert data == {"object": "SEARCHER", "method": "hi Hans", "same": True, "request": "on request", "alias": True}
    assert calls == [1]


@pytest.mark.parametrize("name", ["session", "cookie", "urlfor", "JWT", "ab"])
def test_built_in_context_names_cannot_be_registered(name):
    with pytest.raises(ValueError, match=f"context.{name} is built in"):
        Atila(__name__).register_context(name, lambda context: {}, kind="property")


def test_unknown_context_attribute_is_attribute_error():
    context = Atila(__name__).make_context()
    assert context.request is None
    try:
        context.nothing_here
    except AttributeError as exc:
        assert "nothing_here" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_log_and_traceback(serve, caplog):
    with caplog.at_level("INFO", logger="atila.app"):
        assert serve(make_app()).get("/log").text == "logged"
    assert "called index" in caplog.text
    assert "ValueError" in caplog.text


def test_def_handlers_run_in_the_pool_async_on_the_loop(serve):
    app = Atila(__name__)

    @app.route("/sync")
    def sync(context):
        return threading.current_thread().name

    @app.route("/async")
    async def asynchronous(context):
        return threading.current_thread().name

    harness = serve(app)
    assert harness.get("/sync").text != threading.current_thread().name
    assert harness.get("/async").text == threading.current_thread().name


def test_was_module_exists():
    from atila import was

    assert was.Was is Context


def test_store_is_thread_safe_counter():
    app = Atila(__name__)
    threads = [threading.Thread(target=lambda: [app.store.incr("n") for _ in range(1000)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert app.store["n"] == 4000


def test_session_and_cookies_are_secure_only_over_https(serve):
    app = Atila(__name__)
    app.securekey = "https-test-key"

    @app.route("/login")
    def login(context):
        context.session.set("uid", "ann")
        context.cookie.set("theme", "dark")
        return "ok"

    harness = serve(app, "/app")
    plain = harness.get("/app/login").header_all("set-cookie")
    secure = harness.request("GET", "/app/login", scheme="https").header_all("set-cookie")
    assert len(plain) == len(secure) == 2
    session_cookie = next(c for c in plain if c.startswith("ATLSESS="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert not any("Secure" in c for c in plain)
    assert all("Secure" in c and "Path=/app" in c for c in secure)


def test_user_is_one_value_for_context_and_request(serve):
    app = Atila(__name__)

    @app.route("/me")
    def me(context):
        before = context.user
        context.request.user = "hans"
        return {"before": before, "context": context.user, "request": context.request.user}

    assert serve(app).get("/me").json() == {"before": None, "context": "hans", "request": "hans"}
    hook_context = app.make_context()
    hook_context.user = "job"
    assert hook_context.user == "job"
