"""``--devel`` end to end: service modules reload in place (same worker pid),
the root module restarts the worker, and broken code never keeps serving.

The app is a package with ``__app__`` whose ``__setup__`` mounts
``services/pages.py``; ``/pid`` answers the worker's pid from the root module.
"""

import json
import os

import pytest
from worker_helpers import wait_for

import skitai

pytestmark = pytest.mark.process

SERVE = """
import skitai

if __name__ == "__main__":
    skitai.mount("/", "myapp")
    skitai.run(port=5000, name="develapp", graceful_timeout=2)
"""

ROOT = """
import os

from atila import Atila

ROOT_TEXT = "root v1"


def __app__():
    return Atila(__name__)


def __setup__(context, app):
    from .services import pages
    app.mount("/", pages)


def __mount__(context, app):
    @app.route("/root")
    def root(context):
        return ROOT_TEXT

    @app.route("/pid")
    def pid(context):
        return str(os.getpid())
"""

PAGES = """
PAGE_TEXT = "page v1"


def __mount__(context, app):
    @app.route("/page")
    def page(context):
        return PAGE_TEXT

    @app.route("/extra")
    def extra(context):
        return "extra"
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """serve.py and the myapp package in tmp_path; returns tmp_path.

    The server's TMPDIR is tmp_path/tmp, so the supervisor's reload manifest
    (``skitai-reload-*.json``) can be found there.
    """
    monkeypatch.setenv("SKITAI_HOME", str(tmp_path / "home"))
    (tmp_path / "tmp").mkdir()
    (tmp_path / "serve.py").write_text(SERVE)
    (tmp_path / "myapp" / "services").mkdir(parents=True)
    (tmp_path / "myapp" / "__init__.py").write_text(ROOT)
    (tmp_path / "myapp" / "services" / "__init__.py").write_text("")
    (tmp_path / "myapp" / "services" / "pages.py").write_text(PAGES)
    return tmp_path


def devel_client(project, port):
    return skitai.test_client(str(project / "serve.py"), port=port, devel=True, env={"TMPDIR": str(project / "tmp")})


def edit(path, old, new):
    source = path.read_text()
    assert old in source
    path.write_text(source.replace(old, new))


def answer(cli, path):
    """(status, text) of a GET, or None while nothing answers."""
    try:
        response = cli.get(path)
    except Exception:
        return None
    return response.status_code, response.text


def reloadable(project):
    """The files the serving child reloads in place now (its manifest)."""
    for manifest in (project / "tmp").glob("skitai-reload-*.json"):
        try:
            return json.loads(manifest.read_text())
        except (OSError, ValueError):
            return []
    return []


def wait_reloadable(project, path):
    wait_for(lambda: os.path.realpath(path) in reloadable(project), timeout=20, what=f"{path.name} to reload in place")


@pytest.mark.timeout(90)
def test_service_module_reloads_in_the_same_worker(project, port):
    pages = project / "myapp" / "services" / "pages.py"
    with devel_client(project, port) as cli:
        assert answer(cli, "/page") == (200, "page v1")
        pid = cli.get("/pid").text
        wait_reloadable(project, pages)
        edit(pages, '"page v1"', '"page v2"')
        wait_for(lambda: answer(cli, "/page") == (200, "page v2"), timeout=30, what="the edited page")
        assert cli.get("/pid").text == pid


@pytest.mark.timeout(90)
def test_root_module_change_restarts_the_worker(project, port):
    with devel_client(project, port) as cli:
        pid = cli.get("/pid").text
        wait_reloadable(project, project / "myapp" / "services" / "pages.py")
        edit(project / "myapp" / "__init__.py", '"root v1"', '"root v2"')
        wait_for(lambda: answer(cli, "/root") == (200, "root v2"), timeout=30, what="the edited root module")
        assert cli.get("/pid").text != pid


@pytest.mark.timeout(90)
def test_broken_service_module_answers_its_error_until_fixed(project, port):
    pages = project / "myapp" / "services" / "pages.py"
    with devel_client(project, port) as cli:
        assert answer(cli, "/page") == (200, "page v1")
        wait_reloadable(project, pages)
        edit(pages, '"page v1"', '"page v2" +')
        # the half-reloaded worker stops; the fresh one dies of the syntax error;
        # the port stays open and every request gets the error
        status, page = wait_for(
            lambda: (answer(cli, "/page") or (0, ""))[0] == 500 and answer(cli, "/page"),
            timeout=30,
            what="the error page",
        )
        assert "SyntaxError" in page and f"{pages}, line 2" in page
        assert "PAGE_TEXT = &quot;page v2&quot; +" in page and "^" in page
        assert answer(cli, "/anything/else")[0] == 500
        assert "waiting for a change" in cli.output()
        edit(pages, '"page v2" +', '"page v3"')
        wait_for(lambda: answer(cli, "/page") == (200, "page v3"), timeout=30, what="the fixed page")


@pytest.mark.timeout(90)
def test_a_syntax_error_in_the_launch_script_is_shown_too(project, port):
    serve = project / "serve.py"
    with devel_client(project, port) as cli:
        assert answer(cli, "/page") == (200, "page v1")
        edit(serve, 'skitai.mount("/", "myapp")', 'skitai.mount("/", "myapp"')
        wait_for(lambda: (answer(cli, "/page") or (0, ""))[0] == 500, timeout=30, what="the error page")
        page = answer(cli, "/")[1]
        assert "SyntaxError" in page and f"{serve}, line" in page
        edit(serve, 'skitai.mount("/", "myapp"', 'skitai.mount("/", "myapp")')
        wait_for(lambda: answer(cli, "/page") == (200, "page v1"), timeout=30, what="the fixed script")


@pytest.mark.timeout(90)
def test_route_removed_from_a_service_module_answers_404(project, port):
    pages = project / "myapp" / "services" / "pages.py"
    with devel_client(project, port) as cli:
        assert answer(cli, "/extra") == (200, "extra")
        pid = cli.get("/pid").text
        wait_reloadable(project, pages)
        edit(pages, '@app.route("/extra")', '@app.route("/extra2")')
        wait_for(lambda: answer(cli, "/extra2") == (200, "extra"), timeout=30, what="the renamed route")
        assert answer(cli, "/extra")[0] == 404
        assert cli.get("/pid").text == pid
