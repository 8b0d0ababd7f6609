"""ParamSpec: signature reading and binding path, query and body values."""

import functools

import pytest

from atila.params import ParamError, ParamSpec


def hello_world(was, name, birth_year, gender=None):
    return name


def with_kwargs(context, name, **data):
    return data


def no_params(context):
    return None


def keyword_only(context, *, limit=10):
    return limit


def test_spec_skips_the_context_argument():
    spec = ParamSpec.from_function(hello_world)
    assert spec.names == ("name", "birth_year", "gender")
    assert spec.required == ("name", "birth_year")
    assert spec.defaults == {"gender": None}
    assert not spec.var_keyword


def test_spec_follows_functools_wraps():
    @functools.wraps(hello_world)
    def wrapper(*args, **kwargs):
        return hello_world(*args, **kwargs)

    assert ParamSpec.from_function(wrapper).names == ("name", "birth_year", "gender")


def test_keyword_only_parameters_bind():
    assert ParamSpec.from_function(keyword_only).bind({}, {"limit": "5"}) == {"limit": "5"}


def test_positional_only_parameter_is_refused_at_definition():
    def bad(context, a, /):
        return a

    with pytest.raises(ValueError, match="positional-only parameter 'a'"):
        ParamSpec.from_function(bad)


BINDS = [
    # func, path, query, body, expected
    (hello_world, {}, {"name": "a", "birth_year": "1990"}, None, {"name": "a", "birth_year": "1990"}),
    (hello_world, {}, {"name": "a"}, {"birth_year": 1990}, {"name": "a", "birth_year": 1990}),
    (hello_world, {}, {"name": "query"}, {"name": "body", "birth_year": 1}, {"name": "body", "birth_year": 1}),
    (hello_world, {"name": "path"}, {"name": "q"}, {"name": "b", "birth_year": 1}, {"name": "path", "birth_year": 1}),
    (with_kwargs, {}, {"name": "a", "x": "1"}, {"y": 2}, {"name": "a", "x": "1", "y": 2}),
    (no_params, {}, {}, None, {}),
]


@pytest.mark.parametrize("func, path, query, body, expected", BINDS)
def test_bind(func, path, query, body, expected):
    assert ParamSpec.from_function(func).bind(path, query, body) == expected


ERRORS = [
    (hello_world, {}, {"name": "a"}, None, "missing parameter: birth_year", "birth_year", "required"),
    (hello_world, {}, {"name": "a", "birth_year": 1, "x": 1}, None, "unexpected parameter: x", "x", "unexpected"),
    (no_params, {}, {"q": "1"}, None, "unexpected parameter: q", "q", "unexpected"),
    (with_kwargs, {}, {}, {"other": 1}, "missing parameter: name", "name", "required"),
    # a JSON array names no parameters: never bound as an empty dict
    (
        with_kwargs,
        {},
        {"name": "a"},
        ["not", "a", "mapping"],
        "the JSON body is an array, which cannot fill keyword parameters; send a JSON object "
        "(a handler taking no body parameters reads any JSON as request.JSON)",
        "body",
        "object",
    ),
    (
        hello_world,
        {},
        {"name": "a"},
        [1],
        "missing parameter: birth_year (the JSON body is an array, which names no parameters)",
        "birth_year",
        "required",
    ),
]


@pytest.mark.parametrize("func, path, query, body, message, field, rule", ERRORS)
def test_bind_errors(func, path, query, body, message, field, rule):
    with pytest.raises(ParamError) as caught:
        ParamSpec.from_function(func).bind(path, query, body)
    error = caught.value
    assert (error.status, error.detail, error.field, error.rule) == (400, message, field, rule)
    assert error.as_dict() == {"status": 400, "message": message, "field": field, "rule": rule}


def test_map_positional_for_url_building():
    spec = ParamSpec.from_function(hello_world)
    assert spec.map_positional(("a", 1)) == {"name": "a", "birth_year": 1}
    with pytest.raises(TypeError):
        spec.map_positional((1, 2, 3, 4))


def test_uninspectable_callable_accepts_anything():
    spec = ParamSpec.from_function(max)  # no signature: inspect raises ValueError
    assert spec.var_keyword and spec.names == ()
    assert spec.bind({}, {"a": "1"}) == {"a": "1"}
