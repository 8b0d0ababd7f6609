# seed 000 "Testing API": a real server process; port and script may come from
# DUMBSEEK_PORT and DUMBSEEK_SKITAID
import os
from functools import partial

import pytest

import skitai
from atila.pytest_hooks import *  # noqa: F403 - as seed 000 writes it
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

SKITAID = os.environ.get(
    "DUMBSEEK_SKITAID", os.path.join(os.path.dirname(__file__), "../../../examples/dumbseek/skitaid.py")
)
PORT = int(os.environ.get("DUMBSEEK_PORT") or free_port())


@pytest.fixture
def launch():
    return partial(skitai.test_client, port=PORT, silent=False)


def test_api(launch):
    with launch(SKITAID) as engine:
        r = engine.get("/")
        assert r.json()["app"] == "Dumb Seek"

        r = engine.post("/api/tokens", data={"query": "Detective Holmes"})
        assert r.json()["result"] == ["detective", "holmes"]

        r = engine.post("/api/documents", data={"document": "Detective Holmes"})
        assert r.status_code == 201
        assert r.json()["url"] == "/api/documents/0"

        r = engine.get("/api/documents", params={"q": "Detective Holmes"})
        assert r.json()["result"] == ["Detective Holmes"]

        r = engine.get("/api/documents/0")
        assert r.json()["document"] == "Detective Holmes"

        r = engine.post("/api/documents", data={"document": "Detective Monk"})

        r = engine.get("/api/documents", params={"q": "detective"})
        assert r.json()["result"] == ["Detective Holmes", "Detective Monk"]
