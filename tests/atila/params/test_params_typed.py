"""Typed handlers: annotations checked through ParamSpec.bind with ParamError's shape."""

import dataclasses
import enum
from typing import Annotated, Literal

import pytest

from atila.params import ParamError, ParamSpec


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Point:
    x: int
    y: int = 0


def typed(
    context,
    id: int,
    flag: bool = False,
    tags: list[str] = [],
    x: float | None = None,
    limit: int = None,
    nums: list[int] = [],
    kind: Literal["a", "b"] = "a",
    level: Literal[1, 2] = 1,
    color: Color = Color.RED,
    point: Point = None,
    pair: tuple[int, ...] = (),
    weights: dict[str, float] = {},
    note: str | None = None,
    size: Annotated[int, "doc"] = 0,
    either: int | bool = 0,
):
    return id


def bind(query, path=None):
    return ParamSpec.from_function(typed).bind(path or {}, query)


CONVERTS = [
    ({"id": "3"}, "id", 3),
    ({"id": "3", "flag": "yes"}, "flag", True),
    ({"id": "3", "tags": "a,b"}, "tags", ["a", "b"]),
    ({"id": "3", "tags": ["a", "b"]}, "tags", ["a", "b"]),
    ({"id": "3", "x": "1.5"}, "x", 1.5),
    ({"id": "3", "x": ""}, "x", None),
    ({"id": "3", "limit": "7"}, "limit", 7),
    ({"id": "3", "limit": ""}, "limit", None),
    ({"id": "3", "nums": ["1", "2"]}, "nums", [1, 2]),
    ({"id": "3", "kind": "b"}, "kind", "b"),
    ({"id": "3", "level": "2"}, "level", 2),
    ({"id": "3", "color": "blue"}, "color", Color.BLUE),
    ({"id": "3", "point": {"x": "1"}}, "point", Point(1, 0)),
    ({"id": "3", "point": '{"x": 1, "y": 2}'}, "point", Point(1, 2)),
    ({"id": "3", "pair": "1,2"}, "pair", (1, 2)),
    ({"id": "3", "weights": {"a": "0.5"}}, "weights", {"a": 0.5}),
    ({"id": "3", "note": "hi"}, "note", "hi"),
    ({"id": "3", "size": "4"}, "size", 4),
    ({"id": "3", "either": "5"}, "either", 5),
    ({"id": "3", "either": "true"}, "either", True),
]


@pytest.mark.parametrize("query, name, value", CONVERTS)
def test_annotation_converts(query, name, value):
    assert bind(query)[name] == value


FAILS = [
    ({"id": "x"}, "id"),
    ({"id": "me"}, "id"),
    ({"id": "3", "flag": "maybe"}, "flag"),
    ({"id": "3", "x": "abc"}, "x"),
    ({"id": "3", "nums": "1,b"}, "nums"),
    ({"id": "3", "kind": "c"}, "kind"),
    ({"id": "3", "level": "3"}, "level"),
    ({"id": "3", "color": "green"}, "color"),
    ({"id": "3", "point": {"y": 1}}, "point"),
    ({"id": "3", "point": {"x": 1, "z": 1}}, "point"),
    ({"id": "3", "point": {"x": "a"}}, "point"),
    ({"id": "3", "weights": {"a": "heavy"}}, "weights"),
    ({"id": "3", "either": "neither"}, "either"),
    ({"id": "3", "note": 5}, "note"),
]


@pytest.mark.parametrize("query, field", FAILS)
def test_annotation_failures_are_param_errors(query, field):
    with pytest.raises(ParamError) as caught:
        bind(query)
    error = caught.value
    assert (error.status, error.field, error.rule) == (400, field, "type")
    assert error.detail.startswith(f"parameter {field} ")


def test_path_values_are_left_to_their_converter():
    assert bind({}, path={"id": "me"})["id"] == "me"


def test_missing_required_beats_type_check():
    with pytest.raises(ParamError, match="missing parameter: id"):
        bind({"flag": "yes"})


def test_unannotated_handler_has_no_checker():
    def plain(context, a, b=1):
        return a

    assert ParamSpec.from_function(plain).typed is None


def test_string_annotations_resolve():
    namespace = {}
    exec("from __future__ import annotations\ndef f(context, n: int = 0): return n", namespace)
    assert ParamSpec.from_function(namespace["f"]).bind({}, {"n": "5"}) == {"n": 5}


def test_model_validate_duck_type():
    class Model:
        def __init__(self, data):
            self.data = data

        @classmethod
        def model_validate(cls, data):
            if "name" not in data:
                raise ValueError("name required")
            return cls(data)

    def handler(context, body: Model):
        return body

    spec = ParamSpec.from_function(handler)
    assert spec.bind({}, None, {"body": {"name": "x"}})["body"].data == {"name": "x"}
    with pytest.raises(ParamError, match="parameter body is not a valid Model"):
        spec.bind({}, None, {"body": {}})


def fixed(context, span: tuple[int, int] | None = None, one: tuple[str] = ("a",)):
    return span


@pytest.mark.parametrize(
    "value, expected",
    [
        ([1, "2"], (1, 2)),
        ("3,4", (3, 4)),
    ],
)
def test_fixed_tuple_converts_each_item(value, expected):
    assert ParamSpec.from_function(fixed).bind({}, {"span": value})["span"] == expected


@pytest.mark.parametrize(
    "value, reason",
    [
        ([None, None], "item 0 should be an integer"),
        ([1], "should have 2 items, not 1"),
        ([1, 2, 3], "should have 2 items, not 3"),
        (["x", 1], "item 0 should be an integer"),
    ],
)
def test_fixed_tuple_refuses_wrong_length_or_items(value, reason):
    with pytest.raises(ParamError) as failure:
        ParamSpec.from_function(fixed).bind({}, {"span": value})
    assert failure.value.field == "span" and reason in str(failure.value)
