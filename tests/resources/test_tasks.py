"""context.Thread / Process / Subprocess / Mask / Tasks / Map / Mapped / ThreadPass
and .then, through a real server process (site/taskapp.py)."""

from __future__ import annotations

import os

import httpx
import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site", "serve.py")


@pytest.fixture(scope="module", params=["0", "1"], ids=["production", "debug"])
def engine(request):
    with skitai.test_client(SITE, port=free_port(), env={"RES_DEBUG": request.param}) as engine:
        engine.debug = request.param == "1"
        yield engine


@pytest.fixture
def client(engine):
    with httpx.Client(base_url=engine.base_url, timeout=20, headers={"Accept": "application/json"}) as client:
        yield client


def test_thread_then_gets_context_task_and_meta(client):
    assert client.get("/thread").json() == {"result": 4.0, "a": 1}


def test_thread_positional_arguments(client):
    assert client.get("/thread-positional").json() == {"result": "hello"}


def test_process_runs_in_the_pool(client):
    assert client.get("/process").json() == {"result": 2.0, "a": 2}


@pytest.mark.parametrize(
    "path, words", [("/process-local", "defined in another function"), ("/process-unpicklable", "must be picklable")]
)
def test_process_refuses_what_cannot_travel(client, engine, path, words):
    response = client.get(path)
    assert response.status_code == 500
    if engine.debug:
        assert words in response.json()["debug"]


def test_subprocess_output_with_filter(client):
    assert client.get("/subprocess").json() == {"result": "a_b"}


def test_subprocess_timeout_is_504(client):
    response = client.get("/subprocess-timeout")
    assert response.status_code == 504
    assert "timeout" in response.json()["detail"]


def test_mask(client):
    assert client.get("/mask").json() == {"a": 1, "b": 2, "c": 3}


def test_tasks_list_and_named(client):
    assert client.get("/tasks-list").json() == {"results": ["x", "y", 3]}
    assert client.get("/tasks-named").json() == {"files": "a_b", "value": 3.0, "row": {"n": 1}}
    assert client.get("/tasks-commit").json() == {"committed": None}


def test_dispatch_reports_status_without_raising(client):
    answer = client.get("/dispatch").json()
    assert answer["status"] == [skitai.STA_NORMAL, skitai.STA_REQFAIL, skitai.STA_TIMEOUT]
    assert answer["data"] == 2.0 and answer["error"] == "boom"


def test_wait_returns_the_task(client):
    assert client.get("/wait").json() == {"same": True, "done": True, "result": "waited"}


@pytest.mark.parametrize("path", ["/fail", "/map-fail", "/async/fail"])
def test_a_failing_task_is_500_with_traceback_only_in_debug(client, engine, path):
    response = client.get(path)
    assert response.status_code == 500
    body = response.json()
    if engine.debug:
        assert "ValueError" in body["debug"] and body["traceback"]
        assert any("jobs.py" in line for line in body["traceback"])
    else:
        assert "traceback" not in body and "debug" not in body


def test_the_exception_reaches_the_handler(client):
    assert client.get("/fail-caught").json() == {"caught": "caught"}


@pytest.mark.parametrize("path", ["/timeout", "/map-timeout", "/async/timeout"])
def test_timeouts_are_504(client, path):
    response = client.get(path)
    assert response.status_code == 504
    assert "did not finish" in response.json()["detail"]


def test_map_keyword_results_and_one_suffix(client):
    assert client.get("/map").json() == {
        "files": "syslog\n",
        "result": [{"id": 1}, {"id": 2}],
        "record_count": {"cnt": 2},
    }


def test_mapped(client):
    assert client.get("/mapped").json() == {"a": 1, "b": 5.0}


@pytest.mark.parametrize("path", ["/render-or-map", "/render-or-mapped"])
def test_render_or_map_by_accept(client, path):
    html = client.get(path, headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
    assert "<li>" in html.text
    data = client.get(path).json()
    assert list(data) == ["items"]


def test_threadpass(client):
    assert client.get("/threadpass").json() == {"result": 8.0, "thread": 2.0}


def test_then_keeps_the_handlers_response_head(client):
    response = client.get("/then-headers")
    assert response.status_code == 201
    assert response.headers["x-from-handler"] == "yes"
    assert response.json() == {"n": 5}


def test_tasks_are_awaitable_in_async_routes(client):
    assert client.get("/async/thread").json() == {"value": "async-thread", "mask": 7}
    assert client.get("/async/tasks").json() == {"a": 2.0, "b": "hi"}
    assert client.get("/async/map").json() == {"value": 6.0}


def test_blocking_fetch_on_the_loop_is_refused_clearly(client, engine):
    response = client.get("/async/blocking-fetch")
    assert response.status_code == 500
    if engine.debug:
        assert "await task" in response.json()["debug"]


def test_if_updated_follows_setlu(client):
    before = client.get("/db/news").json()["reloads"]
    assert client.get("/db/news").json()["reloads"] == before
    client.post("/db/news/touch")
    assert client.get("/db/news").json()["reloads"] == before + 1
