"""One remote call: find the route a method name names, run it like a request.

Shared by XML-RPC and JSON-RPC.  A call runs the route's whole life cycle
(before hooks, authorization, the handler, after hooks, teardown), so a route
guarded for browsers is guarded for RPC clients too; only the answer's form
differs.
"""

from __future__ import annotations

import inspect
import logging
import re
from typing import Any

from skitai.body import bytes_body
from skitai.contract import NOT_FOUND
from skitai.errors import HTTPError

from ..context.context import Context
from ..coroutines import drive
from ..params.errors import ParamError
from ..responses.api import API
from ..responses.base import Response
from . import PASSED

__all__ = [
    "RPCError",
    "find_rule",
    "call",
    "pass_on",
    "error_of",
    "PARSE_ERROR",
    "INVALID_REQUEST",
    "METHOD_NOT_FOUND",
    "INVALID_PARAMS",
    "INTERNAL_ERROR",
]

logger = logging.getLogger("atila.rpc")

#: the error codes XML-RPC (specs.xmlrpc-epi fault codes) and JSON-RPC 2.0 share
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
#: JSON-RPC's "server error" range: an HTTP error a route raised (403, 404 ...)
SERVER_ERROR = -32000

_METHOD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


class RPCError(Exception):
    """A failed call, as both protocols report it: a code and a message."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data


def find_rule(app: Any, path_info: str, method: str) -> Any:
    """The route for ``method`` called at ``path_info``.

    ``proxy.add`` at ``/rpc2`` (the app's mount point) is the route ``/add``;
    dotted names are path segments (``math.add`` is ``/math/add``); posting to
    the route's own URL (``/add`` calling ``add``) reaches it too.

    Raises:
        RPCError: -32601 when no route has that name.
    """
    if not isinstance(method, str) or not _METHOD_NAME.match(method):
        raise RPCError(METHOD_NOT_FOUND, f"method name {method!r:.80} is not a dotted name")
    relative = "/" + method.replace(".", "/")
    base = path_info.rstrip("/")
    candidates = [base + relative] if base else []
    candidates.append(relative)
    if base and base.rsplit("/", 1)[-1] == method:
        candidates.append(base)
    router = app.router
    for path in candidates:
        for verb in ("POST", "GET"):
            match = router.match(path, verb, None)
            if match.status == 200:
                return match
    raise RPCError(METHOD_NOT_FOUND, f"method {method!r} not found (no route {candidates[0]!r})")


def bind_args(rule: Any, args: list[Any] | tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Positional RPC parameters fill the handler's parameters in order.

    Raises:
        RPCError: -32602 for too many positional values, a value given twice or
            an unknown name (a handler without ``**kwargs``).
    """
    spec = rule.spec
    names = spec.names
    if len(args) > len(names):
        raise RPCError(
            INVALID_PARAMS, f"{rule.name or rule.path} takes {len(names)} parameters, {len(args)} were given"
        )
    bound = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key in bound:
            raise RPCError(INVALID_PARAMS, f"parameter {key!r} given twice")
        if not spec.accepts(key):
            raise RPCError(INVALID_PARAMS, f"unexpected parameter: {key}")
        bound[key] = value
    missing = [name for name in spec.required if name not in bound]
    if missing:
        raise RPCError(INVALID_PARAMS, f"missing parameter: {missing[0]}")
    return bound


async def call(pipeline: Any, request: Any, match: Any, args: Any, kwargs: dict[str, Any]) -> Any:
    """Run the matched route with the call's parameters; its plain value.

    Raises:
        RPCError: the failure in RPC terms (see :func:`error_of`).
    """
    rule = match.rule
    params = {**match.kwargs, **bind_args(rule, args, kwargs)}
    context = Context(pipeline.app, request, rule, params)
    endpoint = pipeline.endpoint(rule)
    try:
        # NOTE: the pipeline's own drivers, so hooks run exactly as for a request
        if endpoint.is_async:
            result = await pipeline._run_async(context, endpoint)
        else:
            result = await pipeline.app.run_in_thread(pipeline._run_sync, context, endpoint)
        if endpoint.coroutine and inspect.isgenerator(result):
            # a coroutine route: its return value is the result (a streamed answer has no RPC form)
            result = await drive(context, result, pipeline.app.run_in_thread, endpoint.input_stream)
    except Exception as exc:
        raise error_of(exc, pipeline.app, rule) from exc
    return plain_value(result)


def plain_value(result: Any) -> Any:
    """What an RPC answer carries of a route's return value (``context.API(...)``
    carries its data; a Response with a text or bytes body, that body)."""
    if isinstance(result, API):
        return result.data
    if isinstance(result, Response):
        body = result.body
        if isinstance(body, (bytes, bytearray)):
            try:
                return bytes(body).decode("utf-8")
            except UnicodeDecodeError:
                return bytes(body)
        raise RPCError(INTERNAL_ERROR, f"a {type(result).__name__} answer has no RPC form")
    return result


def error_of(exc: BaseException, app: Any, rule: Any) -> RPCError:
    """A route's exception as an RPC error: a parameter problem is -32602, an
    HTTP error (403 from a guard, 404 ...) keeps its status in the message and
    data, anything else is -32603 with the exception's message (logged with
    its traceback)."""
    if isinstance(exc, RPCError):
        return exc
    if isinstance(exc, ParamError):
        return RPCError(INVALID_PARAMS, exc.detail or exc.reason, {"status": exc.status})
    if isinstance(exc, HTTPError):
        detail = exc.detail if exc.detail and exc.detail != exc.reason else ""
        text = f"{exc.status} {exc.reason}" + (f": {detail}" if detail else "")
        return RPCError(SERVER_ERROR, text, {"status": exc.status})
    app.logger.error("RPC call of %s failed", rule.path, exc_info=exc)
    return RPCError(INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")


async def pass_on(pipeline: Any, request: Any, responder: Any, body: bytes) -> None:
    """The request was not a call after all (an XML upload, a REST JSON body):
    serve it as a plain request, its body given back."""
    request.state[PASSED] = True
    request.body = bytes_body(body)
    result = pipeline.handle(request, responder)
    if result is NOT_FOUND:
        # NOTE: only at the mount point (a route's URL always matches): the body
        # is read, so the next mount cannot get it; this app's not-found page answers.
        result = pipeline.not_found(request, responder)
    if result is not None:
        await result
