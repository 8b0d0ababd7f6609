"""Every old spelling listed in atila.compat answers like the name it stands for."""

import atila
from atila import Atila, Context, HttpError, compat
from atila.context.request import Request
from atila.context.response import ResponseHead
from atila.events import Event


def make_app():
    app = Atila(__name__, securekey="compat-secret")
    seen = {}

    @app.test_params("URL", ints=["n"])
    @app.depends(lambda context: seen.setdefault("depends", True) and None)
    @app.route("/items/<int:n>")
    def item(context, n):
        token = context.mkjwt({"n": n})
        ott = context.mkott({"n": n})
        first = context.deott(ott)
        context.rvott(ott)
        return {
            "ab": context.ab(item, n),
            "patch": context.urlpatch(item, n=9),
            "jwt": context.dejwt(token)["n"],
            "ott": [first, context.deott(ott)],
            "args": context.request.args["n"],
            "routed": context.request.routed_function is item,
            "depends": seen.get("depends"),
        }

    @app.route("/explain")
    def explain(context):
        context.response.hint_promise("/style.css")
        context.response.with_explain("503 Service Unavailable", "come back on Thursday")

    @app.route("/old-error")
    def old_error(context):
        raise context.Error("409 Conflict", "taken")

    return app


def test_context_and_request_aliases(serve):
    body = serve(make_app()).get("/items/3").json()
    assert body == {
        "ab": "/items/3",
        "patch": "/items/9",
        "jwt": 3,
        "ott": [{"n": 3}, None],
        "args": 3,
        "routed": True,
        "depends": True,
    }


def test_old_params_spelling_still_validates(serve):
    assert serve(make_app()).get("/items/3?n=x").status == 400


def test_response_aliases(serve):
    res = serve(make_app()).get("/explain")
    assert res.status == 503
    assert res.json()["detail"] == "come back on Thursday"


def test_old_error_names(serve):
    assert serve(make_app()).get("/old-error").status == 409
    assert atila.Error is HttpError is Context.Error is compat.Error


def test_app_aliases():
    app = make_app()
    assert app.build_url("item", 4) == app.urlfor("item", 4)
    app.register("answer", 42)
    assert app.make_context().answer == 42
    calls = []
    app.on_broadcast("user:added")(lambda *args: calls.append(args))
    assert app.emit("user:added", 1) == 1
    assert [args[1:] for args in calls] == [(1,)]

    def provider(context, username):
        return "pw"

    assert app.password_handler(provider) is provider
    assert app.security.password_provider is provider


def test_aliases_are_declared_on_the_classes():
    # visible to help(), IDEs and mypy: no name arrives at run time
    for cls, names in [
        (
            Atila,
            [
                "register",
                "build_url",
                "on_broadcast",
                "test_params",
                "require",
                "spec",
                "depends",
                "password_handler",
                "login_required",
                "permission_handler",
            ],
        ),
        (
            Context,
            [
                "Error",
                "ab",
                "urlpatch",
                "proxypass",
                "mkjwt",
                "dejwt",
                "mkott",
                "deott",
                "rvott",
                "csrf_verify",
                "session",
                "cookie",
                "mbox",
                "user",
                "csrf_token",
                "encode_jwt",
            ],
        ),
        (Request, ["routed_function", "args", "command", "get_scheme", "get_body", "cookie", "session", "JWT", "user"]),
        (ResponseHead, ["with_explain", "hint_promise"]),
    ]:
        missing = [name for name in names if not hasattr(cls, name)]
        assert missing == [], cls


def test_old_event_constants():
    assert atila.request_failed is Event.FAILED_REQUEST
    from atila.events import request_failed

    assert request_failed is compat.request_failed
    assert set(compat.EVENT_NAMES) <= set(atila.__all__)
