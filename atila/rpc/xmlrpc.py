"""XML-RPC (``text/xml`` POSTs): ``xmlrpc.client.ServerProxy(url).add(1, 2)``.

Encoding is the standard library's (``xmlrpc.client.loads``/``dumps``), with
``None`` allowed both ways (the ``<nil/>`` extension every Python client
speaks).  A failed call is an XML-RPC fault with the codes JSON-RPC also uses
(-32700 unparsable, -32600 not a call, -32601 no such method, -32602 wrong
parameters, -32603 the route failed; -32000 an HTTP error a route raised);
the HTTP status stays 200, as the protocol wants.
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any

from .calls import INTERNAL_ERROR, INVALID_REQUEST, PARSE_ERROR, RPCError, call, find_rule, pass_on

__all__ = ["serve", "is_call"]

_XML = [("Content-Type", "text/xml; charset=utf-8")]


def is_call(body: bytes) -> bool:
    """A ``<methodCall>`` document (a plain XML upload is not one)."""
    return b"<methodCall" in body[:512]


async def serve(pipeline: Any, request: Any, responder: Any) -> None:
    body = await request.body.read()
    if not is_call(body):
        await pass_on(pipeline, request, responder, body)
        return
    try:
        payload = await answer(pipeline, request, body)
    except RPCError as exc:
        payload = fault(exc.code, exc.message)
    responder.respond(200, _XML, payload)


async def answer(pipeline: Any, request: Any, body: bytes) -> bytes:
    try:
        params, method = xmlrpc.client.loads(body, use_builtin_types=True)
    except Exception as exc:  # expat, ValueError, ResponseError: all "not XML-RPC"
        raise RPCError(PARSE_ERROR, f"request is not XML-RPC: {exc}") from None
    if method is None:
        raise RPCError(INVALID_REQUEST, "the XML has no <methodName>")
    match = find_rule(pipeline.app, request.path_info, method)
    result = await call(pipeline, request, match, params, {})
    try:
        return xmlrpc.client.dumps((result,), methodresponse=True, allow_none=True).encode("utf-8")
    except (TypeError, OverflowError) as exc:
        raise RPCError(INTERNAL_ERROR, f"{method} returned a value XML-RPC cannot carry: {exc}") from None


def fault(code: int, message: str) -> bytes:
    return xmlrpc.client.dumps(xmlrpc.client.Fault(code, message), methodresponse=True).encode("utf-8")
