"""What one gRPC method is, read once per route: its request and response
message classes and which sides stream.

The types come from the service descriptor the generated ``*_pb2`` module
registered in protobuf's default pool when the app imported it: the app is
mounted at ``/package.Service``, so the mount point names the service and
the route names the method (``/routeguide.RouteGuide`` + ``/GetFeature``).
A route outside any known service can still declare its request type as the
first parameter's annotation (``def Echo(context, note: chat_pb2.Note)``),
and request streaming with ``stream=True``.
"""

from __future__ import annotations

import inspect
from typing import Any

from .grpc_wire import GRPCError, Status

__all__ = ["Method", "method_for"]

_CACHE: dict[tuple[Any, str], "Method"] = {}


class Method:
    __slots__ = ("name", "request_type", "response_type", "client_streaming", "server_streaming", "param")

    def __init__(
        self,
        name: str,
        request_type: Any,
        response_type: Any,
        client_streaming: bool,
        server_streaming: bool | None,
        param: str | None,
    ) -> None:
        self.name = name
        self.request_type = request_type
        self.response_type = response_type
        self.client_streaming = client_streaming
        #: None: decided by what the route returns (a generator streams)
        self.server_streaming = server_streaming
        #: the handler parameter that receives the message (or the iterator)
        self.param = param


def method_for(rule: Any, service: str, name: str) -> Method:
    """The method a route answers for ``service`` (cached per route and service).

    Raises:
        GRPCError: UNIMPLEMENTED when neither the descriptor nor the route
            says what the request message is.
    """
    key = (rule, service)
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = _read(rule, service, name)
        if len(_CACHE) > 4096:  # routes come and go in --devel reloads
            _CACHE.pop(next(iter(_CACHE)))
    return found


def _read(rule: Any, service: str, name: str) -> Method:
    spec = rule.spec
    param = spec.names[0] if spec.names else None
    described = _described(service, name)
    if described is not None:
        request_type, response_type, client_streaming, server_streaming = described
        return Method(f"/{service}/{name}", request_type, response_type, client_streaming, server_streaming, param)
    annotated = spec.annotations.get(param) if param else None
    if not (inspect.isclass(annotated) and hasattr(annotated, "FromString")):
        raise GRPCError(
            Status.UNIMPLEMENTED,
            f"/{service}/{name}: no message type known for this route: import the generated "
            f"*_pb2 module of {service!r} in the app, or annotate {param or 'the first parameter'} "
            "with the request message class",
        )
    return Method(f"/{service}/{name}", annotated, None, bool(rule.options.get("stream")), None, param)


def _described(service: str, name: str) -> tuple[Any, Any, bool, bool] | None:
    try:
        from google.protobuf import descriptor_pool, message_factory
    except ImportError:  # pragma: no cover - the grpc extra is not installed
        raise GRPCError(Status.UNIMPLEMENTED, "gRPC routes need protobuf: pip install 'skitai-atila[grpc]'") from None
    try:
        descriptor = descriptor_pool.Default().FindServiceByName(service)
    except KeyError:
        return None
    method = descriptor.methods_by_name.get(name)
    if method is None:
        return None
    return (
        message_factory.GetMessageClass(method.input_type),
        message_factory.GetMessageClass(method.output_type),
        method.client_streaming,
        method.server_streaming,
    )
