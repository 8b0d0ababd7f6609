"""Events, templates and maintenance jobs inside a real Atila app, driven in-process."""

import os
import sys

import pytest

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
        cli.get("/hello")
        data = cli.get("/seen").json()
    assert data["seen"].count("before_request") >= 2
