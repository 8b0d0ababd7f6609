"""Several Atila apps on one engine, over a real server process: names,
context.apps, the shared context.g, event subscription, cross-app urlfor, and
packages extended or overridden through the pref."""

from __future__ import annotations

import textwrap

import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process


def write_tree(root, files):
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))


TWO_APPS = {
    "serve.py": """
        import skitai
        import users, shop

        if __name__ == "__main__":
            skitai.mount("/users", users, name="users")
            skitai.mount("/shop", shop, name="shop", subscribe=["users"])
            skitai.run(workers=1)
    """,
    "users/__init__.py": """
        from atila import Atila

        def __app__():
            return Atila(__name__)

        def __mount__(context, app):
            @app.route("/<int:id>", methods=["GET"])
            def profile(context, id):
                return f"user {id}"

            @app.route("/signup", methods=["POST"])
            def signup(context, name):
                context.g["LAST_USER"] = name
                app.store["count"] = app.store.get("count", 0) + 1
                app.emit("signed-up", name)
                return "ok"
    """,
    "shop/__init__.py": """
        from atila import Atila

        def __app__():
            return Atila(__name__)

        def __setup__(context, app):
            @app.on("users:signed-up")
            def greet(context, name):
                app.store["greeted"] = app.store.get("greeted", []) + [name]

            @app.on("signed-up")
            def not_ours(context, name):
                app.store["wrong"] = True

        def __mount__(context, app):
            @app.route("/", methods=["GET"])
            def index(context):
                users = context.apps["users"]
                return {
                    "last": context.g.get("LAST_USER"),
                    "greeted": app.store.get("greeted", []),
                    "wrong": app.store.get("wrong", False),
                    "users_count": users.store.get("count"),
                    "users_routes": sorted(rule.name for rule in users.router if rule.name != "openapi_docs_static"
                                           and not rule.name.startswith("openapi")),
                    "profile": context.urlfor("users:profile", 7),
                    "via_app": users.urlfor("profile", id=8),
                    "apps": sorted(context.apps.names()),
                }
    """,
}


def test_apps_see_each_other_share_g_and_subscribe(tmp_path):
    write_tree(tmp_path, TWO_APPS)
    with skitai.test_client(str(tmp_path / "serve.py"), port=free_port()) as cli:
        assert cli.get("/users/3").text == "user 3"
        assert cli.post("/users/signup", data={"name": "hans"}).text == "ok"
        state = cli.get("/shop/").json()
        assert state == {
            "last": "hans",
            "greeted": ["hans"],
            "wrong": False,  # a subscriber hears "users:..." events under the other app's name only
            "users_count": 1,
            "users_routes": ["profile", "signup"],
            "profile": "/users/7",
            "via_app": "/users/8",
            "apps": ["shop", "users"],
        }
        assert cli.get(state["profile"]).text == "user 7"


EXTENDING = {
    "serve.py": """
        import skitai
        import base, myapp, plugin

        if __name__ == "__main__":
            with skitai.preference() as pref:
                pref.extends(base)
                pref.overrides(plugin)
                skitai.mount("/", myapp, pref)
            skitai.run(workers=1)
    """,
    "base/__init__.py": """
        ORDER = []

        def __setup__(context, app):
            app.store.setdefault("order", []).append("base.__setup__")

        def __mount__(context, app):
            @app.route("/about", methods=["GET"])
            def about(context):
                return "base about"

            @app.route("/", methods=["GET"])
            def base_index(context):
                return "base index"

        def __mounted__(context, app):
            app.store.setdefault("order", []).append("base.__mounted__")
    """,
    "base/static/base.css": "base css",
    "base/static/shared.css": "base shared",
    "base/templates/layout.html": "base layout {{ who }}",
    "base/templates/only_base.html": "only base",
    "plugin/__init__.py": """
        def __mount__(context, app):
            app.store.setdefault("order", []).append("plugin.__mount__")

            @app.route("/hello", methods=["GET"])
            def plugin_hello(context):
                return "plugin hello"
    """,
    "plugin/static/shared.css": "plugin shared",
    "myapp/__init__.py": """
        import skitai
        from atila import Atila

        def __config__(pref):
            pref.set_static("/", skitai.abspath("myapp/static"))

        def __app__():
            return Atila(__name__)

        def __setup__(context, app):
            app.store.setdefault("order", []).append("myapp.__setup__")

        def __mount__(context, app):
            @app.route("/", methods=["GET"])
            def index(context):
                return "my index"

            @app.route("/hello", methods=["GET"])
            def hello(context):
                return "my hello"

            @app.route("/page", methods=["GET"])
            def page(context):
                return context.render("layout.html", who="me") + " / " + context.render("only_base.html")

            @app.route("/order", methods=["GET"])
            def order(context):
                return ",".join(app.store["order"])

        def __mounted__(context, app):
            app.store.setdefault("order", []).append("myapp.__mounted__")
    """,
    "myapp/static/shared.css": "my shared",
    "myapp/static/mine.css": "mine",
    "myapp/templates/layout.html": "my layout {{ who }}",
}


def test_extends_fills_gaps_and_overrides_wins(tmp_path):
    write_tree(tmp_path, EXTENDING)
    with skitai.test_client(str(tmp_path / "serve.py"), port=free_port()) as cli:
        # services: the app's own route stays, the base only fills gaps, the override wins
        assert cli.get("/").text == "my index"
        assert cli.get("/about").text == "base about"
        assert cli.get("/hello").text == "plugin hello"
        # templates: the app's own first, the base's where the app has none
        assert cli.get("/page").text == "my layout me / only base"
        # static files: the override's, then the app's, then the base's
        assert cli.get("/base.css").text == "base css"
        assert cli.get("/mine.css").text == "mine"
        assert cli.get("/shared.css").text == "plugin shared"
        assert cli.get("/nothing.css").status_code == 404
        # life cycle: the app's modules first, then overriding, then extended packages
        assert cli.get("/order").text == (
            "myapp.__setup__,myapp.__mounted__,plugin.__mount__,base.__setup__,base.__mounted__"
        )
        paths = cli.get("/openapi.json").json()["paths"]
        assert {"/", "/about", "/hello", "/page", "/order"} == set(paths)
