"""Remote calls answered by ordinary routes, told apart by the request's content type.

"By request's content type, Atila supports XML-RPC, JSON-RPC and gRPC": the
same ``@app.route("/add") def add(context, num1, num2)`` answers a browser
GET, an XML-RPC ``add(1, 2)``, a JSON-RPC ``{"method": "add", ...}`` and, for
an app mounted at ``/package.Service``, a gRPC ``Service/add``.

The pipeline reaches this package through one branch (``Pipeline.handle``):
a ``POST`` whose content type is one of :data:`PROTOCOLS` is handed to that
protocol's ``serve``; every other request pays one method compare.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["protocol_for", "PROTOCOLS", "PASSED"]

#: ``request.state`` key set when an RPC-typed request turned out to be a
#: plain one (an XML upload, a REST JSON body): the pipeline serves it as such
PASSED = "atila.rpc.passed"

Serve = Callable[[Any, Any, Any], Any]


def _xmlrpc(pipeline: Any, request: Any, responder: Any) -> Any:
    from .xmlrpc import serve

    return _where_a_call_lands(pipeline, request, responder, serve)


def _jsonrpc(pipeline: Any, request: Any, responder: Any) -> Any:
    from .jsonrpc import serve

    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type != "application/json":
        return serve(pipeline, request, responder)  # a JSON-RPC type: always a call
    return _where_a_call_lands(pipeline, request, responder, serve)


def _where_a_call_lands(pipeline: Any, request: Any, responder: Any, serve: Serve) -> Any:
    """An XML or JSON body is sniffed for a call only at a URL where one can land:
    a route's own URL, or the app's mount point.  Anywhere else it is a plain
    request, decided before its body is read, so a path this app has no route
    for still falls through to the next mount on the same prefix; and a route
    with ``input_stream=True`` reads its body itself."""
    match = pipeline.app.router.match(request.path_info, "POST", request.headers.get("content-type"))
    if match.status == 200:
        if not match.rule.options.get("input_stream"):
            return serve(pipeline, request, responder)
    elif request.path_info in ("", "/"):
        return serve(pipeline, request, responder)
    request.state[PASSED] = True
    return pipeline.handle(request, responder)


def _grpc(pipeline: Any, request: Any, responder: Any) -> Any:
    from .grpc import serve

    return serve(pipeline, request, responder)


#: media type -> the protocol serving it (imported on first use: an app that
#: never sees an RPC call never imports xmlrpc, protobuf or the gRPC layer)
PROTOCOLS: dict[str, Serve] = {
    "text/xml": _xmlrpc,
    "application/json-rpc": _jsonrpc,
    "application/jsonrequest": _jsonrpc,
    "application/json": _jsonrpc,
    "application/grpc": _grpc,
    "application/grpc+proto": _grpc,
}


def protocol_for(request: Any) -> Serve | None:
    """The protocol a ``POST`` is for, or None for a plain request."""
    content_type = request.headers.get("content-type")
    if content_type is None:
        return None
    serve = PROTOCOLS.get(content_type.partition(";")[0].strip().lower())
    if serve is None or PASSED in request.state:
        return None
    return serve
