"""The OpenAPI 3.1 document of one Atila app, built from its route table.

Everything comes from what the server itself uses to answer, so the document
cannot drift from the code: path templates and converters (``<int:id>`` is an
integer path parameter), the methods of each rule, the handler's signature and
annotations (query parameters for GET, a JSON or form body for POST), the
``@app.inspect`` rules, the route's content types, and the authentication the
route or the app asks for.

Each path of the document is the full URL path (the app's mount point
included), so ``servers`` is ``/`` and a client joins paths to the host.
"""

from __future__ import annotations

import inspect
import re
import sys
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from atila.pipeline import attached
from atila.routing import Rule
from atila.routing.converters import FloatConverter, IntConverter, PathConverter

from .constraints import InspectRules
from .schemas import JSONSchema, SchemaRegistry

__all__ = ["build_document", "RouteDoc", "iter_route_docs", "openapi_path", "OPENAPI_VERSION", "is_internal"]

OPENAPI_VERSION = "3.1.0"
_PLACEHOLDER = re.compile(r"<(?:[A-Za-z_]\w*:)?([A-Za-z_]\w*)>")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
#: methods a route without a method list is documented under
_ANY_METHODS = ("GET", "POST")
#: never documented: HEAD follows GET, OPTIONS is answered by the router (CORS preflight)
_HIDDEN_METHODS = frozenset({"HEAD", "OPTIONS"})
_FORM_TYPES = ("application/x-www-form-urlencoded",)
#: ``@app.route(..., openapi=False)`` leaves a route out of the document
INTERNAL_OPTION = "openapi"

_ERROR_SCHEMA: JSONSchema = {
    "type": "object",
    "description": "The default error answer (an HTML page instead when the client asks for text/html).",
    "properties": {
        "code": {"type": "integer", "description": "the HTTP status"},
        "message": {"type": "string"},
        "detail": {"type": "string"},
        "errno": {"type": ["integer", "null"]},
        "field": {"type": "string", "description": "the parameter that failed (400 from parameter checks)"},
        "rule": {"type": "string", "description": "the check that failed: required, type, ints, len__lte..."},
    },
    "required": ["code", "message"],
}

_STATUS_TEXT = {
    400: "A parameter is missing, unexpected, or fails its type or inspect rule (the answer names it).",
    401: "Authentication is required or failed.",
    403: "Authenticated, but not allowed.",
    404: "No such resource.",
    405: "The path does not accept this method.",
    413: "The request body is larger than the app allows.",
    415: "The request body's media type is not accepted here.",
}


def openapi_path(template: str) -> str:
    """``/users/<int:id>`` -> ``/users/{id}`` (the same conversion ``pytest --docs`` uses)."""
    return _PLACEHOLDER.sub(r"{\1}", template) or "/"


def is_internal(rule: Rule) -> bool:
    """True for a route kept out of the document (the docs routes themselves, or ``openapi=False``)."""
    return rule.options.get(INTERNAL_OPTION, True) is False


@dataclass
class RouteDoc:
    """One documented (path, method) of an app."""

    path: str
    method: str
    rule: Rule
    path_names: tuple[str, ...]


def _full_path(prefix: str, path: str) -> str:
    full = prefix + path
    return full if full.startswith("/") else "/" + full


def _path_variants(rule: Rule) -> Iterator[tuple[str, tuple[str, ...]]]:
    """The template, and the shorter forms its optional tail allows (``/ep`` for ``/ep/<int:id>``)."""
    pieces = list(rule.pieces)
    while True:
        template = "".join(piece if isinstance(piece, str) else f"<{piece[0]}>" for piece in pieces)
        names = tuple(piece[0] for piece in pieces if not isinstance(piece, str))
        yield template, names
        if len(pieces) < 2 or isinstance(pieces[-1], str) or pieces[-1][0] not in rule.optional:
            return
        pieces = pieces[:-1]
        last = pieces[-1]
        if isinstance(last, str):
            trimmed = last[:-1] if last.endswith("/") else last
            pieces[-1] = trimmed
            if not trimmed:
                pieces.pop()


def iter_route_docs(app: Any) -> Iterator[RouteDoc]:
    """Every (path, method) the app answers and documents, in route order.

    The app's own documentation routes are left out; so is a second rule for a
    (path, method) an earlier rule already answers (the router never reaches it).
    """
    seen: set[tuple[str, str]] = set()
    for rule in app.router:
        if is_internal(rule):
            continue
        methods = [m for m in rule.allow if m not in _HIDDEN_METHODS] if rule.methods is not None else _ANY_METHODS
        for template, names in _path_variants(rule):
            path = openapi_path(_full_path(app.prefix, template))
            for method in methods:
                if (path, method) in seen:
                    continue
                seen.add((path, method))
                yield RouteDoc(path, method, rule, names)


def build_document(app: Any) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``app`` (a plain dict, ready for JSON)."""
    registry = SchemaRegistry()
    paths: dict[str, dict[str, Any]] = {}
    operation_ids: set[str] = set()
    security_schemes: dict[str, JSONSchema] = {}
    for doc in iter_route_docs(app):
        operation = _operation(app, doc, registry, security_schemes)
        operation["operationId"] = _unique_id(doc, operation_ids)
        paths.setdefault(doc.path, {})[doc.method.lower()] = operation
    registry.components.setdefault("Error", _ERROR_SCHEMA)
    components: dict[str, Any] = {"schemas": dict(sorted(registry.components.items()))}
    if security_schemes:
        components["securitySchemes"] = security_schemes
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": _info(app),
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": components,
    }
    return document


def _info(app: Any) -> dict[str, Any]:
    module = sys.modules.get(app.import_name)
    config = getattr(app, "config", {}) or {}
    title = config.get("OPENAPI_TITLE") or getattr(module, "NAME", None) or app.name or app.import_name
    version = config.get("OPENAPI_VERSION") or getattr(module, "__version__", None) or "0"
    info: dict[str, Any] = {"title": str(title), "version": str(version)}
    description = config.get("OPENAPI_DESCRIPTION") or _first_paragraphs(getattr(module, "__doc__", None))
    if description:
        info["description"] = description
    return info


def _first_paragraphs(doc: str | None) -> str:
    return inspect.cleandoc(doc) if doc else ""


def _unique_id(doc: RouteDoc, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_.]", "_", doc.rule.name) or "route"
    candidate = base
    if candidate in taken:
        candidate = f"{base}_{doc.method.lower()}"
    counter = 2
    while candidate in taken:
        candidate = f"{base}_{doc.method.lower()}_{counter}"
        counter += 1
    taken.add(candidate)
    return candidate


def _operation(app: Any, doc: RouteDoc, registry: SchemaRegistry, schemes: dict[str, JSONSchema]) -> dict[str, Any]:
    rule = doc.rule
    func = inspect.unwrap(rule.func)
    operation: dict[str, Any] = {}
    summary, description = _docstring(func)
    if summary:
        operation["summary"] = summary
    if description:
        operation["description"] = description
    tag = _tag(app, rule)
    if tag:
        operation["tags"] = [tag]
    hints = _hints(func)
    rules = InspectRules(attached(rule.func, "inspect"), registry)
    spec = rule.spec
    statuses = {404}
    parameters: list[dict[str, Any]] = []
    for name in doc.path_names:
        schema = rules.schema_of(name, _converter_schema(rule, name))
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    others = [name for name in spec.names if name not in rule.converters]
    fields = {name: _field_schema(name, hints, spec, rules, registry) for name in others}
    for name in rules.fields:
        if name not in fields and name not in rule.converters and spec.var_keyword:
            fields[name] = rules.schema_of(name, {"type": "string"})
    required = [name for name in others if name in spec.required or name in rules.required]
    if fields or rules.required:
        statuses.add(400)
    if doc.method in _BODY_METHODS:
        if fields:
            operation["requestBody"] = _request_body(rule, fields, required, spec.var_keyword)
            statuses.add(415)
    else:
        for name, schema in fields.items():
            parameter: dict[str, Any] = {"name": name, "in": "query", "schema": schema}
            if name in required:
                parameter["required"] = True
            parameters.append(parameter)
    if parameters:
        operation["parameters"] = parameters
    if rules.notes:
        operation["description"] = "\n\n".join(filter(None, [operation.get("description"), *rules.notes]))
    security = _security(app, rule, schemes)
    if security:
        operation["security"] = security
        statuses.add(401)
    if _has_check(rule, ("login", "permission", "staff", "testpass")):
        statuses.update({401, 403})
    if rule.content_types:
        statuses.add(415)
    operation["responses"] = _responses(hints.get("return", inspect.Signature.empty), statuses, registry)
    return operation


def _docstring(func: Any) -> tuple[str, str]:
    doc = inspect.getdoc(func)
    if not doc:
        return "", ""
    summary, _, rest = doc.partition("\n\n")
    return " ".join(summary.split()), rest.strip()


def _tag(app: Any, rule: Rule) -> str:
    """The module that defined the route (``api.users``), relative to the app."""
    module = getattr(inspect.unwrap(rule.func), "__module__", "") or ""
    root = app.import_name
    if module in (root, "__main__") or not module:
        return ""
    return module[len(root) + 1 :] if module.startswith(root + ".") else module


def _hints(func: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(func, include_extras=False)
    except Exception:
        # NOTE: an annotation naming something not importable here; fall back to the raw ones
        return dict(getattr(func, "__annotations__", {}) or {})


def _converter_schema(rule: Rule, name: str) -> JSONSchema:
    converter = rule.converters.get(name)
    if isinstance(converter, IntConverter):
        return {"type": "integer"}
    if isinstance(converter, FloatConverter):
        return {"type": "number"}
    if isinstance(converter, PathConverter):
        return {"type": "string", "minLength": 1}
    return {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}


def _field_schema(
    name: str, hints: dict[str, Any], spec: Any, rules: InspectRules, registry: SchemaRegistry
) -> JSONSchema:
    """An untyped parameter is text: what a query string or a form carries."""
    annotation = hints.get(name)
    schema = registry.schema(annotation) if annotation is not None else {"type": "string"}
    if name in spec.defaults:
        default = spec.defaults[name]
        if default is None and schema and "$ref" not in schema:
            schema = _nullable(schema)
        elif _json_plain(default):
            schema = {**schema, "default": default}
    return rules.schema_of(name, schema)


def _nullable(schema: JSONSchema) -> JSONSchema:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    if isinstance(kind, list) and "null" not in kind:
        return {**schema, "type": [*kind, "null"]}
    return schema


def _json_plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _request_body(rule: Rule, fields: dict[str, JSONSchema], required: list[str], open_ended: bool) -> dict[str, Any]:
    schema: JSONSchema = {"type": "object", "properties": fields}
    if required:
        schema["required"] = required
    if not open_ended:
        schema["additionalProperties"] = False
    # NOTE: a form carries flat text fields; nested values are JSON-only
    flat = all(field.get("type") in ("string", "integer", "number", "boolean") for field in fields.values())
    media = ["application/json", *(_FORM_TYPES if flat else ())]
    if rule.content_types:
        media = [m for m in rule.content_types if "*" not in m] or media
    return {"required": bool(required), "content": {m: {"schema": schema} for m in media}}


def _security(app: Any, rule: Rule, schemes: dict[str, JSONSchema]) -> list[dict[str, list[str]]]:
    scheme = _route_scheme(app, rule)
    if scheme is None:
        return []
    name = f"{scheme}Auth"
    if scheme == "bearer":
        schemes[name] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    else:
        schemes[name] = {"type": "http", "scheme": scheme}
    return [{name: []}]


def _route_scheme(app: Any, rule: Rule) -> str | None:
    """``authenticate=`` of the route (or its module), ``@app.authorization_required``, or the app's."""
    from atila.security.auth import normalize_scheme

    found = rule.options.get("authenticate")
    if found is None:
        for check in _checks(rule, "authenticate"):
            # NOTE: the decorator keeps its scheme in the check's closure
            found = inspect.getclosurevars(check).nonlocals.get("normalized")
            if found:
                break
    if found is None:
        found = getattr(app, "authenticate", None)
    try:
        return normalize_scheme(found)
    except ValueError:
        return None


def _checks(rule: Rule, *kinds: str) -> Iterable[Any]:
    from atila.security.checks import ORDER

    wanted = {ORDER[kind] for kind in kinds if kind in ORDER}
    for func in dict.fromkeys((rule.func, inspect.unwrap(rule.func))):
        holder = getattr(func, "__dict__", {}).get("__atila_security__")
        for order, _, check in getattr(holder, "items", ()):
            if order in wanted:
                yield check


def _has_check(rule: Rule, kinds: tuple[str, ...]) -> bool:
    return any(True for _ in _checks(rule, *kinds))


def _responses(returned: Any, statuses: set[int], registry: SchemaRegistry) -> dict[str, Any]:
    success: dict[str, Any] = {"description": "Success"}
    if returned is not inspect.Signature.empty and returned is not None:
        schema = registry.schema(returned)
        if schema and schema != {"type": "string"}:
            success["content"] = {"application/json": {"schema": schema}}
    responses: dict[str, Any] = {"200": success}
    error = {"$ref": "#/components/schemas/Error"}
    for status in sorted(statuses):
        responses[str(status)] = {
            "description": _STATUS_TEXT.get(status, "Error"),
            "content": {"application/json": {"schema": error}, "text/html": {"schema": {"type": "string"}}},
        }
    responses["default"] = {
        "description": "Any other answer the handler gives (201, redirects, other errors).",
    }
    return responses
