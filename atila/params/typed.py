"""Typed handlers: parameter annotations checked and converted like ``@app.inspect``.

``def items(context, id: int, tags: list[str] = [], limit: int | None = None)``
gets ``id`` as an int or the client gets a 400 naming ``id`` -- the same
``ParamError`` shape ``@app.inspect`` produces.  Each annotation is compiled
once, when the route is added, into one converter function.

Supported: plain types (int, float, bool, str, dict, list, Enum, any class
built from one value), ``X | None`` / ``Optional``, unions, ``list[T]``,
``tuple[T, ...]``, ``set[T]``, ``dict[K, V]``, ``Literal[...]``,
``Annotated[T, ...]``, dataclasses and pydantic-style models (``model_validate``).
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from . import coercion
from .errors import ParamError

__all__ = ["TypedChecker", "compile_annotation"]

Convert = Callable[[Any], Any]


class TypedChecker:
    """The compiled converters of one handler's annotated parameters."""

    __slots__ = ("converters",)

    def __init__(self, converters: dict[str, Convert]) -> None:
        self.converters = converters

    @classmethod
    def from_annotations(cls, annotations: Mapping[str, Any], defaults: Mapping[str, Any]) -> TypedChecker | None:
        """A checker, or None when no parameter is annotated (nothing to do per request).

        A parameter whose default is None accepts None even when annotated
        ``int``: ``def f(context, limit: int = None)`` is common and means optional.
        """
        converters: dict[str, Convert] = {}
        for name, annotation in annotations.items():
            convert = compile_annotation(annotation)
            if convert is _unchanged:
                continue
            if name in defaults and defaults[name] is None:
                convert = _optional(convert)
            converters[name] = convert
        return cls(converters) if converters else None

    def check(self, params: MutableMapping[str, Any], skip: Mapping[str, Any] | None = None) -> None:
        """Convert annotated values in place; names in ``skip`` (path values) are left alone.

        Raises:
            ParamError: 400, ``rule="type"``, naming the field and why.
        """
        for name, convert in self.converters.items():
            if name not in params or (skip and name in skip):
                continue
            try:
                params[name] = convert(params[name])
            except ValueError as exc:
                raise ParamError(400, f"parameter {name} {exc}", field=name, rule="type") from None


def compile_annotation(annotation: Any) -> Convert:
    """One converter function for an annotation; ValueError carries the reason."""
    if annotation is Any or annotation is object or annotation is None:
        return _unchanged
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return compile_annotation(args[0])
    if origin is typing.Union or origin is types.UnionType:
        return _union(args)
    if origin is typing.Literal:
        return _literal(args)
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set, frozenset):
        return _sequence(origin or annotation, args)
    if origin is dict or annotation is dict:
        return _mapping(args)
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return _dataclass(annotation)
    if isinstance(annotation, type) and hasattr(annotation, "model_validate"):
        return _model(annotation)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _enum(annotation)
    if isinstance(annotation, type):
        target = annotation
        return lambda value: coercion.coerce_to_type(target, value)
    # A string annotation that did not resolve, a TypeVar, a Protocol: no check.
    return _unchanged


def _unchanged(value: Any) -> Any:
    return value


def _optional(convert: Convert) -> Convert:
    def optional(value: Any) -> Any:
        if value is None or value == "":
            return None
        return convert(value)

    return optional


def _union(members: tuple[Any, ...]) -> Convert:
    accepts_none = type(None) in members
    converters = [compile_annotation(member) for member in members if member is not type(None)]

    def union(value: Any) -> Any:
        if value is None or (accepts_none and value == ""):
            if accepts_none:
                return None
            raise ValueError("should not be null")
        reasons = []
        for convert in converters:
            try:
                return convert(value)
            except ValueError as exc:
                reasons.append(str(exc))
        raise ValueError(" or ".join(dict.fromkeys(reasons)) or "has an unsupported type")

    return union


def _literal(choices: tuple[Any, ...]) -> Convert:
    def literal(value: Any) -> Any:
        for choice in choices:
            if value == choice:
                return choice
            # Text from a query string matches 3 or True by its spelling.
            if isinstance(value, str) and not isinstance(choice, str):
                try:
                    if coercion.coerce_to_type(type(choice), value) == choice:
                        return choice
                except ValueError:
                    continue
        raise ValueError(f"should be one of {list(choices)!r}")

    return literal


def _sequence(container: Any, args: tuple[Any, ...]) -> Convert:
    item_args = [arg for arg in args if arg is not Ellipsis]
    if container is tuple and args and Ellipsis not in args:
        return _fixed_tuple([compile_annotation(arg) for arg in args])
    item = compile_annotation(item_args[0]) if len(item_args) == 1 else _unchanged

    def sequence(value: Any) -> Any:
        items = coercion.to_list(value)
        converted = []
        for index, element in enumerate(items):
            try:
                converted.append(item(element))
            except ValueError as exc:
                raise ValueError(f"item {index} {exc}") from None
        return converted if container is list else container(converted)

    return sequence


def _fixed_tuple(items: list[Convert]) -> Convert:
    """``tuple[int, str]``: exactly that many values, each converted by its own type."""

    def fixed(value: Any) -> Any:
        values = coercion.to_list(value)
        if len(values) != len(items):
            raise ValueError(f"should have {len(items)} items, not {len(values)}")
        converted = []
        for index, (convert, element) in enumerate(zip(items, values, strict=True)):
            try:
                converted.append(convert(element))
            except ValueError as exc:
                raise ValueError(f"item {index} {exc}") from None
        return tuple(converted)

    return fixed


def _mapping(args: tuple[Any, ...]) -> Convert:
    key = compile_annotation(args[0]) if args else _unchanged
    item = compile_annotation(args[1]) if len(args) > 1 else _unchanged

    def mapping(value: Any) -> Any:
        result = {}
        for name, element in coercion.to_dict(value).items():
            try:
                result[key(name)] = item(element)
            except ValueError as exc:
                raise ValueError(f"key {name!r} {exc}") from None
        return result

    return mapping


def _dataclass(cls: type) -> Convert:
    hints = typing.get_type_hints(cls)
    fields = [field for field in dataclasses.fields(cls) if field.init]
    converters = {field.name: compile_annotation(hints.get(field.name, Any)) for field in fields}
    required = [
        field.name
        for field in fields
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    ]

    def build(value: Any) -> Any:
        if isinstance(value, cls):
            return value
        data = coercion.to_dict(value)
        unknown = [name for name in data if name not in converters]
        if unknown:
            raise ValueError(f"has unexpected field {unknown[0]!r}")
        for name in required:
            if name not in data:
                raise ValueError(f"is missing field {name!r}")
        values = {}
        for name, element in data.items():
            try:
                values[name] = converters[name](element)
            except ValueError as exc:
                raise ValueError(f"field {name!r} {exc}") from None
        return cls(**values)

    return build


def _model(cls: Any) -> Convert:
    def validate(value: Any) -> Any:
        if isinstance(value, cls):
            return value
        data = coercion.to_dict(value) if isinstance(value, str) else value
        try:
            return cls.model_validate(data)
        except ValueError as exc:  # pydantic.ValidationError is a ValueError
            raise ValueError(f"is not a valid {cls.__name__}: {exc}") from None

    return validate


def _enum(cls: type[enum.Enum]) -> Convert:
    def to_member(value: Any) -> Any:
        if isinstance(value, cls):
            return value
        for member in cls:
            if value == member.value or (isinstance(value, str) and value == str(member.value)):
                return member
        if isinstance(value, str) and value in cls.__members__:
            return cls.__members__[value]
        raise ValueError(f"should be one of {[member.value for member in cls]!r}")

    return to_member
