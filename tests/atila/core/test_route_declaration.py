"""What a route declaration may say: a path without a leading slash, and the
route options (one table: built, documented but not built yet, unknown)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import skitai
from atila import Atila
from atila.routing.options import ROUTE_OPTIONS, OptionState, check_route_options
from skitai.testing.client import free_port

SERVE = """
import skitai
import myapp

if __name__ == "__main__":
    skitai.mount("/", myapp)
    skitai.run(port=5000)
"""

RELATIVE = {
    "__init__.py": """
        from atila import Atila

        def __app__():
            return Atila(__name__)

        def __setup__(context, app):
            from . import api
            app.mount("/api", api)

        def __mount__(context, app):
            @app.route("about")
            def about(context):
                return "about"
        """,
    "api.py": """
        def __mount__(context, app):
            @app.route("")
            def root(context):
                return "api root"

            @app.route("items/<int:id>")
            def item(context, id):
                return {"id": id}

            @app.route("/slashed/<int:id>")
            def slashed(context, id):
                return {"slashed": id}
        """,
}


def _project(tmp_path, files):
    for name, source in files.items():
        path = tmp_path / "myapp" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    (tmp_path / "serve.py").write_text(SERVE)
    return str(tmp_path / "serve.py")


@pytest.mark.process
def test_route_path_without_leading_slash_is_relative_to_the_mount_path(tmp_path):
    with skitai.test_client(_project(tmp_path, RELATIVE), port=free_port()) as cli:
        assert cli.get("/api").text == "api root"
        assert cli.get("/api/items/7").json() == {"id": 7}
        assert cli.get("/api/slashed/7").json() == {"slashed": 7}
        assert cli.get("/about").text == "about"
        assert cli.get("/apiitems/7").status_code == 404


def test_relative_route_builds_the_same_url(serve):
    app = Atila(__name__)

    @app.route("items/<int:id>")
    def item(context, id):
        return context.urlfor("item", id)

    assert serve(app).get("/items/3").text == "/items/3"


BAD_OPTION = {
    "__init__.py": """
        from atila import Atila

        def __app__():
            return Atila(__name__)

        def __mount__(context, app):
            @app.route("/", {option})
            def index(context):
                return "ok"
        """,
}


@pytest.mark.process
@pytest.mark.parametrize(
    "option,message",
    [
        ("authenticat='basic'", "unknown option 'authenticat' (did you mean 'authenticate'?)"),
        ("method=['POST']", "unknown option 'method' (did you mean 'methods'?)"),
    ],
)
def test_route_option_not_built_or_unknown_stops_the_start_up(tmp_path, option, message):
    files = {"__init__.py": BAD_OPTION["__init__.py"].replace("{option}", option)}
    script = _project(tmp_path, files)
    # NOTE: the port answers once bound, before the worker runs the hooks: wait for the exit
    done = subprocess.run(
        [sys.executable, script, "--port", str(free_port())],
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert f"route '/': {message}" in done.stderr


def test_route_options_that_are_built_pass_and_false_not_built_ones_are_dropped(monkeypatch):
    monkeypatch.setitem(ROUTE_OPTIONS, "someday", OptionState.NOT_BUILT)
    kept = check_route_options("/x", {"authenticate": "basic", "someday": False, "access_control_max_age": 9})
    assert kept == {"authenticate": "basic", "access_control_max_age": 9}
    with pytest.raises(ValueError, match="option someday=True is documented but not built"):
        check_route_options("/x", {"someday": True})


def test_the_documented_misspelling_still_runs_with_a_warning(caplog):
    app = Atila(__name__)
    app.route("/hello", mehotd=["POST"])(lambda context: "hi")
    assert "option 'mehotd' is ignored (did you mean 'methods'?)" in caplog.text


def test_every_option_has_a_state():
    assert ROUTE_OPTIONS and all(isinstance(state, OptionState) for state in ROUTE_OPTIONS.values())
    assert ROUTE_OPTIONS["coroutine"] is OptionState.BUILT
    assert ROUTE_OPTIONS["input_stream"] is OptionState.BUILT
    assert ROUTE_OPTIONS["stream"] is OptionState.BUILT
