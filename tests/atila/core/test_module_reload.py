"""``app.reload_targets()`` and ``app.reload(path)``: what ``--devel`` reloads
in place and how (the optional mount methods of ``skitai.contract.Mount``).

Edits change the source's length: a same-size edit within the second the module
was compiled would reuse its ``.pyc`` (the engine's reloader drops it first).
"""

import os

import pytest

SERVICES = {
    "__init__.py": """
        from atila import Atila

        def __app__():
            return Atila(__name__)

        def __setup__(context, app):
            from .services import pages
            app.mount("/pages", pages)

        def __mount__(context, app):
            @app.route("/")
            def index(context):
                return "index"
        """,
    "services/__init__.py": "",
    "services/pages.py": """
        def __mount__(context, app):
            @app.route("/one")
            def one(context):
                return "one"

            @app.route("/two")
            def two(context):
                return "two"
        """,
    "services/more.py": """
        def __mount__(context, app):
            @app.route("/more")
            def more(context):
                return "more"
        """,
}


@pytest.fixture
def running(package, serve, tmp_path):
    """(harness, app, folder of the package) for a fresh copy of SERVICES."""
    module = package("reloadsvc", SERVICES)
    harness = serve(module.__app__(), module=module)
    return harness, harness.mounts[0], tmp_path / "reloadsvc"


def rewrite(path, old, new):
    source = path.read_text()
    assert old in source
    path.write_text(source.replace(old, new))


def test_targets_are_the_mounted_service_modules(running):
    _, app, folder = running
    assert app.reload_targets() == [os.path.realpath(folder / "services" / "pages.py")]


def test_reload_serves_the_new_code_and_drops_removed_routes(running):
    harness, app, folder = running
    pages = folder / "services" / "pages.py"
    rewrite(pages, 'return "one"', 'return "one, reloaded"')
    rewrite(pages, '@app.route("/two")', '@app.route("/three")')
    app.reload(str(pages))
    assert harness.get("/pages/one").text == "one, reloaded"
    assert harness.get("/pages/three").text == "two"
    assert harness.get("/pages/two").status == 404


def test_reload_of_a_file_not_mounted_changes_nothing(running):
    harness, app, folder = running
    app.reload(str(folder / "services" / "more.py"))
    assert harness.get("/pages/one").text == "one"
    assert harness.get("/more").status == 404


def test_targets_follow_what_a_reloaded_module_mounts(running):
    harness, app, folder = running
    pages = folder / "services" / "pages.py"
    rewrite(
        pages,
        "def __mount__",
        "def __setup__(context, app):\n    from . import more\n    app.mount('/', more)\n\ndef __mount__",
    )
    app.reload(str(pages))
    assert harness.get("/pages/more").text == "more"
    assert os.path.realpath(folder / "services" / "more.py") in app.reload_targets()


def test_failed_reload_raises_and_leaves_no_old_route(running):
    harness, app, folder = running
    pages = folder / "services" / "pages.py"
    rewrite(pages, 'return "one"', 'return "one" +')
    with pytest.raises(SyntaxError):
        app.reload(str(pages))
    assert harness.get("/pages/one").status == 404
    assert harness.get("/").text == "index"
