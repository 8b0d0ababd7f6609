"""The hooks loader: hook forms, cascading mounts, options, life-cycle order, reload."""

import importlib
import sys

import pytest

from atila import Atila
from atila.mounting import call_hook, hook_form, join_prefix


# -- hook forms ------------------------------------------------------------------
@pytest.mark.parametrize(
    "source, expected",
    [
        ("def h(context, app): pass", ("new", 2)),
        ("def h(context): pass", ("new", 1)),
        ("def h(context, app, opts): pass", ("new", 3)),
        ("def h(was, app, mntopt): pass", ("new", 3)),
        ("def h(app, mntopt): pass", ("old", 2)),
        ("def h(app): pass", ("old", 1)),
        ("def h(a, options): pass", ("old", 2)),
        ("def h(*args): pass", ("new", -1)),
    ],
)
def test_hook_form_is_read_from_parameter_names(source, expected):
    scope = {}
    exec(source, scope)
    assert hook_form(scope["h"]) == expected


def test_old_and_new_forms_get_their_arguments():
    seen = {}

    def old(app, mntopt):
        seen["old"] = (app, mntopt)

    def new(context, app):
        seen["new"] = (context, app)

    call_hook(old, "CTX", "APP", {"x": 1})
    call_hook(new, "CTX", "APP", {"x": 1})
    assert seen == {"old": ("APP", {"x": 1}), "new": ("CTX", "APP")}


def test_request_hook_extra_arguments_come_last():
    def wrapup(context, app, opts, content):
        return (context, app, opts, content)

    assert call_hook(wrapup, "C", "A", {}, "body") == ("C", "A", {}, "body")
    assert hook_form(lambda context, content: None, 1) == ("new", 1)


def test_hook_with_too_many_parameters_is_refused():
    with pytest.raises(TypeError, match="hooks take"):
        hook_form(lambda a, b, c, d: None)


@pytest.mark.parametrize(
    "parent, path, expected",
    [
        ("", "/api", "/api"),
        ("", "/", ""),
        ("/api", "/v1", "/api/v1"),
        ("/sub2", "/sub2/pages", "/sub2/pages"),
        ("/api", "/", "/api"),
    ],
)
def test_mount_paths_nest_unless_already_absolute(parent, path, expected):
    assert join_prefix(parent, path) == expected


# -- mounting a package ------------------------------------------------------------
DUMB = {
    "__init__.py": """
        NAME = "Dumb Seek"
        def __app__():
            from atila import Atila
            return Atila(__name__)

        def __setup__(context, app):
            from . import analyzer
            app.mount("/api", analyzer, flavor="plain")

        def __mount__(context, app):
            @app.route("/")
            def index(context):
                return context.API(app=NAME)
        """,
    "analyzer.py": """
        def analyze(query):
            return query.lower().split()

        def __mount__(context, app, options):
            @app.route("/tokens", methods=["POST", "OPTIONS"])
            def tokens(context, query):
                return context.API(result=analyze(query), flavor=__mntopt__["flavor"],
                                   routed=context.request.routable["mntopt"]["flavor"], opts=options["flavor"])
        """,
}


def test_package_hooks_cascade(serve, package):
    module = package("dumbpkg", DUMB)
    app = module.__app__()
    harness = serve(app, module=module)
    assert harness.get("/").json() == {"app": "Dumb Seek"}
    res = harness.post("/api/tokens", form={"query": "Detective Holmes"})
    assert res.json() == {"result": ["detective", "holmes"], "flavor": "plain", "routed": "plain", "opts": "plain"}


OLD = {
    "__init__.py": """
        LOG = []
        def __app__():
            from atila import Atila
            return Atila(__name__)

        def __setup__(app, mntopt):
            from . import services
            app.mount("/", services)

        def __umount__(app):
            LOG.append("umount")
        """,
    "services/__init__.py": """
        def __setup__(app, mntopt):
            from . import sub, sub2
            app.mount("/sub", sub)
            app.mount("/sub2", sub2)

        def __mount__(app, mntopt):
            @app.route("/")
            def index(was):
                return "Index Page"
        """,
    "services/sub.py": """
        def __mount__(app, mntopt):
            @app.route("")
            def sub(was):
                return "Sub Page"
        """,
    "services/sub2/__init__.py": """
        def __setup__(app, mntopt):
            from . import pages
            app.mount("/sub2/pages", pages)
        """,
    "services/sub2/pages.py": """
        def __mount__(app, mntopt):
            @app.route("")
            def pages(was):
                return "Pages"

            @app.route("/1")
            def page1(was):
                return "Page1"

            @app.route("/toc/<int:chapter>")
            def toc(was, chapter):
                return f"toc {chapter}"

            @app.route("/pipe")
            def piped(was):
                return was.pipe("sub2.pages.toc", chapter=5)
        """,
}


def test_old_forms_and_seed_001_paths(serve, package):
    module = package("oldpkg", OLD)
    harness = serve(module.__app__(), module=module)
    assert harness.get("/").text == "Index Page"
    assert harness.get("/sub").text == "Sub Page"
    assert harness.get("/sub/").status == 404
    assert harness.get("/sub2/pages").text == "Pages"
    assert harness.get("/sub2/pages/1").text == "Page1"


def test_pipe_by_module_path_name(serve, package):
    module = package("pipepkg", OLD)
    harness = serve(module.__app__(), module=module)
    assert harness.get("/sub2/pages/pipe").text == "toc 5"


def test_umount_runs_at_shutdown(package, harness):
    module = package("umountpkg", OLD)
    running = harness(module.__app__(), module=module).start()
    running.close()
    assert module.LOG == ["umount"]


LIFE = {
    "__init__.py": """
        LOG = []
        def __app__():
            from atila import Atila
            app = Atila(__name__)
            @app.on("before_mount")
            def before(context):
                LOG.append("event:before_mount")
            @app.on("mounted")
            def mounted(context):
                LOG.append("event:mounted")
            @app.on("before_umount")
            def before_umount(context):
                LOG.append("event:before_umount")
            @app.on("umounted")
            def umounted(context):
                LOG.append("event:umounted")
            return app

        def __setup__(context, app):
            assert context.request is None
            LOG.append("root:setup")
            from . import child
            app.mount("/child", child)

        def __mount__(context, app):
            LOG.append("root:mount")

        def __mounted__(context, app):
            LOG.append("root:mounted")

        def __umounted__(context, app):
            LOG.append("root:umounted")
        """,
    "child.py": """
        from . import LOG
        def __setup__(context, app):
            LOG.append("child:setup")

        def __mount__(context, app):
            LOG.append("child:mount")
            @app.route("")
            def index(context):
                return "child"

        def __mounted__(context, app):
            LOG.append("child:mounted")

        def __umounted__(context, app):
            LOG.append("child:umounted")
        """,
}


def test_life_cycle_order(package, harness):
    module = package("lifepkg", LIFE)
    running = harness(module.__app__(), module=module).start()
    assert running.get("/child").text == "child"
    running.close()
    assert module.LOG == [
        "root:setup",
        "child:setup",
        "event:before_mount",
        "child:mount",
        "root:mount",
        "root:mounted",
        "child:mounted",
        "event:mounted",
        "event:before_umount",
        "child:umounted",
        "root:umounted",
        "event:umounted",
    ]


def test_reload_module_remounts_changed_code(serve, package, tmp_path):
    module = package("reloadpkg", LIFE)
    harness = serve(module.__app__(), module=module)
    app = harness.mounts[0]
    child = sys.modules["reloadpkg.child"]
    source = (tmp_path / "reloadpkg" / "child.py").read_text().replace('return "child"', 'return "child v2"')
    (tmp_path / "reloadpkg" / "child.py").write_text(source)
    importlib.invalidate_caches()
    del module.LOG[:]
    app.reload_module(child)
    assert harness.get("/child").text == "child v2"
    assert module.LOG == ["child:umounted", "child:setup", "child:mount", "child:mounted"]
    assert len([r for r in app.router.rules if r.path == "/child"]) == 1


REQUEST_HOOKS = {
    "__init__.py": """
        def __app__():
            from atila import Atila
            return Atila(__name__)

        def __request__(context):
            context.request.g.K = [1]
            context.request.g.A = ["a"]

        def __teardown__(context, app, opts):
            context.request.g.A.append("b")
            TORN.append(list(context.request.g.A))

        def __error__(context, exception):
            ERRORS.append(str(exception))

        TORN = []
        ERRORS = []

        def __setup__(context):
            from . import sub
            context.app.mount("/sub", sub)
        """,
    "sub.py": """
        def __request__(context):
            context.request.g.K.append(2)

        async def __wrapup__(context, content):
            return content + "-trailer"

        def __mount__(context):
            app = context.app
            @app.route("")
            def index(context):
                assert context.request.g.K == [1, 2]
                return "sub"

            @app.route("/async")
            async def index2(context):
                assert context.request.g.K == [1, 2]
                return "sub-async"

            @app.route("/fail")
            def fail(context):
                raise ValueError("boom")
        """,
}


def test_module_request_hooks_cascade(serve, package):
    module = package("reqpkg", REQUEST_HOOKS)
    harness = serve(module.__app__(), module=module)
    assert harness.get("/sub").text == "sub-trailer"
    assert harness.get("/sub/async").text == "sub-async-trailer"
    assert module.TORN == [["a", "b"], ["a", "b"]]
    assert harness.get("/sub/fail").status == 500
    assert module.ERRORS == ["boom"]


def test_namespace_and_debug_only(serve, package):
    module = package(
        "nspkg",
        {
            "__init__.py": """
            def __app__():
                from atila import Atila
                return Atila(__name__)

            def __setup__(context, app):
                from . import auth, devtools
                app.mount("/regist", auth, ns="regist")
                app.mount("/dev", devtools, debug_only=True)
            """,
            "auth.py": """
            def __mount__(context, app):
                @app.route("/login")
                def login(context):
                    return context.urlfor("regist.login")
            """,
            "devtools.py": """
            def __mount__(context, app):
                @app.route("/tools")
                def tools(context):
                    return "tools"
            """,
        },
    )
    harness = serve(module.__app__(), module=module)
    assert harness.get("/regist/login").text == "/regist/login"
    assert harness.get("/dev/tools").status == 404


def test_app_mount_before_start_is_queued(serve, package):
    module = package(
        "queuedpkg",
        {
            "api.py": """
        def __mount__(context, app):
            @app.route("/ping")
            def ping(context):
                return "pong"
        """,
            "__init__.py": "",
        },
    )
    app = Atila(__name__)
    app.mount("/api/v1", module.api if hasattr(module, "api") else importlib.import_module("queuedpkg.api"))
    assert serve(app).get("/api/v1/ping").text == "pong"
