"""setlu / getlu and the use_cache result cache across two real worker processes."""

from __future__ import annotations

import os

import httpx
import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site", "serve.py")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    env = {"RES_SQLITE": str(tmp_path_factory.mktemp("lu") / "items.db"), "RES_WORKERS": "2"}
    with skitai.test_client(SITE, port=free_port(), env=env) as engine:
        yield engine


def from_every_worker(path, want=2, tries=200):
    """One answer per worker pid (new connections land on either worker)."""
    answers = {}
    for _ in range(tries):
        with httpx.Client(timeout=10) as client:  # NOTE: a new connection each time
            body = client.get(path).json()
        answers.setdefault(body["pid"], body)
        if len(answers) >= want:
            return answers
    pytest.fail(f"only workers {sorted(answers)} answered {path}")


def test_both_workers_see_one_workers_setlu(engine):
    before = from_every_worker(engine.base_url + "/db/lu")
    touched = httpx.post(engine.base_url + "/db/touch").json()
    after = from_every_worker(engine.base_url + "/db/lu")
    assert all(answer["lu"] == touched["lu"] for answer in after.values())
    assert all(answer["lu"] < touched["lu"] for answer in before.values())
    # the setlu:name event runs in the worker that called setlu only
    events = {pid: answer["events"] for pid, answer in after.items()}
    assert events[touched["pid"]] >= 1


def test_cached_results_are_dropped_in_every_worker(engine):
    base = engine.base_url + "/db/lite"
    assert httpx.post(base + "/setup").status_code == 200
    assert httpx.post(base + "/items", data={"title": "x", "score": 1}).status_code == 201
    httpx.post(engine.base_url + "/db/touch")
    warm = from_every_worker(base + "/cached")
    assert all(answer["items"] == [{"id": 1, "score": 1}] for answer in warm.values())
    # a change the cache cannot know about: every worker still serves its cached rows
    httpx.post(base + "/silent-update", data={"score": 7})
    stale = from_every_worker(base + "/cached")
    assert all(answer["items"] == [{"id": 1, "score": 1}] for answer in stale.values())
    # one worker's rm_cache (PATCH uses rm_cache="tables.items") invalidates both
    assert httpx.patch(base + "/items/1", data={"score": 9}).status_code == 200
    fresh = from_every_worker(base + "/cached")
    assert all(answer["items"] == [{"id": 1, "score": 9}] for answer in fresh.values())
