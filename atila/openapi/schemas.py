"""Python annotations as JSON Schema (the dialect of OpenAPI 3.1).

The mapping follows what :mod:`atila.params.typed` accepts, so the schema a
client reads is the rule the server enforces: ``int`` is an integer, ``X | None``
also allows null, ``list[T]`` is an array of ``T``, a dataclass or a pydantic
model becomes a named schema under ``components/schemas``.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import types
import typing
import uuid
from typing import Any

__all__ = ["SchemaRegistry", "JSONSchema"]

JSONSchema = dict[str, Any]

_PLAIN: dict[Any, JSONSchema] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    bytes: {"type": "string", "format": "binary"},
    dict: {"type": "object"},
    list: {"type": "array"},
    decimal.Decimal: {"type": "number"},
    uuid.UUID: {"type": "string", "format": "uuid"},
    datetime.datetime: {"type": "string", "format": "date-time"},
    datetime.date: {"type": "string", "format": "date"},
    datetime.time: {"type": "string", "format": "time"},
}


class SchemaRegistry:
    """Turns annotations into schemas and collects the named ones (``components/schemas``)."""

    def __init__(self) -> None:
        self.components: dict[str, JSONSchema] = {}

    def ref(self, name: str) -> JSONSchema:
        return {"$ref": f"#/components/schemas/{name}"}

    def schema(self, annotation: Any) -> JSONSchema:
        """The schema of ``annotation``; ``{}`` (anything) for what cannot be described."""
        if annotation is Any or annotation is object or annotation is None:
            return {}
        if annotation is type(None):
            return {"type": "null"}
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            return self.schema(args[0])
        if origin is typing.Union or origin is types.UnionType:
            return self._union(args)
        if origin is typing.Literal:
            return {"enum": list(args)}
        if origin in (list, tuple, set, frozenset) or annotation in (tuple, set, frozenset):
            return self._sequence(origin or annotation, args)
        if origin is dict:
            return {"type": "object", "additionalProperties": self.schema(args[1]) if len(args) > 1 else {}}
        if isinstance(annotation, type):
            if annotation in _PLAIN:
                return dict(_PLAIN[annotation])
            if issubclass(annotation, bool):
                return {"type": "boolean"}
            if issubclass(annotation, enum.Enum):
                return {"enum": [member.value for member in annotation]}
            if dataclasses.is_dataclass(annotation):
                return self._dataclass(annotation)
            if hasattr(annotation, "model_json_schema"):
                return self._model(annotation)
            for base, schema in _PLAIN.items():
                if isinstance(base, type) and issubclass(annotation, base):
                    return dict(schema)
        return {}

    def _union(self, members: tuple[Any, ...]) -> JSONSchema:
        schemas = [self.schema(member) for member in members]
        if any(schema == {} for schema in schemas):
            return {}
        simple = [schema for schema in schemas if set(schema) == {"type"} and isinstance(schema["type"], str)]
        if len(simple) == len(schemas):
            return {"type": list(dict.fromkeys(schema["type"] for schema in simple))}
        return {"anyOf": schemas}

    def _sequence(self, container: Any, args: tuple[Any, ...]) -> JSONSchema:
        items = [arg for arg in args if arg is not Ellipsis]
        schema: JSONSchema = {"type": "array"}
        if container is tuple and items and Ellipsis not in args:
            schema["prefixItems"] = [self.schema(item) for item in items]
            schema["minItems"] = schema["maxItems"] = len(items)
        elif len(items) == 1:
            schema["items"] = self.schema(items[0])
        if container in (set, frozenset):
            schema["uniqueItems"] = True
        return schema

    def _dataclass(self, cls: type) -> JSONSchema:
        name = cls.__name__
        if name not in self.components:
            self.components[name] = {}  # NOTE: placeholder first, for self-referencing classes
            hints = typing.get_type_hints(cls)
            properties: dict[str, JSONSchema] = {}
            required: list[str] = []
            for field in dataclasses.fields(cls):
                if not field.init:
                    continue
                properties[field.name] = self.schema(hints.get(field.name, Any))
                if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                    required.append(field.name)
            body: JSONSchema = {"type": "object", "properties": properties, "additionalProperties": False}
            if required:
                body["required"] = required
            if cls.__doc__ and not cls.__doc__.startswith(f"{name}("):
                body["description"] = cls.__doc__.strip()
            self.components[name] = body
        return self.ref(name)

    def _model(self, cls: Any) -> JSONSchema:
        """A pydantic model: its own schema, its nested definitions hoisted to components."""
        name = cls.__name__
        if name not in self.components:
            schema = dict(cls.model_json_schema(ref_template="#/components/schemas/{model}"))
            for nested, definition in schema.pop("$defs", {}).items():
                self.components.setdefault(nested, definition)
            self.components[name] = schema
        return self.ref(name)
