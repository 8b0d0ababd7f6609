"""Parameters reach handlers: query, form, JSON, multipart uploads; bad input is a 400."""

import os

from atila import Atila


def make_app(tmp_path=None):
    app = Atila(__name__)

    @app.route("/query")
    def query(context, a=None, b=None, **rest):
        return {"a": a, "b": b, "rest": rest}

    @app.route("/hello", methods=["POST", "OPTIONS"])
    def hello(context, name, birth_year, gender=None):
        return {"name": name, "birth_year": birth_year, "gender": gender}

    @app.route("/groups/<int:id>", methods=["GET", "POST"])
    def groups(context, id, topic=None, **data):
        request = context.request
        return {
            "URL": dict(request.URL),
            "FORM": dict(request.FORM),
            "JSON": dict(request.JSON),
            "DATA": dict(request.DATA),
            "DEFAULT": dict(request.DEFAULT),
            "PARAMS": dict(request.PARAMS),
            "ARGS": dict(request.ARGS),
        }

    @app.route("/upload", methods=["POST"])
    def upload(context, file, title=""):
        saved = file.save(str(tmp_path), mkdir=True)
        return {
            "name": file.name,
            "size": file.size,
            "mimetype": file.mimetype,
            "ext": file.ext,
            "title": title,
            "saved": os.path.basename(saved),
            "content": open(saved, "rb").read().decode(),
        }

    @app.route("/inspect")
    @app.inspect(ints=["offset"], name__len__between=(3, 8))
    def inspected(context, offset=0, name="abcd"):
        return {"offset": offset}

    @app.route("/typed")
    async def typed(context, limit: int = 10):
        return {"limit": limit}

    @app.route("/raw", methods=["POST"])
    async def raw(context):
        return {"json": context.request.json(), "body": context.request.body.decode()}

    return app


def test_query_values_blank_kept_and_repeated(serve):
    res = serve(make_app()).get("/query?a=1&a=2&b=&c=3")
    assert res.json() == {"a": ["1", "2"], "b": "", "rest": {"c": "3"}}


def test_form_binds_arguments(serve):
    res = serve(make_app()).post("/hello", form={"name": "Hans", "birth_year": "1990"})
    assert res.json() == {"name": "Hans", "birth_year": "1990", "gender": None}


def test_json_binds_arguments(serve):
    res = serve(make_app()).post("/hello", json={"name": "Hans", "birth_year": 1990, "gender": "m"})
    assert res.json() == {"name": "Hans", "birth_year": 1990, "gender": "m"}


def test_missing_parameter_is_400_naming_it(serve):
    res = serve(make_app()).post("/hello", form={"name": "Hans"})
    assert res.status == 400
    assert res.json()["field"] == "birth_year"
    assert "birth_year" in res.json()["detail"]


def test_unexpected_parameter_is_400(serve):
    res = serve(make_app()).post("/hello", form={"name": "H", "birth_year": "1", "age": "3"})
    assert res.status == 400
    assert res.json()["field"] == "age"


def test_invalid_json_is_400_naming_the_problem(serve):
    res = serve(make_app()).post("/hello", body=b'{"name": ', headers=[("Content-Type", "application/json")])
    assert res.status == 400
    assert "invalid JSON" in res.json()["detail"]


def test_json_nested_too_deep_is_400(serve):
    body = b"[" * 5000 + b"]" * 5000
    res = serve(make_app()).post("/raw", body=body, headers=[("Content-Type", "application/json")])
    assert res.status == 400


def test_request_parameter_groups(serve):
    res = serve(make_app()).post("/groups/3?topic=t", json={"comment": "good"})
    data = res.json()
    assert data["URL"] == {"topic": "t"}
    assert data["JSON"] == {"comment": "good"}
    assert data["DATA"] == {"comment": "good"}
    assert data["FORM"] == {}
    assert data["DEFAULT"] == {"topic": None}
    assert data["PARAMS"] == {"id": 3}
    assert data["ARGS"] == {"topic": "t", "comment": "good", "id": 3}


def test_multipart_upload(serve, tmp_path):
    boundary = "XyZ"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nMy file\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="../../notes.TXT"\r\n'
        f"Content-Type: text/plain\r\n\r\nhello upload\r\n--{boundary}--\r\n"
    ).encode()
    headers = [("Content-Type", f"multipart/form-data; boundary={boundary}")]
    res = serve(make_app(tmp_path)).post("/upload", body=body, headers=headers)
    assert res.json() == {
        "name": "../../notes.TXT",
        "size": 12,
        "mimetype": "text/plain",
        "ext": "txt",
        "title": "My file",
        "saved": "notes.TXT",
        "content": "hello upload",
    }
    assert os.listdir(tmp_path) == ["notes.TXT"]


def test_upload_save_makes_unique_names(tmp_path):
    from atila.context.uploads import MultipartReader

    reader = MultipartReader("multipart/form-data; boundary=b")
    reader.feed(b'--b\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nxy\r\n--b--\r\n')
    upload = reader.finish()["f"]
    (tmp_path / "a.txt").write_text("old")
    assert os.path.basename(upload.save(str(tmp_path))) == "a.1.txt"
    assert (tmp_path / "a.txt").read_text() == "old"


def test_malformed_multipart_is_400(serve):
    headers = [("Content-Type", "multipart/form-data")]
    assert serve(make_app()).post("/upload", body=b"garbage", headers=headers).status == 400


def test_inspect_failure_names_field_and_rule(serve):
    harness = serve(make_app())
    assert harness.get("/inspect?offset=5").json() == {"offset": 5}
    res = harness.get("/inspect?offset=x")
    assert res.status == 400
    assert (res.json()["field"], res.json()["rule"]) == ("offset", "ints")
    res = harness.get("/inspect?name=ab")
    assert (res.status, res.json()["field"]) == (400, "name")


def test_typed_annotations_are_validated(serve):
    harness = serve(make_app())
    assert harness.get("/typed?limit=5").json() == {"limit": 5}
    res = harness.get("/typed?limit=many")
    assert res.status == 400
    assert res.json()["field"] == "limit"


def test_body_available_in_async_handlers(serve):
    res = serve(make_app()).post("/raw", json={"k": 1})
    assert res.json() == {"json": {"k": 1}, "body": '{"k": 1}'}


def test_body_limit_comes_from_pref():
    from skitai.preference import Pref

    pref = Pref()
    pref.max_client_body_size = 1024
    app = Atila(__name__)
    app.__skitai_mount__("", pref=pref)
    assert app.body_limit == 1024
    other = Atila(__name__)
    pref2 = Pref()
    pref2.config.MAX_UPLOAD_SIZE = 2048
    other.__skitai_mount__("", pref=pref2)
    assert other.body_limit == 2048
