"""The documented app life cycle with listeners registered at every stage, and the
start-up warnings for hooks that would otherwise never run (a misspelled name)."""

from __future__ import annotations

import logging
import sys
import textwrap

import pytest

import skitai
from skitai.testing.client import free_port

STAGES = {
    "__init__.py": """
        LOG = []

        def listen(app, stage):
            for event in ("before_mount", "mounted", "mounted_or_reloaded", "before_reload", "reloaded",
                          "before_umount", "umounted"):
                def heard(context, event=event):
                    LOG.append(f"{event}<-{stage}")
                app.on(event)(heard)

        def __app__():
            from atila import Atila
            app = Atila(__name__)
            listen(app, "app")
            return app

        def __setup__(context, app):
            LOG.append("root:setup")
            listen(app, "root:setup")
            from . import child
            app.mount("/child", child)

        def __mount__(context, app):
            LOG.append("root:mount")
            listen(app, "root:mount")

        def __mounted__(context, app):
            LOG.append("root:mounted")
            listen(app, "root:mounted")
        """,
    "child.py": """
        from . import LOG, listen

        def __setup__(context, app):
            LOG.append("child:setup")
            listen(app, "child:setup")

        def __mount__(context, app):
            LOG.append("child:mount")
            listen(app, "child:mount")
            @app.route("")
            def index(context):
                return "child"

        def __mounted__(context, app):
            LOG.append("child:mounted")
            listen(app, "child:mounted")

        def __umounted__(context, app):
            LOG.append("child:umounted")
        """,
}


def heard(event, *stages):
    return [f"{event}<-{stage}" for stage in stages]


def test_listeners_registered_at_every_stage_hear_every_later_event(package, harness, caplog):
    module = package("stagespkg", STAGES)
    app = module.__app__()
    running = harness(app, module=module).start()
    assert running.get("/child").text == "child"
    started = ["app", "root:setup", "child:setup", "child:mount", "root:mount", "root:mounted", "child:mounted"]
    assert module.LOG == [
        "root:setup",
        "child:setup",
        # listeners registered in __app__ and in every __setup__ hear before_mount
        *heard("before_mount", "app", "root:setup", "child:setup"),
        "child:mount",
        "root:mount",
        "root:mounted",
        "child:mounted",
        *heard("mounted", *started),
        *heard("mounted_or_reloaded", *started),
    ]
    # a before_mount listener registered after the event fired is named at start-up
    late = [r.getMessage() for r in caplog.records if "after that event fired" in r.getMessage()]
    assert len(late) == 4 and any("stagespkg.child.__mount__" in line for line in late)

    del module.LOG[:]
    app.reload_module(sys.modules["stagespkg.child"])
    # the child's listeners went with the old module; the reloaded one registers them once
    after_reload = ["app", "root:setup", "root:mount", "root:mounted", "child:setup", "child:mount", "child:mounted"]
    assert module.LOG == [
        *heard("before_reload", *started),
        "child:umounted",
        "child:setup",
        "child:mount",
        "child:mounted",
        *heard("reloaded", *after_reload),
        *heard("mounted_or_reloaded", *after_reload),
    ]

    del module.LOG[:]
    running.close()
    assert module.LOG == [
        *heard("before_umount", *after_reload),
        "child:umounted",
        *heard("umounted", *after_reload),
    ]


def test_an_app_started_again_hears_each_listener_once(package, harness):
    module = package("againpkg", STAGES)
    app = module.__app__()
    harness(app, module=module).start().close()
    del module.LOG[:]
    running = harness(app, module=module).start()
    assert running.get("/child").text == "child"
    assert module.LOG[:5] == ["root:setup", "child:setup", *heard("before_mount", "app", "root:setup", "child:setup")]


COUNTER_APP = """
from atila import Atila


def __app__():
    return Atila(__name__)


def __setup__(app, mntopt):
    @app.on('before_mount')
    def on_before_mount(was):
        app.g['TOTAL_REQUEST'] = 0
        app.g['FAILED_REQUEST'] = 0

    @app.before_request
    def before_request(was):
        app.g['TOTAL_REQUEST'] += 1

    @app.failed_request
    def failed_request(was, expt):
        app.g['FAILED_REQUEST'] += 1


def __mount__(app, mntopt):
    @app.route('/')
    def index(was):
        return str(app.g['TOTAL_REQUEST'])

    @app.route('/fail')
    def fail(was):
        raise ValueError('boom')

    @app.route('/failed')
    def failed(was):
        return str(app.g['FAILED_REQUEST'])
"""

SERVE = """
import skitai
import myapp

if __name__ == "__main__":
    skitai.mount("/", myapp)
    skitai.run(port=5000)
"""


def _project(tmp_path, package_source):
    """The tutorial's layout: ``myapp/__init__.py`` and ``serve.py`` beside it."""
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text(textwrap.dedent(package_source))
    (tmp_path / "serve.py").write_text(SERVE)
    return str(tmp_path / "serve.py")


@pytest.mark.process
def test_request_counter_of_the_docs_over_http(tmp_path):
    """The docs' request counter: ``__setup__`` registers ``before_mount``, which
    seeds the counters the request hooks increment."""
    script = _project(tmp_path, COUNTER_APP)
    with skitai.test_client(script, port=free_port()) as cli:
        assert (cli.get("/").status_code, cli.get("/").text) == (200, "2")
        assert cli.get("/fail").status_code == 500
        assert cli.get("/failed").text == "1"


TYPO_APP = """
from atila import Atila


def __app__():
    return Atila(__name__)


def __setpu__(context, app):
    pass


def __mout__(context, app):
    @app.route('/')
    def index(context):
        return 'never routed'
"""


@pytest.mark.process
def test_misspelled_hooks_are_named_at_start_up(tmp_path):
    script = _project(tmp_path, TYPO_APP)
    with skitai.test_client(script, port=free_port()) as cli:
        assert cli.get("/").status_code == 404
        output = cli.output()
    assert "__mout__, which is no hook and never runs; did you mean __mount__?" in output
    assert "__setpu__, which is no hook and never runs; did you mean __setup__?" in output
    assert "has no routes after start-up" in output
    assert "[warning]" in output


def test_hook_names_and_module_dunders_are_not_warned(package, serve, caplog):
    module = package(
        "finepkg",
        {
            "__init__.py": """
            __version__ = "1.0"
            def __getattr__(name):
                raise AttributeError(name)
            def __app__():
                from atila import Atila
                return Atila(__name__)
            def __mount__(context, app):
                @app.route("/")
                def index(context):
                    return "ok"
            def __umount__(app):
                pass
            """,
        },
    )
    with caplog.at_level(logging.WARNING, logger="atila"):
        harness = serve(module.__app__(), module=module)
        assert harness.get("/").text == "ok"
    assert [r.getMessage() for r in caplog.records if r.name.startswith("atila")] == []
