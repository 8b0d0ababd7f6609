"""Path placeholder converters: ``<name>``, ``<int:id>``, ``<float:x>``, ``<path:p>``.

A converter owns three things about one placeholder type: the regular expression
a URL segment must match, how the matched text becomes a Python value, and how a
value goes back into a URL (for ``urlfor``).  Keeping the three together means a
URL built by ``urlfor`` always routes back to the same rule.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

# The words an <int:...> placeholder also accepts; defined with the other value
# rules so routing depends on params and never the other way round.
from atila.params.coercion import INT_SPECIAL_VALUES

__all__ = [
    "Converter",
    "StringConverter",
    "IntConverter",
    "FloatConverter",
    "PathConverter",
    "CONVERTERS",
    "INT_SPECIAL_VALUES",
    "get_converter",
]


class Converter:
    """Base converter: one plain path segment, kept as a string."""

    name = "string"
    regex = r"[^/]+"
    #: True only for ``path``: it may span several segments, so it must come last.
    spans_segments = False
    #: False when matched text is already the value (strings): the router skips the call.
    converts = False

    def __init__(self) -> None:
        self._full = re.compile(f"(?:{self.regex})\\Z")

    def to_python(self, text: str) -> Any:
        """Turn matched text into the handler's value; ValueError means "no match"."""
        return text

    def to_url(self, value: Any) -> str:
        """Turn a value into URL text; ValueError when it could not route back."""
        text = quote(str(value), safe="")
        self.check(text, value)
        return text

    def check(self, text: str, value: Any) -> None:
        if not self._full.match(text):
            raise ValueError(f"{value!r} is not a valid <{self.name}> path value")


class StringConverter(Converter):
    """``<name>``: one segment of any text.

    When a URL is built, spaces become ``_`` ("/hello/Your_Name").
    """

    name = "string"

    def to_url(self, value: Any) -> str:
        text = quote(str(value).replace(" ", "_"), safe="")
        self.check(text, value)
        return text


class IntConverter(Converter):
    """``<int:id>``: a (possibly negative) integer, or one of ``me``/``notme``/``new``."""

    name = "int"
    converts = True
    regex = r"-?[0-9]+|me|notme|new"

    def to_python(self, text: str) -> Any:
        if text in INT_SPECIAL_VALUES:
            return text
        # NOTE: digits past Python's int-string limit raise ValueError: not this route (404).
        return int(text)

    def to_url(self, value: Any) -> str:
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a valid <int> path value")
        text = str(value)
        self.check(text, value)
        return text


class FloatConverter(Converter):
    """``<float:x>``: a decimal number such as ``3``, ``-1.5`` or ``.5``."""

    name = "float"
    converts = True
    regex = r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"

    def to_python(self, text: str) -> Any:
        return float(text)

    def to_url(self, value: Any) -> str:
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a valid <float> path value")
        text = str(value)
        self.check(text, value)
        return text


class PathConverter(Converter):
    """``<path:p>``: the rest of the URL, slashes included; only as the last placeholder."""

    name = "path"
    regex = r".+"
    spans_segments = True

    def to_url(self, value: Any) -> str:
        text = quote(str(value).lstrip("/"), safe="/")
        self.check(text, value)
        return text


# A table, not an if-chain: the name used in the template picks the class.
CONVERTERS: dict[str, type[Converter]] = {
    "string": StringConverter,
    "str": StringConverter,
    "int": IntConverter,
    "float": FloatConverter,
    "path": PathConverter,
}


def get_converter(name: str | None) -> Converter:
    """The converter for a template type name (``None`` = plain string).

    Raises:
        ValueError: for an unknown type name, naming it, at route definition time.
    """
    try:
        cls = CONVERTERS[name or "string"]
    except KeyError:
        known = ", ".join(sorted(CONVERTERS))
        raise ValueError(f"unknown path converter <{name}:...>; known: {known}") from None
    return cls()
