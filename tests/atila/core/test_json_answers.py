"""JSON in and out over real HTTP: a value with no JSON form is a 500 naming its
type and key (never ``{}`` or a repr), and a JSON array body is never dropped."""

from __future__ import annotations

import textwrap

import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

APP = """
import dataclasses
import datetime
import decimal
import enum
import uuid

from atila import Atila


class Photo:
    def __init__(self):
        self.url = "/p.jpg"


class Plain:
    pass


class Tagged:
    def to_dict(self):
        return {"tag": "t"}


@dataclasses.dataclass
class Point:
    x: int
    y: int


class Color(enum.Enum):
    RED = "red"


def __app__():
    return Atila(__name__)


def __mount__(context, app):
    @app.route("/object")
    def an_object(context):
        return {"x": object()}

    @app.route("/nested")
    def nested(context):
        return {"user": {"name": "Hans", "photos": [Photo()]}}

    @app.route("/plain")
    def plain(context):
        return {"item": Plain()}

    @app.route("/api")
    def api(context):
        return context.API(when=datetime.date(2026, 1, 2), thing=Plain())

    @app.route("/api-ok")
    def api_ok(context):
        return context.API(when=datetime.date(2026, 1, 2), point=Point(1, 2))

    @app.route("/fine")
    def fine(context):
        return {
            "when": datetime.datetime(2026, 1, 2, 3, 4, 5), "id": uuid.UUID(int=1), "point": Point(1, 2),
            "color": Color.RED, "price": decimal.Decimal("1.5"), "tagged": Tagged(), "pair": (1, 2),
            "huge": 2 ** 70,
        }

    @app.route("/kwargs", methods=["POST"])
    def with_kwargs(context, **kwargs):
        return {"got": kwargs}

    @app.route("/named", methods=["POST"])
    def named(context, items):
        return {"items": items}

    @app.route("/whole", methods=["POST"])
    def whole(context):
        return {"body": context.request.JSON}
"""

SERVE = """
import skitai
import myapp

if __name__ == "__main__":
    skitai.mount("/", myapp)
    skitai.run(port=5000)
"""


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    home = tmp_path_factory.mktemp("jsonapp")
    (home / "myapp").mkdir()
    (home / "myapp" / "__init__.py").write_text(textwrap.dedent(APP))
    (home / "serve.py").write_text(SERVE)
    with skitai.test_client(str(home / "serve.py"), port=free_port()) as client:
        yield client


@pytest.mark.parametrize(
    "path,named",
    [
        ("/object", "cannot encode object under key 'x' (at $.x)"),
        ("/nested", "cannot encode Photo under key 'photos' (at $.user.photos[0])"),
        ("/plain", "cannot encode Plain under key 'item' (at $.item)"),
        ("/api", "cannot encode Plain under key 'thing' (at $.thing)"),
    ],
)
def test_a_value_with_no_json_form_is_a_500_naming_type_and_key(cli, path, named):
    response = cli.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert named in response.json()["detail"]
    assert named in cli.output()  # and the error log has it, with the traceback


def test_xml_answers_follow_the_same_rule(cli):
    refused = cli.get("/api", headers={"Accept": "application/xml"})
    assert refused.status_code == 500
    assert "cannot encode Plain under key 'thing' (at $.thing)" in cli.output()
    answered = cli.get("/api-ok", headers={"Accept": "application/xml"})
    assert answered.status_code == 200
    assert "<when>2026-01-02</when><point><x>1</x><y>2</y></point>" in answered.text


def test_values_with_a_json_form_are_encoded(cli):
    response = cli.get("/fine")
    assert response.status_code == 200
    assert response.json() == {
        "when": "2026-01-02T03:04:05",
        "id": "00000000-0000-0000-0000-000000000001",
        "point": {"x": 1, "y": 2},
        "color": "red",
        "price": 1.5,
        "tagged": {"tag": "t"},
        "pair": [1, 2],
        "huge": 2**70,
    }


def test_a_json_array_to_a_kwargs_handler_is_a_400_not_an_empty_dict(cli):
    response = cli.post("/kwargs", json=[1, 2, 3])
    assert response.status_code == 400
    body = response.json()
    assert "the JSON body is an array, which cannot fill keyword parameters" in body["detail"]
    assert body["field"] == "body"
    assert cli.post("/kwargs", json={"a": 1}).json() == {"got": {"a": 1}}


def test_a_json_array_to_a_named_parameter_says_why_it_is_missing(cli):
    response = cli.post("/named", json=[1, 2])
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "missing parameter: items (the JSON body is an array, which names no parameters)" in detail


def test_a_handler_without_body_parameters_reads_the_whole_array(cli):
    assert cli.post("/whole", json=[1, {"b": 2}]).json() == {"body": [1, {"b": 2}]}
