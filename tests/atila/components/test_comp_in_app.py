"""Events, templates and maintenance jobs inside a real Atila app, driven in-process."""

import os
import sys

import pytest

import atila
import skitai
from atila.testing import AppTestClient

SAMPLES = os.path.join(os.path.dirname(__file__), "samples")


@pytest.fixture
def webapp(monkeypatch):
    monkeypatch.syspath_prepend(SAMPLES)
    sys.modules.pop("webapp", None)
    import webapp

    yield webapp
    sys.modules.pop("webapp", None)


def test_template_with_bare_vars_context_globals_and_filters(webapp):
    with AppTestClient(webapp, "/", approot=SAMPLES, pref=skitai.preference()) as cli:
        r = cli.get("/hello", params={"name": "<Hans>"})
        assert r.status_code == 200
        assert r.text.strip() == "<h1>Hello &lt;Hans&gt; &lt;Hans&gt;</h1><p>name|cba|&lt;Hans&gt;</p>"


def test_emit_after_and_maintenance_jobs_with_config_interval(webapp):
    with AppTestClient(webapp, "/", approot=SAMPLES, pref=skitai.preference()) as cli:
        assert cli.post("/users").text == "OK"
        data = cli.get("/seen").json()
    assert data["ticked"] is True
    assert "photo-updated:users" in data["seen"]
    assert any(item.startswith("tick:") for item in data["seen"])


def test_request_life_cycle_events_reach_listeners(webapp):
    with AppTestClient(webapp, "/", approot=SAMPLES, pref=skitai.preference()) as cli:
        cli.get("/hello")  # routes compile with only the __setup__ listener
        seen = []
        events = cli.app.events  # listeners added on the bus directly, after the first request
        events.on("finish_request")(lambda context: seen.append(("finish", context.request.uri)))
        events.on(atila.request_failed)(lambda context, exc_info: seen.append(("failed", exc_info[0].__name__)))
        events.on("teardown_request")(lambda context: seen.append(("teardown", context.request.uri)))
        assert cli.get("/hello").status_code == 200
        assert cli.get("/boom").status_code == 500
        data = cli.get("/seen").json()
    assert data["seen"].count("before_request") >= 3
    assert seen[:5] == [
        ("finish", "/hello"),
        ("teardown", "/hello"),
        ("failed", "ValueError"),
        ("teardown", "/boom"),
        ("finish", "/seen"),
    ]


def test_request_events_compile_in_when_a_listener_arrives_late():
    app = atila.Atila(__name__)
    seen = []

    @app.route("/")
    def index(context):
        return "ok"

    with app.test_client("/", approot=SAMPLES) as cli:
        assert cli.get("/").text == "ok"
        assert app.pipeline.endpoint(app.router.find(index)[0]).simple
        app.events.on("before_request")(lambda context: seen.append(context.request.method))
        assert cli.get("/").text == "ok"
    assert seen == ["GET"]
