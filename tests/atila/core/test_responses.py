"""Return values and response helpers become the right answers."""

import io

import pytest

from atila import API, Atila


def make_app(tmp_path):
    app = Atila(__name__)
    (tmp_path / "data.txt").write_text("file body")

    @app.route("/gen")
    def gen(context):
        def generate():
            for row in ("a", "b", "c"):
                yield row + "\n"

        return context.response("200 OK", generate(), headers=[("Content-Type", "text/csv")])

    @app.route("/agen")
    async def agen(context):
        async def generate():
            for i in range(3):
                yield str(i).encode()

        return generate()

    @app.route("/filelike")
    def filelike(context):
        return io.BytesIO(b"from a file-like")

    @app.route("/head")
    def head(context):
        context.response.set_status("201 Created")
        context.response["X-Server"] = "Skitai"
        context.response.set_header("Content-Type", "text/plain")
        return "made"

    @app.route("/api")
    def api(context):
        return context.API("201 Created", url="/documents/0")

    @app.route("/api-dict")
    def api_dict(context):
        return context.API({"name": "Hans"}, extra=1)

    @app.route("/fault")
    def fault(context):
        return context.Fault("400 Bad Request", "missing parameter", 10021)

    @app.route("/file")
    def file(context):
        return context.File(str(tmp_path / "data.txt"), "text/plain", "data.txt")

    @app.route("/missing-file")
    def missing_file(context):
        return context.File(str(tmp_path / "nope.txt"))

    @app.route("/static")
    def static(context):
        return context.Static("data.txt")

    @app.route("/redirect")
    def redirect(context):
        return context.redirect(context.urlfor(api), status="302 Object Moved")

    @app.route("/error-int")
    def error_int(context):
        raise context.HttpError(404, "gone")

    @app.route("/error-str")
    def error_str(context):
        raise context.Error("400 Bad Request", 40011, "missing user ID")

    @app.route("/response-error")
    def response_error(context):
        return context.response("404 Not Found")

    @app.route("/throw")
    def throw(context):
        context.response.throw("403 Forbidden")

    @app.route("/queue")
    def queue(context):
        def produce(q):
            for i in range(50):
                q.put(f"{i},")
            q.put(None)

        return context.Queue(produce)

    @app.route("/none")
    def nothing(context):
        return None

    return app


@pytest.fixture
def harness(serve, tmp_path):
    app = make_app(tmp_path)
    app.statics = [("/static", str(tmp_path))]
    return serve(app)


def test_generator_streams(harness):
    res = harness.get("/gen")
    assert res.body == b"a\nb\nc\n"
    assert res.header("content-type") == "text/csv"
    assert res.ended


def test_async_generator_streams(harness):
    assert harness.get("/agen").body == b"012"


def test_file_like_streams(harness):
    assert harness.get("/filelike").body == b"from a file-like"


def test_response_head_status_and_headers(harness):
    res = harness.get("/head")
    assert res.status == 201
    assert res.header("x-server") == "Skitai"
    assert res.header_all("content-type") == ["text/plain"]


def test_api_with_status_string(harness):
    res = harness.get("/api")
    assert (res.status, res.json()) == (201, {"url": "/documents/0"})


def test_api_dict_and_keywords(harness):
    assert harness.get("/api-dict").json() == {"name": "Hans", "extra": 1}


def test_api_answers_xml_when_asked(harness):
    res = harness.get("/api-dict", headers=[("Accept", "application/xml")])
    assert res.header("content-type").startswith("application/xml")
    assert "<name>Hans</name>" in res.text


def test_fault(harness):
    res = harness.get("/fault")
    assert (res.status, res.json()) == (400, {"message": "missing parameter", "code": 10021})


def test_file(harness):
    res = harness.get("/file")
    assert res.body == b"file body"
    assert res.header("content-type") == "text/plain"
    assert "data.txt" in res.header("content-disposition")


def test_file_conditional_get(harness):
    etag = harness.get("/file").header("etag")
    assert harness.get("/file", headers=[("If-None-Match", etag)]).status == 304


def test_missing_file_is_404(harness):
    assert harness.get("/missing-file").status == 404


def test_static(harness):
    assert harness.get("/static").body == b"file body"


def test_redirect(harness):
    res = harness.get("/redirect")
    assert (res.status, res.header("location")) == (302, "/api")


def test_http_error_with_int_status(harness):
    res = harness.get("/error-int")
    assert (res.status, res.json()["detail"]) == (404, "gone")


def test_error_with_code_and_detail(harness):
    data = harness.get("/error-str").json()
    assert (data["code"], data["errno"], data["detail"]) == (400, 40011, "missing user ID")


def test_response_call_with_error_status(harness):
    assert harness.get("/response-error").status == 404


def test_throw(harness):
    assert harness.get("/throw").status == 403


def test_queue_streams_everything_from_the_thread(harness):
    res = harness.get("/queue")
    assert res.text == "".join(f"{i}," for i in range(50))


def test_none_is_an_empty_body(harness):
    res = harness.get("/none")
    assert (res.status, res.body) == (200, b"")


def test_standalone_api_serializes():
    response = API(name="x")
    response.prepare(None)
    assert response.body == b'{"name":"x"}'


@pytest.mark.process
def test_proxypass(serve, upstream):
    app = Atila(__name__)

    @app.route("/proxy/<path:path>")
    def proxy(context, path=None, **query):
        return context.ProxyPass(upstream, path)

    res = serve(app).get("/proxy/a/b?x=1")
    assert (res.status, res.text) == (200, "upstream saw /a/b?x=1 None")


@pytest.mark.process
def test_proxypass_unreachable_is_502(serve):
    app = Atila(__name__)

    @app.route("/proxy")
    def proxy(context):
        return context.ProxyPass("http://127.0.0.1:9", "/")

    assert serve(app).get("/proxy").status == 502
