"""Inspector (@app.inspect / test_params): every rule passing and failing."""

import re
import uuid

import pytest

from atila.params import Inspector, ParamError

UID = str(uuid.UUID(int=7))

PASSES = [
    # spec, params in, params out
    ({"ints": ["id"]}, {"id": "12"}, {"id": 12}),
    ({"ints": ["id"]}, {"id": "me"}, {"id": "me"}),
    ({"ints": ["id"]}, {"id": 5}, {"id": 5}),
    ({"floats": ["x"]}, {"x": "1.5"}, {"x": 1.5}),
    ({"floats": ["x"]}, {"x": 2}, {"x": 2.0}),
    ({"strings": ["name"]}, {"name": "Hans"}, {"name": "Hans"}),
    ({"booleans": ["d"]}, {"d": "yes"}, {"d": True}),
    ({"booleans": ["d"]}, {"d": "F"}, {"d": False}),
    ({"booleans": ["d"]}, {"d": "0"}, {"d": False}),
    ({"booleans": ["d"]}, {"d": True}, {"d": True}),
    ({"emails": ["e"]}, {"e": "hans@example.com"}, {"e": "hans@example.com"}),
    ({"uuids": ["u"]}, {"u": UID}, {"u": UID}),
    ({"nones": ["g"]}, {"g": ""}, {"g": None}),
    ({"nones": ["g"]}, {"g": "0"}, {"g": None}),
    ({"nones": ["g"]}, {"g": "male"}, {"g": "male"}),
    ({"nones": ["y"], "ints": ["y"]}, {"y": ""}, {"y": None}),
    ({"lists": ["t"]}, {"t": "a,b"}, {"t": ["a", "b"]}),
    ({"lists": ["t"]}, {"t": ["a"]}, {"t": ["a"]}),
    ({"dicts": ["m"]}, {"m": '{"a": 1}'}, {"m": {"a": 1}}),
    ({"oneof": ["email", "mobile"]}, {"mobile": "1"}, {"mobile": "1"}),
    ({"manyof": ["email", "mobile"]}, {"email": "a", "mobile": "1"}, {"email": "a", "mobile": "1"}),
    ({"notags": ["r"]}, {"r": "5 > 3 and 2 < 4"}, {"r": "5 > 3 and 2 < 4"}),
    ({"safes": ["r"]}, {"r": "<b>bold</b>"}, {"r": "<b>bold</b>"}),
    ({"required": ["id"]}, {"id": "1"}, {"id": "1"}),
    ({"birth_year": int}, {"birth_year": "1990"}, {"birth_year": 1990}),
    ({"mobile": re.compile("[0-9]{3}-[0-9]{4}")}, {"mobile": "010-1234"}, {"mobile": "010-1234"}),
    ({"a__gte": 5}, {"a": "7"}, {"a": "7"}),
    ({"a__gt": 5}, {"a": 6}, {"a": 6}),
    ({"a__lte": 5}, {"a": "5"}, {"a": "5"}),
    ({"a__lt": 5.5}, {"a": "5.4"}, {"a": "5.4"}),
    ({"b__between": (-4, -1)}, {"b": "-2"}, {"b": "-2"}),
    ({"c__in": (1, 2)}, {"c": "2"}, {"c": "2"}),
    ({"g__in": ["male", "female"]}, {"g": "male"}, {"g": "male"}),
    ({"g__notin": ["x"]}, {"g": "male"}, {"g": "male"}),
    ({"a__eq": "x"}, {"a": "x"}, {"a": "x"}),
    ({"a__exact": "x"}, {"a": "x"}, {"a": "x"}),
    ({"a__neq": "x"}, {"a": "y"}, {"a": "y"}),
    ({"a__contains": "an"}, {"a": "hans"}, {"a": "hans"}),
    ({"a__notcontain": "x"}, {"a": "hans"}, {"a": "hans"}),
    ({"a__startswith": "ha"}, {"a": "hans"}, {"a": "hans"}),
    ({"a__notstartwith": "x"}, {"a": "hans"}, {"a": "hans"}),
    ({"a__endswith": "ns"}, {"a": "hans"}, {"a": "hans"}),
    ({"a__notendwith": "x"}, {"a": "hans"}, {"a": "hans"}),
    ({"a__regex": "^ha"}, {"a": "hans"}, {"a": "hans"}),
    ({"name__len__between": (3, 64)}, {"name": "Hans"}, {"name": "Hans"}),
    ({"name__len__lte": 4}, {"name": "Hans"}, {"name": "Hans"}),
    ({"name__len__gt": 3}, {"name": "Hans"}, {"name": "Hans"}),
    ({"name__len__gte": 4}, {"name": "Hans"}, {"name": "Hans"}),
    ({"name__len__lt": 5}, {"name": "Hans"}, {"name": "Hans"}),
    ({"name__len": 4}, {"name": "Hans"}, {"name": "Hans"}),
    ({"tags__len__eq": 2, "lists": ["tags"]}, {"tags": "a,b"}, {"tags": ["a", "b"]}),
    ({"ints": ["id"], "a__gte": 5}, {}, {}),  # absent fields are skipped
]


@pytest.mark.parametrize("spec, params, expected", PASSES)
def test_inspect_passes(spec, params, expected):
    assert Inspector(**spec).check(dict(params)) == expected


FAILURES = [
    # spec, params, failing field, rule
    ({"ints": ["id"]}, {"id": "1.5"}, "id", "ints"),
    ({"ints": ["id"]}, {"id": "abc"}, "id", "ints"),
    ({"ints": ["id"]}, {"id": True}, "id", "ints"),
    ({"floats": ["x"]}, {"x": "abc"}, "x", "floats"),
    ({"floats": ["x"]}, {"x": "nan"}, "x", "floats"),
    ({"strings": ["name"]}, {"name": 5}, "name", "strings"),
    ({"strings": ["name"]}, {"name": ["a"]}, "name", "strings"),
    ({"booleans": ["d"]}, {"d": "maybe"}, "d", "booleans"),
    ({"emails": ["e"]}, {"e": "not-an-email"}, "e", "emails"),
    ({"emails": ["e"]}, {"e": "a@b"}, "e", "emails"),
    ({"uuids": ["u"]}, {"u": "1234"}, "u", "uuids"),
    ({"lists": ["t"]}, {"t": 5}, "t", "lists"),
    ({"dicts": ["m"]}, {"m": "[1]"}, "m", "dicts"),
    ({"oneof": ["email", "mobile"]}, {}, "email", "oneof"),
    ({"oneof": ["email", "mobile"]}, {"email": "a", "mobile": "1"}, "email", "oneof"),
    ({"manyof": ["email", "mobile"]}, {"other": 1}, "email", "manyof"),
    ({"notags": ["r"]}, {"r": "hi <b>there</b>"}, "r", "notags"),
    ({"safes": ["r"]}, {"r": "<script>alert(1)</script>"}, "r", "safes"),
    ({"safes": ["r"]}, {"r": '<a href="javascript:x()">'}, "r", "safes"),
    ({"safes": ["r"]}, {"r": '<img src=x onerror="x()">'}, "r", "safes"),
    ({"required": ["id"]}, {}, "id", "required"),
    ({"required": ["id"]}, {"id": ""}, "id", "required"),
    ({"birth_year": int}, {"birth_year": "nineteen"}, "birth_year", "type"),
    ({"mobile": re.compile("^[0-9]{3}-[0-9]{4}$")}, {"mobile": "01-1"}, "mobile", "regex"),
    ({"a__gte": 5}, {"a": "4"}, "a", "gte"),
    ({"a__gte": 5}, {"a": "x"}, "a", "gte"),
    ({"a__gt": 5}, {"a": 5}, "a", "gt"),
    ({"a__lte": 5}, {"a": "6"}, "a", "lte"),
    ({"a__lt": 5}, {"a": 5}, "a", "lt"),
    ({"b__between": (-4, -1)}, {"b": "0"}, "b", "between"),
    ({"c__in": (1, 2)}, {"c": "3"}, "c", "in"),
    ({"g__notin": ["x"]}, {"g": "x"}, "g", "notin"),
    ({"a__eq": "x"}, {"a": "y"}, "a", "eq"),
    ({"a__neq": "x"}, {"a": "x"}, "a", "neq"),
    ({"a__contains": "z"}, {"a": "hans"}, "a", "contains"),
    ({"a__notcontain": "an"}, {"a": "hans"}, "a", "notcontain"),
    ({"a__startswith": "x"}, {"a": "hans"}, "a", "startswith"),
    ({"a__notstartwith": "ha"}, {"a": "hans"}, "a", "notstartwith"),
    ({"a__endswith": "x"}, {"a": "hans"}, "a", "endswith"),
    ({"a__notendwith": "ns"}, {"a": "hans"}, "a", "notendwith"),
    ({"a__regex": "^x"}, {"a": "hans"}, "a", "regex"),
    ({"a__startswith": "x"}, {"a": 5}, "a", "startswith"),
    ({"name__len__between": (3, 64)}, {"name": "Ha"}, "name", "len__between"),
    ({"name__len__lte": 3}, {"name": "Hans"}, "name", "len__lte"),
    ({"name__len__gt": 3}, {"name": 5}, "name", "len__gt"),
]


@pytest.mark.parametrize("spec, params, field, rule", FAILURES)
def test_inspect_failures(spec, params, field, rule):
    with pytest.raises(ParamError) as caught:
        Inspector(**spec).check(dict(params))
    error = caught.value
    assert (error.status, error.field, error.rule) == (400, field, rule)
    assert field in error.detail


def test_failure_message_says_why():
    with pytest.raises(ParamError, match="parameter name length should be between 3 and 64"):
        Inspector(name__len__between=(3, 64)).check({"name": "Ha"})
    with pytest.raises(ParamError, match="parameter id should be an integer"):
        Inspector(ints=["id"]).check({"id": "x"})


def test_old_positional_form_scope_and_required():
    inspector = Inspector("JSON", ["area"], ints=["limit"])
    assert inspector.scope == "JSON"
    assert inspector.required == ("area",)
    with pytest.raises(ParamError, match="missing parameter: area"):
        inspector.check({"limit": "1"})


def test_default_scope_is_args():
    assert Inspector(ints=["id"]).scope == "ARGS"


@pytest.mark.parametrize(
    "args, spec, error",
    [
        (("NOWHERE",), {}, ValueError),
        ((), {"a__almost": 1}, ValueError),
        ((), {"a__len__between__gt": 1}, ValueError),
        ((), {"a__between": 5}, ValueError),
        ((), {"a": 5}, TypeError),
        (("ARGS", ["a"], "x"), {}, TypeError),
    ],
)
def test_bad_specs_fail_at_decoration(args, spec, error):
    with pytest.raises(error):
        Inspector(*args, **spec)


def test_check_converts_in_place():
    params = {"id": "3", "detail": "no"}
    Inspector(ints=["id"], booleans=["detail"]).check(params)
    assert params == {"id": 3, "detail": False}
