"""Security wired into a running app, in-process: CSRF in templates, CORS and
cookies on error answers, refused preflights, the start-up hook."""

from __future__ import annotations

import pytest

from atila import Atila
from atila.security.errors import MissingSecretKey

ORIGIN = "https://front.example"


@pytest.fixture
def app(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "form.html").write_text("<form>{{ was.csrf_token_input }}</form>")
    module = tmp_path / "secapp.py"
    module.write_text("")
    app = Atila("secapp_test", securekey="k" * 32)
    app.home = str(tmp_path)
    return app


def test_csrf_token_input_is_not_escaped_in_html_templates(app):
    @app.route("/form")
    def form(context):
        return context.render("form.html")

    @app.route("/post", methods=["POST"])
    def post(context, **form):
        return "ok" if context.verify_csrf() else context.response("400 Bad Request")

    with app.test_client("/", approot=".") as cli:
        page = cli.get("/form").text
        assert page.startswith('<form><input type="hidden" name="csrf_token" value="')
        token = page.split('value="')[1].split('"')[0]
        assert cli.post("/post", data={"csrf_token": token}).text == "ok"
        assert cli.post("/post", data={"csrf_token": token + "x"}).status_code == 400


def test_options_preflight_from_a_refused_origin_is_403(app):
    app.access_control_allow_origin = [ORIGIN]

    @app.route("/items", methods=["GET", "POST"])
    def items(context):
        return "items"

    with app.test_client("/", approot=".") as cli:
        asked = {"Access-Control-Request-Method": "POST"}
        ok = cli.options("/items", headers={"Origin": ORIGIN, **asked})
        assert ok.status_code == 204 and ok.headers["access-control-allow-origin"] == ORIGIN
        refused = cli.options("/items", headers={"Origin": "https://evil.example", **asked})
        assert refused.status_code == 403
        assert "evil.example" in refused.text


def test_error_answers_keep_cors_headers_and_new_cookies(app):
    app.access_control_allow_origin = [ORIGIN]

    @app.route("/missing")
    def missing(context):
        context.session["seen"] = True
        raise context.Error("404 Not Found", "no such thing")

    @app.route("/broken")
    def broken(context):
        context.cookie.set("step", "1")
        raise RuntimeError("bug")

    with app.test_client("/", approot=".") as cli:
        r = cli.get("/missing", headers={"Origin": ORIGIN})
        assert r.status_code == 404
        assert r.headers["access-control-allow-origin"] == ORIGIN
        assert "Origin" in r.headers["vary"]
        assert "ATLSES" in r.headers.get("set-cookie", "") or r.cookies
        r = cli.get("/broken", headers={"Origin": ORIGIN})
        assert r.status_code == 500
        assert r.headers["access-control-allow-origin"] == ORIGIN
        assert "step=1" in r.headers["set-cookie"]


def test_authentication_failure_carries_cors_headers(app):
    app.access_control_allow_origin = [ORIGIN]
    app.users = {"hans": ("1234", False)}

    @app.route("/private", authenticate="basic")
    def private(context):
        return "secret"

    with app.test_client("/", approot=".") as cli:
        r = cli.get("/private", headers={"Origin": ORIGIN})
        assert r.status_code == 401
        assert r.headers["access-control-allow-origin"] == ORIGIN
        assert r.headers["www-authenticate"].startswith("Basic")


def test_after_startup_hooks_run_and_security_check_is_one_of_them(tmp_path):
    app = Atila("secapp_nokey")
    calls = []
    app.after_startup(lambda started: calls.append(started))

    @app.route("/")
    def index(context):
        return str(context.session.get("n"))

    assert len(app.startup_hooks) == 3  # security's check, the OpenAPI routes, then ours
    with pytest.raises(MissingSecretKey, match="route '/'"):
        with app.test_client("/", approot=str(tmp_path)):
            pass
    app.securekey = "k" * 32
    with app.test_client("/", approot=str(tmp_path)) as cli:
        assert cli.get("/").text == "None"
    assert calls == [app]
