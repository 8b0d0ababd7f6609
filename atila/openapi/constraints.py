"""``@app.inspect`` rules as JSON Schema keywords, so the document states the checks
the server makes (``ints=["id"]`` is an integer, ``name__len__between=(3, 64)``
a string of 3 to 64 characters, ``required=[...]`` required).
"""

from __future__ import annotations

import re
from typing import Any

from atila.params.validation import Inspector

from .schemas import JSONSchema, SchemaRegistry

__all__ = ["InspectRules", "apply_rule"]

_KIND_SCHEMAS: dict[str, JSONSchema] = {
    "ints": {"type": "integer"},
    "floats": {"type": "number"},
    "booleans": {"type": "boolean"},
    "lists": {"type": "array"},
    "dicts": {"type": "object"},
    "strings": {"type": "string"},
    "emails": {"type": "string", "format": "email"},
    "uuids": {"type": "string", "format": "uuid"},
    "notags": {"type": "string"},
    "safes": {"type": "string"},
}

# operator -> JSON Schema keyword, for plain values and for lengths
_BOUNDS = {"gte": "minimum", "gt": "exclusiveMinimum", "lte": "maximum", "lt": "exclusiveMaximum"}
_LENGTH_BOUNDS = {"gte": "minLength", "gt": "minLength", "lte": "maxLength", "lt": "maxLength"}


class InspectRules:
    """The merged ``@app.inspect`` declarations of one handler."""

    def __init__(self, inspectors: list[Inspector], registry: SchemaRegistry) -> None:
        self.required: set[str] = set()
        self.fields: dict[str, JSONSchema] = {}
        self.notes: list[str] = []
        self.scopes: set[str] = set()
        for inspector in inspectors:
            self.scopes.add(inspector.scope)
            self.required.update(inspector.required)
            if inspector.oneof:
                self.notes.append("exactly one of " + ", ".join(inspector.oneof))
            if inspector.manyof:
                self.notes.append("at least one of " + ", ".join(inspector.manyof))
            for field, rule, operand in getattr(inspector, "declared", ()):
                apply_rule(self.fields.setdefault(field, {}), rule, operand, registry)
            for field in inspector.fields:
                self.fields.setdefault(field, {})

    def schema_of(self, name: str, base: JSONSchema) -> JSONSchema:
        """``base`` (from the annotation or the placeholder) narrowed by the inspect rules."""
        extra = self.fields.get(name)
        if not extra:
            return base
        merged = dict(base)
        if "type" in extra:
            # NOTE: the inspect conversion decides the type; an untyped parameter's
            # default "string" would contradict ``ints=[...]``.
            merged.pop("type", None)
            merged.pop("format", None)
        merged.update(extra)
        return merged


def apply_rule(schema: JSONSchema, rule: str, operand: Any, registry: SchemaRegistry) -> None:
    """Add the keywords of one declared rule to ``schema`` (unknown rules add nothing)."""
    if rule in _KIND_SCHEMAS:
        schema.update(_KIND_SCHEMAS[rule])
        return
    if rule == "type":
        schema.update(registry.schema(operand))
        return
    if rule == "regex":
        schema.setdefault("type", "string")
        schema["pattern"] = getattr(operand, "pattern", str(operand))
        return
    parts = rule.split("__")
    length = parts[0] == "len"
    name = (parts[1:] or ["eq"])[0] if length else parts[0]
    if length:
        _length_rule(schema, name, operand)
    else:
        _value_rule(schema, name, operand)


def _length_rule(schema: JSONSchema, name: str, operand: Any) -> None:
    if name == "between" and isinstance(operand, (tuple, list)) and len(operand) == 2:
        schema["minLength"], schema["maxLength"] = int(operand[0]), int(operand[1])
    elif not isinstance(operand, int) or isinstance(operand, bool):
        return
    elif name in ("eq", "exact"):
        schema["minLength"] = schema["maxLength"] = operand
    elif name in _LENGTH_BOUNDS:
        adjust = 1 if name == "gt" else -1 if name == "lt" else 0
        schema[_LENGTH_BOUNDS[name]] = operand + adjust
    else:
        return
    schema.setdefault("type", "string")


def _value_rule(schema: JSONSchema, name: str, operand: Any) -> None:
    numeric = isinstance(operand, (int, float)) and not isinstance(operand, bool)
    if name == "between" and isinstance(operand, (tuple, list)) and len(operand) == 2:
        schema["minimum"], schema["maximum"] = operand[0], operand[1]
    elif name in _BOUNDS and numeric:
        schema[_BOUNDS[name]] = operand
    elif name == "in" and isinstance(operand, (list, tuple, set, frozenset)):
        schema["enum"] = list(operand)
    elif name in ("eq", "exact"):
        schema["const"] = operand
    elif name == "notin" and isinstance(operand, (list, tuple, set, frozenset)):
        schema["not"] = {"enum": list(operand)}
    elif name == "startswith" and isinstance(operand, str):
        schema.setdefault("type", "string")
        schema["pattern"] = "^" + _escape(operand)
    elif name == "endswith" and isinstance(operand, str):
        schema.setdefault("type", "string")
        schema["pattern"] = _escape(operand) + "$"
    elif name == "contains" and isinstance(operand, str):
        schema.setdefault("type", "string")
        schema["pattern"] = _escape(operand)


def _escape(text: str) -> str:
    return re.escape(text)
