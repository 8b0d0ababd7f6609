"""Turning request text into Python values, shared by ``@app.inspect`` and typed handlers.

Query strings and forms carry only text, JSON carries real types; each function
here accepts both, returns the converted value, and raises ``ValueError`` with a
reason a client can read.  Both validation layers then wrap that reason into a
``ParamError`` naming the field and the rule, so the two layers never disagree
about what "an integer" or "a boolean" is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "to_int",
    "to_float",
    "to_bool",
    "to_none",
    "to_list",
    "to_dict",
    "to_str",
    "check_email",
    "check_uuid",
    "check_notags",
    "check_safe",
    "coerce_to_type",
    "TRUE_WORDS",
    "INT_SPECIAL_VALUES",
    "FALSE_WORDS",
]

# An ``<int:...>`` placeholder also accepts these words, kept as
# strings, so "/profiles/me" reaches the same handler as "/profiles/42" and the
# permission layer resolves them ("me" = the current user, "notme" = everyone
# else, "new" = a resource about to be created).
INT_SPECIAL_VALUES = ("me", "notme", "new")

# Documented "booleans": True, False, true, false, yes, no, y, n, t, f; plus 1/0 and
# the "on"/"off" an HTML checkbox sends.
TRUE_WORDS = frozenset({"true", "yes", "y", "t", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "n", "f", "0", "off"})
# Documented "nones": a blank or zero-like value becomes None.
_NONE_WORDS = frozenset({"", "0", "0.0", "null", "none"})

_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>.]+(?:\.[^@\s<>.]+)+\Z")
_UUID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\Z")
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?]")
# What makes markup dangerous rather than merely present: script-capable
# elements, javascript:/vbscript: URLs and inline event handlers (onload=...).
_UNSAFE = re.compile(
    r"<\s*/?\s*(?:script|iframe|object|embed|applet|meta|link|style|base|form)\b"
    r"|(?:java|vb)script\s*:"
    r"|\bon[a-z]+\s*=",
    re.IGNORECASE,
)


def to_int(value: Any, allow_special: bool = False) -> int | str:
    """An integer from int or text.

    With ``allow_special`` the words ``me``/``notme``/``new`` pass through as
    text, as an ``<int:...>`` path value does; ``@app.inspect(ints=...)``
    allows them so it can check the ids of such routes.
    """
    if isinstance(value, bool):
        raise ValueError("should be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if allow_special and text in INT_SPECIAL_VALUES:
            return text
        try:
            return int(text)
        except ValueError:
            pass
    raise ValueError("should be an integer")


def to_float(value: Any) -> float:
    """A float from a number or text (``inf``/``nan`` refused: never a sane parameter)."""
    if isinstance(value, bool):
        raise ValueError("should be a number")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            pass
        else:
            if number == number and number not in (float("inf"), float("-inf")):
                return number
    raise ValueError("should be a number")


def to_bool(value: Any) -> bool:
    """True/False from a bool, 1/0 or the words of ``TRUE_WORDS``/``FALSE_WORDS``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ValueError("should be a boolean (true/false, yes/no, y/n, t/f, 1/0)")


def to_none(value: Any) -> Any:
    """None for blank or zero-like values, the value itself otherwise."""
    if value is None:
        return None
    if isinstance(value, str):
        return None if value.strip().lower() in _NONE_WORDS else value
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value == 0:
        return None
    if isinstance(value, (list, tuple, dict)) and not value:
        return None
    return value


def to_list(value: Any) -> list[Any]:
    """A list from a list/tuple, or from comma separated text (``"a,b"`` -> ``["a", "b"]``)."""
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                decoded = json.loads(text)
            except ValueError:
                raise ValueError("should be a list") from None
            if isinstance(decoded, list):
                return decoded
            raise ValueError("should be a list")
        return [item.strip() for item in text.split(",")] if text else []
    raise ValueError("should be a list")


def to_dict(value: Any) -> dict[str, Any]:
    """A dict from a mapping or from a JSON object in text."""
    if isinstance(value, dict):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            raise ValueError("should be an object (JSON)") from None
        if isinstance(decoded, dict):
            return decoded
    raise ValueError("should be an object (JSON)")


def to_str(value: Any) -> str:
    """The value itself when it is text; numbers and lists are refused, not stringified."""
    if isinstance(value, str):
        return value
    raise ValueError("should be a string")


def check_email(value: Any) -> str:
    if isinstance(value, str) and _EMAIL.match(value.strip()):
        return value
    raise ValueError("should be an email address")


def check_uuid(value: Any) -> str:
    if isinstance(value, str) and _UUID.match(value.strip()):
        return value
    raise ValueError("should be a UUID")


def check_notags(value: Any) -> Any:
    """Refuse any HTML tag (the ``notags`` rule)."""
    if isinstance(value, str) and _TAG.search(value):
        raise ValueError("should not contain HTML tags")
    return value


def check_safe(value: Any) -> Any:
    """Refuse script-capable markup but allow plain formatting tags (the ``safes`` rule)."""
    if isinstance(value, str) and _UNSAFE.search(value):
        raise ValueError("should not contain scripts or event handlers")
    return value


# Plain types map onto the converters above; anything else is called (uuid.UUID,
# Decimal, an Enum) and its own exception becomes the reason.
_TYPE_COERCERS: dict[Any, Callable[[Any], Any]] = {
    int: to_int,
    float: to_float,
    bool: to_bool,
    str: to_str,
    list: to_list,
    tuple: lambda value: tuple(to_list(value)),
    set: lambda value: set(to_list(value)),
    dict: to_dict,
}


def coerce_to_type(target: type, value: Any) -> Any:
    """Convert ``value`` to the plain type ``target``.

    Raises:
        ValueError: with a reason such as "should be an integer".
    """
    coercer = _TYPE_COERCERS.get(target)
    if coercer is not None:
        return coercer(value)
    if isinstance(value, target):
        return value
    try:
        return target(value)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise ValueError(f"should be {target.__name__}: {exc}") from None
