"""JSON-RPC 2.0: ``application/json-rpc`` POSTs, and ``application/json``
POSTs whose body has a ``jsonrpc`` member (any other JSON body is a plain
request for the route at that URL).

Single calls, batches (answered in order, notifications left out) and
notifications (no ``id``: run, never answered; a request of notifications only
gets ``204 No Content``).  Errors carry the standard codes: -32700 parse error,
-32600 invalid request, -32601 method not found, -32602 invalid params,
-32603 internal error; -32000 an HTTP error a route raised (its status in
``data``).
"""

from __future__ import annotations

from typing import Any

import orjson

from ..responses.api import JSON_TYPE
from .calls import INTERNAL_ERROR, INVALID_REQUEST, PARSE_ERROR, RPCError, call, find_rule, pass_on

__all__ = ["serve", "envelope"]

_JSON = [("Content-Type", JSON_TYPE)]
_NO_ID: Any = object()


def envelope(body: bytes, strict: bool) -> Any:
    """The decoded call(s), or None when an ``application/json`` body is not
    JSON-RPC (``strict`` is the ``application/json-rpc`` type: always a call).

    Raises:
        RPCError: -32700 for a body that is not JSON (strict only).
    """
    if not strict and b'"jsonrpc"' not in body:
        return None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if strict:
            raise RPCError(PARSE_ERROR, f"parse error: {exc}") from None
        return None
    if strict:
        return data
    if isinstance(data, dict) and "jsonrpc" in data:
        return data
    if isinstance(data, list) and data and all(isinstance(item, dict) and "jsonrpc" in item for item in data):
        return data
    return None


async def serve(pipeline: Any, request: Any, responder: Any) -> None:
    body = await request.body.read()
    strict = request.headers.get("content-type", "").partition(";")[0].strip().lower() != "application/json"
    try:
        data = envelope(body, strict)
    except RPCError as exc:
        responder.respond(200, _JSON, orjson.dumps(_error(None, exc)))
        return
    if data is None:
        await pass_on(pipeline, request, responder, body)
        return
    if isinstance(data, list):
        if not data:
            answers: Any = _error(None, RPCError(INVALID_REQUEST, "invalid request: an empty batch"))
        else:
            answers = [a for a in [await one(pipeline, request, item) for item in data] if a is not None]
            if not answers:
                responder.respond(204, [], b"")
                return
    else:
        answers = await one(pipeline, request, data)
        if answers is None:
            responder.respond(204, [], b"")
            return
    responder.respond(200, _JSON, _dumps(answers))


async def one(pipeline: Any, request: Any, item: Any) -> dict[str, Any] | None:
    """The answer to one call (None for a notification)."""
    ident = item.get("id", _NO_ID) if isinstance(item, dict) else None
    try:
        method, args, kwargs = _parse(item)
        match = find_rule(pipeline.app, request.path_info, method)
        result = await call(pipeline, request, match, args, kwargs)
    except RPCError as exc:
        return None if ident is _NO_ID else _error(ident, exc)
    if ident is _NO_ID:
        return None
    return {"jsonrpc": "2.0", "result": result, "id": ident}


def _parse(item: Any) -> tuple[str, list[Any], dict[str, Any]]:
    if not isinstance(item, dict):
        raise RPCError(INVALID_REQUEST, "invalid request: a call must be a JSON object")
    if item.get("jsonrpc") != "2.0":
        raise RPCError(INVALID_REQUEST, 'invalid request: "jsonrpc" must be "2.0"')
    method = item.get("method")
    if not isinstance(method, str):
        raise RPCError(INVALID_REQUEST, 'invalid request: "method" must be a string')
    ident = item.get("id")
    if (ident is not None and not isinstance(ident, (str, int, float))) or isinstance(ident, bool):
        raise RPCError(INVALID_REQUEST, 'invalid request: "id" must be a string, a number or null')
    params = item.get("params", [])
    if isinstance(params, list):
        return method, params, {}
    if isinstance(params, dict):
        return method, [], params
    raise RPCError(INVALID_REQUEST, 'invalid request: "params" must be an array or an object')


def _error(ident: Any, exc: RPCError) -> dict[str, Any]:
    error: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.data is not None:
        error["data"] = exc.data
    return {"jsonrpc": "2.0", "error": error, "id": None if ident is _NO_ID else ident}


def _dumps(answers: Any) -> bytes:
    try:
        return orjson.dumps(answers)
    except TypeError as exc:
        # a result with no JSON form: each call answered, the bad ones as -32603
        items = answers if isinstance(answers, list) else [answers]
        fixed = []
        for item in items:
            try:
                orjson.dumps(item)
                fixed.append(item)
            except TypeError:
                fixed.append(_error(item.get("id"), RPCError(INTERNAL_ERROR, f"result has no JSON form: {exc}")))
        return orjson.dumps(fixed if isinstance(answers, list) else fixed[0])
