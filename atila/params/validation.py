"""``@app.inspect`` (old names ``test_params``, ``require``, ``spec``): declarative checks.

Everything the decorator was given is compiled once into a flat list of
``(field, rule, function)`` steps, so checking a request is one loop with no
parsing of keyword names.  Steps convert in place (``ints`` make ints) and stop
at the first failure with a ``ParamError`` naming the field and the rule.

The rule vocabulary is documented under "Parameter and Validation" and "Testing
Parameters"; ``oneof`` means exactly one of the listed fields is given and
``manyof`` means at least one is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any

from . import coercion
from .errors import ParamError

__all__ = ["Inspector", "OPERATORS", "SCOPES"]

#: Where the app takes the checked values from (as in ``test_params("JSON", ...)``).
SCOPES = frozenset({"ARGS", "URL", "FORM", "JSON", "DATA", "DEFAULT", "PARAMS"})

# Per-field conversions, in the order they run: ``nones`` first so a blank value
# becomes None (and skips the rest) before any type check can refuse it.
_KINDS: dict[str, Callable[[Any], Any]] = {
    "nones": coercion.to_none,
    "ints": functools.partial(coercion.to_int, allow_special=True),
    "floats": coercion.to_float,
    "booleans": coercion.to_bool,
    "lists": coercion.to_list,
    "dicts": coercion.to_dict,
    "strings": coercion.to_str,
    "emails": coercion.check_email,
    "uuids": coercion.check_uuid,
    "notags": coercion.check_notags,
    "safes": coercion.check_safe,
}


def _between(value: Any, bounds: Any) -> bool:
    low, high = bounds
    return bool(low <= value <= high)


# name -> (test(value, operand), what the value "should" do, for the message)
OPERATORS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "between": (_between, "be between {0[0]!r} and {0[1]!r}"),
    "in": (lambda value, operand: value in operand, "be one of {0!r}"),
    "notin": (lambda value, operand: value not in operand, "not be one of {0!r}"),
    "eq": (lambda value, operand: bool(value == operand), "equal {0!r}"),
    "exact": (lambda value, operand: bool(value == operand), "equal {0!r}"),
    "neq": (lambda value, operand: bool(value != operand), "not equal {0!r}"),
    "lte": (lambda value, operand: bool(value <= operand), "be <= {0!r}"),
    "lt": (lambda value, operand: bool(value < operand), "be < {0!r}"),
    "gte": (lambda value, operand: bool(value >= operand), "be >= {0!r}"),
    "gt": (lambda value, operand: bool(value > operand), "be > {0!r}"),
    "contains": (lambda value, operand: operand in value, "contain {0!r}"),
    "notcontain": (lambda value, operand: operand not in value, "not contain {0!r}"),
    "startswith": (lambda value, operand: value.startswith(operand), "start with {0!r}"),
    "notstartwith": (lambda value, operand: not value.startswith(operand), "not start with {0!r}"),
    "endswith": (lambda value, operand: value.endswith(operand), "end with {0!r}"),
    "notendwith": (lambda value, operand: not value.endswith(operand), "not end with {0!r}"),
    "regex": (lambda value, operand: operand.search(value) is not None, "match {0.pattern!r}"),
}

Step = Callable[[Any], Any]


class Inspector:
    """Compiled ``@app.inspect(...)`` arguments; call :meth:`check` per request.

    Accepts both documented spellings: ``Inspector(ints=["id"], name__len__lte=64)``
    and the old ``Inspector("ARGS", ["id"], ints=["id"])`` (scope, required).

    Example:
        >>> Inspector(ints=["id"], id__gte=1).check({"id": "7"})
        {'id': 7}

    Raises:
        TypeError/ValueError: at decoration time, for an unknown operator, a
            value that is neither a type, a regex nor an operand, or a bad scope.
    """

    __slots__ = ("scope", "required", "oneof", "manyof", "fields", "declared", "_steps")

    def __init__(self, *args: Any, **spec: Any) -> None:
        scope, required = _positional(args, spec)
        self.scope = scope
        self.required = tuple(_names(spec.pop("required", None) or required))
        self.oneof = tuple(_names(spec.pop("oneof", None)))
        self.manyof = tuple(_names(spec.pop("manyof", None)))
        self._steps: list[tuple[str, str, Step]] = []
        #: ``(field, rule, operand)`` as declared, for describers (the OpenAPI schema)
        self.declared: list[tuple[str, str, Any]] = []
        for kind, convert in _KINDS.items():
            for field in _names(spec.pop(kind, None)):
                self._steps.append((field, kind, convert))
                self.declared.append((field, kind, None))
        for key, operand in spec.items():
            step = _compile_keyword(key, operand)
            self._steps.append(step)
            self.declared.append((step[0], step[1], operand))
        self.fields = frozenset(step[0] for step in self._steps) | set(self.required)

    def check(self, params: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        """Check and convert ``params`` in place and return it.

        Absent fields are skipped by every rule except ``required``, ``oneof``
        and ``manyof``; a value that ``nones`` turned into None skips the rest.

        Raises:
            ParamError: 400 with ``field`` and ``rule`` of the first failure.
        """
        for field in self.required:
            if params.get(field) in (None, ""):
                raise ParamError(400, f"missing parameter: {field}", field=field, rule="required")
        if self.oneof:
            given = [field for field in self.oneof if params.get(field) not in (None, "")]
            if len(given) != 1:
                names = ", ".join(self.oneof)
                raise ParamError(
                    400, f"exactly one of {names} is required ({len(given)} given)", field=self.oneof[0], rule="oneof"
                )
        if self.manyof and not any(params.get(field) not in (None, "") for field in self.manyof):
            names = ", ".join(self.manyof)
            raise ParamError(400, f"at least one of {names} is required", field=self.manyof[0], rule="manyof")
        for field, rule, step in self._steps:
            if field not in params:
                continue
            value = params[field]
            if value is None:
                continue
            try:
                params[field] = step(value)
            except (ValueError, TypeError, AttributeError) as exc:
                reason = str(exc) if isinstance(exc, ValueError) else "has an unsuitable type"
                raise ParamError(400, f"parameter {field} {reason}", field=field, rule=rule) from None
        return params

    def __repr__(self) -> str:
        rules = ", ".join(f"{field}:{rule}" for field, rule, _ in self._steps)
        return f"Inspector(scope={self.scope!r}, required={list(self.required)}, {rules})"


def _positional(args: tuple[Any, ...], spec: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """Scope and required names from the old positional form ``(scope, required)``."""
    if len(args) > 2:
        raise TypeError("inspect takes at most 2 positional arguments (scope, required)")
    scope = spec.pop("scope", None)
    required: Any = ()
    for arg in args:
        if isinstance(arg, str) and scope is None:
            scope = arg
        else:
            required = arg
    scope = (scope or "ARGS").upper()
    if scope not in SCOPES:
        raise ValueError(f"unknown inspect scope {scope!r}; use one of {', '.join(sorted(SCOPES))}")
    return scope, tuple(_names(required))


def _names(value: Any) -> Iterable[str]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _compile_keyword(key: str, operand: Any) -> tuple[str, str, Step]:
    """``birth_year=int``, ``mobile=re.compile(...)`` or ``name__len__between=(3, 64)``."""
    field, _, rest = key.partition("__")
    if not rest:
        if isinstance(operand, type):
            target = operand
            return field, "type", lambda value: coercion.coerce_to_type(target, value)
        if hasattr(operand, "search"):
            return field, "regex", _operator_step("regex", operand, measure_length=False)
        raise TypeError(f"inspect {key}={operand!r}: give a type, a compiled regex or an operator (name__gte=...)")
    parts = rest.split("__")
    measure_length = parts[0] == "len"
    if measure_length:
        parts = parts[1:] or ["eq"]
    if len(parts) != 1 or parts[0] not in OPERATORS:
        known = ", ".join(OPERATORS)
        raise ValueError(f"inspect {key}: unknown operator {'__'.join(parts)!r}; known: len__, {known}")
    name = parts[0]
    if name == "regex" and not hasattr(operand, "search"):
        operand = re.compile(operand)
    if name == "between" and (not isinstance(operand, (tuple, list)) or len(operand) != 2):
        raise ValueError(f"inspect {key}: between needs a (low, high) pair")
    return field, rest, _operator_step(name, operand, measure_length)


def _operator_step(name: str, operand: Any, measure_length: bool) -> Step:
    test, should = OPERATORS[name]
    numeric = not measure_length and _is_numeric(operand)
    reason = "length should " + should.format(operand) if measure_length else "should " + should.format(operand)

    def step(value: Any) -> Any:
        subject: Any = value
        if measure_length:
            try:
                subject = len(value)
            except TypeError:
                raise ValueError("has no length") from None
        elif numeric and isinstance(value, str):
            # Query strings carry text; compare "7" against 5 as the number 7.
            subject = _to_number(value)
        try:
            ok = test(subject, operand)
        except TypeError:
            raise ValueError(reason) from None
        if not ok:
            raise ValueError(reason)
        return value

    return step


def _is_numeric(operand: Any) -> bool:
    """True when the operand (or every item of it) is a number."""
    items = operand if isinstance(operand, (tuple, list, set, frozenset)) else (operand,)
    return bool(items) and all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in items)


def _to_number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return coercion.to_float(text)
