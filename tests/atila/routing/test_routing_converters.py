"""Each path converter: what it matches, what value it gives, how it builds back."""

import re

import pytest

from atila.routing import Router, Rule
from atila.routing.converters import get_converter

MATCHES = [
    # converter, text, expected value
    ("int", "42", 42),
    ("int", "-7", -7),
    ("int", "0", 0),
    ("int", "me", "me"),
    ("int", "notme", "notme"),
    ("int", "new", "new"),
    ("float", "1.5", 1.5),
    ("float", "-2", -2.0),
    ("float", ".5", 0.5),
    ("float", "3.", 3.0),
    ("path", "a/b/c.txt", "a/b/c.txt"),
    ("path", "x", "x"),
    (None, "hello world", "hello world"),
    ("string", "abc", "abc"),
    ("str", "abc", "abc"),
]


@pytest.mark.parametrize("kind, text, value", MATCHES)
def test_converter_matches_and_converts(kind, text, value):
    converter = get_converter(kind)
    assert re.fullmatch(converter.regex, text)
    assert converter.to_python(text) == value
    assert type(converter.to_python(text)) is type(value)


REFUSED = [
    ("int", "1.5"),
    ("int", "abc"),
    ("int", "12a"),
    ("int", "meme"),
    ("int", ""),
    ("float", "1e5"),
    ("float", "nan"),
    ("float", "1.2.3"),
    ("string", "a/b"),
    ("string", ""),
    ("path", ""),
]


@pytest.mark.parametrize("kind, text", REFUSED)
def test_converter_refuses(kind, text):
    assert not re.fullmatch(get_converter(kind).regex, text)


BUILDS = [
    ("int", 5, "5"),
    ("int", "me", "me"),
    ("float", 2.5, "2.5"),
    ("string", "Your Name", "Your_Name"),
    ("string", "a/b", "a%2Fb"),
    ("string", "caf\u00e9", "caf%C3%A9"),
    ("path", "dir/file name.txt", "dir/file%20name.txt"),
    ("path", "/lead/slash", "lead/slash"),
]


@pytest.mark.parametrize("kind, value, text", BUILDS)
def test_converter_to_url(kind, value, text):
    assert get_converter(kind).to_url(value) == text


@pytest.mark.parametrize("kind, value", [("int", "abc"), ("int", True), ("int", 1.5), ("float", "x"), ("string", "")])
def test_converter_to_url_refuses_values_that_would_not_route_back(kind, value):
    with pytest.raises(ValueError):
        get_converter(kind).to_url(value)


def test_unknown_converter_is_named():
    with pytest.raises(ValueError, match="unknown path converter <uuid"):
        get_converter("uuid")


def test_int_past_the_int_string_limit_does_not_route():
    router = Router()
    router.add(Rule("/items/<int:id>", lambda context, id: id, ["GET"]))
    assert router.match("/items/" + "9" * 5000, "GET").status == 404
    assert router.match("/items/" + "9" * 30, "GET").kwargs == {"id": int("9" * 30)}
