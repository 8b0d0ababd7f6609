"""OpenAPI 3.1 from the route table: templates, methods, annotations, inspect
rules, bodies, errors and security, checked with openapi-spec-validator, and
the /docs page served from the installed Swagger UI files."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest
from openapi_spec_validator import validate

from atila import Atila
from skitai.testing.client import free_port


@dataclasses.dataclass
class Item:
    name: str
    price: float = 0.0


def make_app(**settings):
    app = Atila(__name__, **settings)

    @app.route("/items/<int:id>", methods=["GET"])
    def get_item(context, id, verbose: bool = False) -> dict:
        """One item.

        The verbose form adds the history."""
        return {"id": id, "verbose": verbose}

    @app.route("/items", methods=["POST"])
    @app.inspect(name__len__between=(1, 10), ints=["qty"], qty__gte=1)
    def add_item(context, name, qty, item: Item | None = None):
        return {"name": name, "qty": qty}

    @app.route("/episode/<int:id>")
    def episode(context, id=None):
        return str(id)

    @app.route("/files/<path:path>", methods=["GET"])
    def files(context, path, limit: int | None = None):
        return path

    @app.route("/secret", methods=["GET"], authenticate="bearer")
    def secret(context):
        return "s"

    @app.route("/upload", methods=["PUT"], content_types=["application/json"])
    def upload(context, tags: list[str]):
        return ",".join(tags)

    return app


def fetch_document(app, point="/"):
    with app.test_client(point, approot=".") as cli:
        response = cli.get("/openapi.json" if point == "/" else point.rstrip("/") + "/openapi.json")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        return response.json()


def test_document_is_valid_openapi_31_and_describes_every_route():
    doc = fetch_document(make_app())
    validate(doc)
    assert doc["openapi"] == "3.1.0"
    assert set(doc["paths"]) == {
        "/items/{id}",
        "/items",
        "/episode",
        "/episode/{id}",
        "/files/{path}",
        "/secret",
        "/upload",
    }
    assert "/openapi.json" not in doc["paths"] and "/docs" not in doc["paths"]


def test_converters_and_annotations_become_parameter_schemas():
    doc = fetch_document(make_app())
    get = doc["paths"]["/items/{id}"]["get"]
    assert get["operationId"] == "get_item"
    assert get["summary"] == "One item."
    assert get["description"] == "The verbose form adds the history."
    params = {p["name"]: p for p in get["parameters"]}
    assert params["id"] == {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    assert params["verbose"]["in"] == "query"
    assert params["verbose"]["schema"] == {"type": "boolean", "default": False}
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {"type": "object"}
    files = {p["name"]: p for p in doc["paths"]["/files/{path}"]["get"]["parameters"]}
    assert files["limit"]["schema"] == {"type": ["integer", "null"]}
    assert "required" not in files["limit"]


def test_inspect_rules_and_dataclasses_shape_the_request_body():
    doc = fetch_document(make_app())
    post = doc["paths"]["/items"]["post"]
    assert list(post) and "parameters" not in post
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["name", "qty"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["name"] == {"type": "string", "minLength": 1, "maxLength": 10}
    assert schema["properties"]["qty"] == {"type": "integer", "minimum": 1}
    assert schema["properties"]["item"] == {"anyOf": [{"$ref": "#/components/schemas/Item"}, {"type": "null"}]}
    # a nested value cannot travel in a form: JSON only
    assert list(post["requestBody"]["content"]) == ["application/json"]
    item = doc["components"]["schemas"]["Item"]
    assert item["required"] == ["name"] and item["properties"]["price"] == {"type": "number"}
    assert set(post["responses"]) >= {"200", "400", "415", "default"}


def test_optional_tail_and_unrestricted_methods():
    doc = fetch_document(make_app())
    assert set(doc["paths"]["/episode"]) == {"get", "post"}
    assert doc["paths"]["/episode/{id}"]["get"]["parameters"][0]["schema"] == {"type": "integer"}
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_content_types_and_security_schemes():
    doc = fetch_document(make_app())
    put = doc["paths"]["/upload"]["put"]
    assert list(put["requestBody"]["content"]) == ["application/json"]
    body = put["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    secret = doc["paths"]["/secret"]["get"]
    assert secret["security"] == [{"bearerAuth": []}]
    assert "401" in secret["responses"]
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }


def test_app_wide_authentication_is_the_default_security():
    """The document of an app that asks every request to authenticate is behind
    the same authentication."""
    import httpx

    app = make_app(authenticate="digest", users={"u": "p"}, realm="r")
    with app.test_client("/", approot=".") as cli:
        assert cli.get("/openapi.json").status_code == 401
        doc = cli.get("/openapi.json", auth=httpx.DigestAuth("u", "p")).json()
    validate(doc)
    assert doc["paths"]["/items/{id}"]["get"]["security"] == [{"digestAuth": []}]
    assert doc["components"]["securitySchemes"]["digestAuth"] == {"type": "http", "scheme": "digest"}


def test_docs_page_and_assets_are_served_locally():
    app = make_app()
    with app.test_client("/", approot=".") as cli:
        page = cli.get("/docs")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert 'url: "/openapi.json"' in page.text
        assert "/docs/static/swagger-ui-bundle.js" in page.text
        assert "http" not in page.text.split("<body>")[1]  # no CDN
        bundle = cli.get("/docs/static/swagger-ui-bundle.js")
        assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.content
        assert cli.get("/docs/static/swagger-ui.css").headers["content-type"].startswith("text/css")
        assert cli.get("/docs/static/core.py").status_code == 404
        assert cli.get("/docs/static/..%2F__init__.py").status_code == 404


def test_switched_off_per_app():
    app = make_app(openapi=False)
    with app.test_client("/", approot=".") as cli:
        assert cli.get("/openapi.json").status_code == 404
        assert cli.get("/docs").status_code == 404


def test_custom_paths_and_page_off():
    app = make_app(openapi_path="/spec.json", docs_path=None)
    with app.test_client("/", approot=".") as cli:
        assert cli.get("/spec.json").json()["openapi"] == "3.1.0"
        assert cli.get("/docs").status_code == 404


def test_an_apps_own_docs_route_wins():
    app = make_app()

    @app.route("/docs")
    def docs(context):
        return "my docs"

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/docs").text == "my docs"
        assert "/docs" in cli.get("/openapi.json").json()["paths"]


@pytest.mark.process
def test_each_mounted_app_serves_its_own_document_over_http(tmp_path):
    import skitai

    (tmp_path / "serve.py").write_text(
        textwrap.dedent("""
        import skitai
        from atila import Atila

        a = Atila("a")
        b = Atila("b")

        @a.route("/hello", methods=["GET"])
        def hello(context, name: str = "x"):
            return name

        @b.route("/users/<int:id>", methods=["GET", "DELETE"])
        def user(context, id):
            return str(id)

        if __name__ == "__main__":
            skitai.mount("/a", a, name="a")
            with skitai.preference() as pref:
                pref.openapi = False
                skitai.mount("/hidden", Atila("hidden"), pref)
            skitai.mount("/b", b, name="b")
            skitai.run()
    """)
    )
    with skitai.test_client(str(tmp_path / "serve.py"), port=free_port()) as cli:
        doc_a = cli.get("/a/openapi.json").json()
        doc_b = cli.get("/b/openapi.json").json()
        validate(doc_a)
        validate(doc_b)
        assert list(doc_a["paths"]) == ["/a/hello"]
        assert set(doc_b["paths"]["/b/users/{id}"]) == {"get", "delete"}
        assert cli.get("/hidden/openapi.json").status_code == 404
        page = cli.get("/b/docs").text
        assert 'url: "/b/openapi.json"' in page and "/b/docs/static/swagger-ui.css" in page
        assert cli.get("/b/docs/static/swagger-ui.css").status_code == 200


def test_pytest_docs_and_openapi_describe_the_same_routes():
    """The route names and templates ``pytest --docs`` records are the document's
    operations: one conversion (``openapi_path``) serves both."""
    from atila.openapi import openapi_path
    from atila.pytest_hooks import DocsRecorder

    app = make_app()
    recorder = DocsRecorder()
    with app.test_client("/", approot=".") as cli:
        doc = cli.get("/openapi.json").json()
        for method, url in [
            ("GET", "/items/3"),
            ("POST", "/items"),
            ("GET", "/episode/1"),
            ("GET", "/files/a/b"),
            ("PUT", "/upload"),
        ]:
            recorder.record(cli.request(method, url, json={"name": "n", "qty": 1} if method == "POST" else None).raw)
    assert len(recorder.routes) == 5
    for (name, path), route in recorder.routes.items():
        operations = doc["paths"][openapi_path(path)]
        methods = {method.lower() for method, _ in route["examples"]}
        assert methods <= set(operations)
        assert {operations[m]["operationId"] for m in methods} <= {name, *(f"{name}_{m}" for m in operations)}


def test_a_route_can_stay_out_of_the_document():
    app = make_app()

    @app.route("/internal", methods=["GET"], openapi=False)
    def internal(context):
        return "not listed"

    with app.test_client("/", approot=".") as cli:
        assert cli.get("/internal").text == "not listed"
        assert "/internal" not in cli.get("/openapi.json").json()["paths"]
