"""The pytest plugin as an installed project gives it: ``pytest --docs`` in the
tutorial's layout with no ``atila.pytest_hooks`` import anywhere, against a real
server process, documents route templates rather than the literal URLs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points

import pytest

pytestmark = pytest.mark.process

APP = """
from atila import Atila


def __app__():
    return Atila(__name__)


def __mount__(context, app):
    @app.route("/apis/tickers/<int:product_code>", methods=["GET"])
    def tickers(context, product_code):
        if product_code == 0:
            raise context.HttpError("404 Not Found")
        return {"instock": 2}
"""

SERVE = """
import skitai
import myapp

if __name__ == "__main__":
    skitai.mount("/", myapp)
    skitai.run(port=5000)
"""

# the tutorial's conftest, less the star import a new user forgets
CONFTEST = """
from functools import partial

import pytest

import skitai
from skitai.testing.client import free_port


@pytest.fixture
def launch():
    return partial(skitai.test_client, port=free_port())
"""

TEST_APP = """
def test_app(launch):
    with launch("../serve.py") as client:
        assert client.get("/apis/tickers/123").status_code == 200
        assert client.get("/apis/tickers/0").status_code == 404
"""


def _project(tmp_path):
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text(textwrap.dedent(APP))
    (tmp_path / "serve.py").write_text(SERVE)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "conftest.py").write_text(CONFTEST)
    (tmp_path / "tests" / "test_app.py").write_text(TEST_APP)
    return tmp_path


def _pytest(cwd, *args):
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("ATILA_ROUTE_HEADER", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_plugin_is_registered_by_the_installed_project():
    assert "atila.pytest_plugin" in [ep.value for ep in entry_points(group="pytest11")]


def test_docs_in_the_tutorial_layout_with_a_real_server(tmp_path):
    project = _project(tmp_path)
    result = _pytest(project / "tests", "--docs")
    assert result.returncode == 0, result.stdout + result.stderr
    text = (project / "tests" / "docs" / "api" / "index.md").read_text()
    assert "1. [/apis/tickers/<int:product_code>](#tickers)" in text
    assert "## tickers" in text and "**URL Parameters**: `product_code`" in text
    assert "#### `GET` `/apis/tickers/<int:product_code>`" in text
    assert "> **_URL_**: `/apis/tickers/123`" in text and '"instock": 2' in text
    # the error example belongs to the same route, not to a literal path of its own
    assert "**Error Response Example**" in text and "`404 Not Found`" in text
    assert "## /apis/tickers/0" not in text and "## /apis/tickers/123" not in text


def test_without_docs_no_file_is_written(tmp_path):
    project = _project(tmp_path)
    result = _pytest(project / "tests")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (project / "tests" / "docs").exists()


def test_a_production_server_tells_no_route_to_a_client_that_did_not_ask(tmp_path):
    import skitai
    from skitai.testing.client import free_port

    project = _project(tmp_path)
    env = {"ATILA_ROUTE_HEADER": ""}
    with skitai.test_client(str(project / "serve.py"), port=free_port(), env=env) as cli:
        assert "x-atila-route" not in cli.get("/apis/tickers/1").headers
        asked = cli.get("/apis/tickers/1", headers={"X-Atila-Describe-Route": "1"})
        assert "x-atila-route" not in asked.headers  # not in debug and not enabled
    with skitai.test_client(str(project / "serve.py"), port=free_port(), env={"ATILA_ROUTE_HEADER": "1"}) as cli:
        assert "x-atila-route" not in cli.get("/apis/tickers/1").headers
        asked = cli.get("/apis/tickers/1", headers={"X-Atila-Describe-Route": "1"})
        assert asked.headers["x-atila-route"] == "tickers /apis/tickers/<int:product_code>"
