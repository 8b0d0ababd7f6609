"""Smaller app-level promises: app.run, old decorator names, render and render_or_API."""

import skitai
from atila import Atila


def test_run_mounts_on_root_and_runs(monkeypatch):
    calls = []
    monkeypatch.setattr(skitai, "mount", lambda path, target, *a, **k: calls.append(("mount", path, target)))
    monkeypatch.setattr(skitai, "run", lambda **settings: calls.append(("run", settings)))
    app = Atila(__name__)
    app.run(5123)
    assert calls == [("mount", "/", app), ("run", {"port": 5123})]


def test_old_inspect_names_are_the_same_decorator(serve):
    app = Atila(__name__)

    @app.route("/1")
    @app.test_params("ARGS", ["id"], ints=["id"])
    def one(context, id=None):
        return {"id": id}

    @app.route("/2")
    @app.require(a__gte=5)
    def two(context, a=0):
        return {"a": a}

    harness = serve(app)
    assert harness.get("/1?id=3").json() == {"id": 3}
    assert harness.get("/1").json()["rule"] == "required"
    assert harness.get("/2?a=3").status == 400


def test_render_and_render_or_api(serve, tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "hello.j2").write_text("<h1>Hello {{ name }}</h1>")
    app = Atila(__name__)
    app.home = str(tmp_path)

    @app.route("/hello")
    def hello(context, name="Hans"):
        return context.render_or_API("hello.j2", name=name)

    harness = serve(app)
    assert harness.get("/hello", headers=[("Accept", "text/html")]).text == "<h1>Hello Hans</h1>"
    assert harness.get("/hello", headers=[("Accept", "application/json")]).json() == {"name": "Hans"}


def test_mount_protocol_attributes():
    from skitai.contract import Mount

    app = Atila(__name__)
    mounts = app.__skitai_mount__("/api/", name="api")
    assert mounts == [app]
    assert isinstance(app, Mount)
    assert (app.prefix, app.priority, app.name) == ("/api", 10, "api")
    assert any(path.endswith("test_app_misc.py") for path in app.watch_paths())


def test_an_app_starts_again_after_shutdown_with_all_its_routes(tmp_path, monkeypatch):
    (tmp_path / "extra_service.py").write_text(
        "def __mount__(context, app):\n    @app.route('/extra')\n    def extra(context):\n        return 'extra'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import extra_service

    app = Atila(__name__)
    app.mount("/svc", extra_service)

    @app.route("/")
    def index(context):
        return "index"

    for _ in range(2):
        with app.test_client("/", approot=str(tmp_path)) as cli:
            assert cli.get("/").text == "index"
            assert cli.get("/svc/extra").text == "extra"
    assert len(app.router.find("extra")) == 0  # hook routes leave with the shutdown
