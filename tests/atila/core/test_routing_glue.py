"""Routing as the app answers it: methods, HEAD/OPTIONS, 405/415/301, unroute, URLs."""

import pytest

from atila import Atila
from atila.routing import BuildError


def make_app():
    app = Atila(__name__)

    @app.route("/hello", methods=["GET"])
    def hello(context):
        return "hello"

    @app.route("/post", methods=["POST"], content_types=["application/json"])
    def post(context):
        return "posted"

    @app.route("/sub/")
    def sub(context):
        return "sub"

    @app.route("/a")
    @app.route("/b")
    def both(context):
        return context.request.path

    @app.route("/navigate")
    def navigate(context, limit=20, pageno=1):
        return context.partial(navigate, pageno=3)

    @app.route("/users/<int:id>")
    def user(context, id=None):
        return context.urlfor(user, 100)

    @app.route("/base")
    def base(context):
        return context.basepath("user") + "|" + context.ab("user", 5) + "|" + context.urlfor("/index.htm")

    @app.route("/static")
    def static(context):
        return context.static("img/logo.png")

    return app


def test_get_answers_head(serve):
    res = serve(make_app()).request("HEAD", "/hello")
    assert res.status == 200


def test_405_names_allowed_methods(serve):
    res = serve(make_app()).request("DELETE", "/hello")
    assert res.status == 405
    assert res.header("allow") == "GET, HEAD, OPTIONS"


def test_options_answered_where_get_is(serve):
    res = serve(make_app()).request("OPTIONS", "/hello")
    assert res.status == 204
    assert "GET" in res.header("allow")


def test_415_for_other_content_types(serve):
    harness = serve(make_app())
    assert harness.post("/post", body=b"x=1", headers=[("Content-Type", "text/plain")]).status == 415
    assert harness.post("/post", json={}).text == "posted"


def test_301_to_the_slash_form_keeps_prefix_and_query(serve):
    res = serve(make_app(), "/app").get("/app/sub?x=1")
    assert res.status == 301
    assert res.header("location") == "/app/sub/?x=1"


def test_several_routes_per_function(serve):
    harness = serve(make_app())
    assert harness.get("/a").text == "/a"
    assert harness.get("/b").text == "/b"


def test_unroute(serve):
    app = make_app()
    harness = serve(app)
    app.unroute("hello")
    assert harness.get("/hello").status == 404


def test_urlfor_includes_mount_point(serve):
    assert serve(make_app(), "/math").get("/math/users/1").text == "/math/users/100"


def test_partial_keeps_current_values(serve):
    assert serve(make_app()).get("/navigate?limit=100&pageno=2").text == "/navigate?limit=100&pageno=3"


def test_basepath_ab_and_literal(serve):
    assert serve(make_app()).get("/base").text == "/users/|/users/5|/index.htm"


def test_static_url(serve):
    app = make_app()
    app.statics = [("/assets", "/tmp")]
    assert serve(app).get("/static").text == "/assets/img/logo.png"


def test_unknown_route_name_is_a_build_error():
    with pytest.raises(BuildError):
        make_app().urlfor("nope")


def test_urlfor_across_apps(serve_many):
    search = Atila("search")

    @search.route("/query")
    def query(context, q):
        return "q"

    main = Atila("main")

    @main.route("/")
    def index(context):
        return context.urlfor("search:query", "Your Name")

    harness = serve_many((search, "/search", {"name": "search"}), (main, "", {"name": "main"}))
    assert harness.get("/").text == "/search/query?q=Your+Name"


def test_apps_and_shared_g(serve_many):
    one = Atila("one")
    two = Atila("two")

    @one.route("/set")
    def put(context):
        context.g["LOADED_MODELS"] = ["a", "b"]
        return "ok"

    @two.route("/get")
    def get(context):
        return "|".join(context.g["LOADED_MODELS"]) + ":" + context.apps["one"].name

    harness = serve_many((one, "/one", {"name": "one"}), (two, "/two", {"name": "two"}))
    harness.get("/one/set")
    assert harness.get("/two/get").text == "a|b:one"


def empty_route_app():
    app = Atila(__name__)

    @app.route("")
    def home(context):
        return "home " + context.urlfor("home")

    return app


def test_empty_route_answers_the_bare_mount_point_only(serve):
    harness = serve(empty_route_app(), "/sub")
    assert harness.get("/sub").text == "home /sub"
    assert harness.get("/sub/").status == 404


def test_empty_route_at_the_root_mount_answers_slash(serve):
    # Seed 004: route "" is the mount point itself; at "/" that URL is "/".
    res = serve(empty_route_app()).get("/")
    assert (res.status, res.text) == (200, "home /")
