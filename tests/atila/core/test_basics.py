"""A minimal app routes and answers: str, bytes, JSON, async and def handlers."""

from atila import Atila


def make_app():
    app = Atila(__name__)

    @app.route("/")
    def index(context):
        return "Hello, World"

    @app.route("/async")
    async def index_async(context):
        return "Hello, async"

    @app.route("/json")
    def as_json(context):
        return {"a": 1}

    @app.route("/bytes")
    async def as_bytes(context):
        return b"\x00\x01"

    @app.route("/users/<int:id>")
    async def user(context, id, detail="no"):
        return {"id": id, "detail": detail}

    return app


def test_str_is_html(serve):
    res = serve(make_app()).get("/")
    assert res.status == 200
    assert res.text == "Hello, World"
    assert res.header("content-type") == "text/html; charset=utf-8"


def test_async_handler(serve):
    assert serve(make_app()).get("/async").text == "Hello, async"


def test_dict_is_json(serve):
    res = serve(make_app()).get("/json")
    assert res.json() == {"a": 1}
    assert res.header("content-type") == "application/json"


def test_bytes_are_octets(serve):
    res = serve(make_app()).get("/bytes")
    assert res.body == b"\x00\x01"
    assert res.header("content-type") == "application/octet-stream"


def test_path_and_query_parameters(serve):
    res = serve(make_app()).get("/users/7?detail=yes")
    assert res.json() == {"id": 7, "detail": "yes"}


def test_unknown_path_is_404_json(serve):
    res = serve(make_app()).get("/nothing")
    assert res.status == 404
    assert res.json()["code"] == 404


def test_unknown_path_is_404_html_for_browsers(serve):
    res = serve(make_app()).get("/nothing", headers=[("Accept", "text/html,*/*")])
    assert res.status == 404
    assert "<h1>404 Not Found</h1>" in res.text


def test_handle_passes_unknown_paths_on():
    from skitai.contract import NOT_FOUND
    from skitai.testing.memory import MemoryResponder, make_request

    app = make_app()
    app.__skitai_mount__("")
    assert app.handle(make_request("GET", "/nothing"), MemoryResponder()) is NOT_FOUND
