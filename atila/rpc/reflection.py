"""gRPC server reflection: what ``grpcurl`` and other tools ask a server to
learn its services without the ``.proto`` files.

    from atila.rpc.reflection import reflection_app, REFLECTION_SERVICE

    skitai.mount("/routeguide.RouteGuide", app)
    skitai.mount("/" + REFLECTION_SERVICE, reflection_app())

The service list is the gRPC services mounted on the same engine (mount
points named ``/package.Service`` that protobuf's default pool knows), or the
names given to :func:`reflection_app`.  Files are answered from the default
pool with their dependencies.  Needs ``grpcio-reflection`` for the
reflection messages (grpc's own server is not used).
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Iterable

__all__ = ["reflection_app", "REFLECTION_SERVICE"]

REFLECTION_SERVICE = "grpc.reflection.v1alpha.ServerReflection"
_NOT_FOUND = 5


def reflection_app(services: Iterable[str] | None = None) -> Any:
    """An Atila app answering ``ServerReflectionInfo``; mount it at ``/`` + :data:`REFLECTION_SERVICE`."""
    from grpc_reflection.v1alpha import reflection_pb2  # noqa: F401  (registers the service descriptor)

    from ..app import Atila

    app = Atila(__name__)
    named = sorted(services) if services is not None else None

    @app.route("/ServerReflectionInfo", stream=True)
    async def ServerReflectionInfo(context: Any, requests: Any) -> AsyncIterator[Any]:
        names = named if named is not None else mounted_services(context.app.engine)
        async for request in requests:
            yield answer(request, names)

    return app


def mounted_services(engine: Any) -> list[str]:
    """The gRPC services mounted on ``engine`` that the descriptor pool knows."""
    from google.protobuf import descriptor_pool

    pool = descriptor_pool.Default()
    found = []
    for mount in getattr(engine, "mounts", ()) or ():
        name = mount.prefix.strip("/")
        if "." not in name or "/" in name:
            continue
        try:
            pool.FindServiceByName(name)
        except KeyError:
            continue
        found.append(name)
    return sorted(set(found))


def answer(request: Any, services: list[str]) -> Any:
    from google.protobuf import descriptor_pool
    from grpc_reflection.v1alpha import reflection_pb2 as pb

    pool = descriptor_pool.Default()
    kind = request.WhichOneof("message_request")
    try:
        if kind == "list_services":
            listed = pb.ListServiceResponse(service=[pb.ServiceResponse(name=name) for name in services])
            return pb.ServerReflectionResponse(original_request=request, list_services_response=listed)
        if kind == "file_by_filename":
            return _files(request, pool.FindFileByName(request.file_by_filename))
        if kind == "file_containing_symbol":
            return _files(request, pool.FindFileContainingSymbol(request.file_containing_symbol))
        if kind == "file_containing_extension":
            ask = request.file_containing_extension
            message = pool.FindMessageTypeByName(ask.containing_type)
            extension = pool.FindExtensionByNumber(message, ask.extension_number)
            return _files(request, pool.FindFileContainingSymbol(extension.full_name))
        if kind == "all_extension_numbers_of_type":
            message = pool.FindMessageTypeByName(request.all_extension_numbers_of_type)
            numbers = pb.ExtensionNumberResponse(
                base_type_name=message.full_name, extension_number=[e.number for e in pool.FindAllExtensions(message)]
            )
            return pb.ServerReflectionResponse(original_request=request, all_extension_numbers_response=numbers)
    except KeyError:
        pass
    error = pb.ErrorResponse(error_code=_NOT_FOUND, error_message=f"{kind} not found")
    return pb.ServerReflectionResponse(original_request=request, error_response=error)


def _files(request: Any, descriptor: Any) -> Any:
    from google.protobuf import descriptor_pb2
    from grpc_reflection.v1alpha import reflection_pb2 as pb

    seen: dict[str, Any] = {}
    pending = [descriptor]
    while pending:
        current = pending.pop()
        if current.name in seen:
            continue
        seen[current.name] = current
        pending.extend(current.dependencies)
    protos = []
    for item in seen.values():
        proto = descriptor_pb2.FileDescriptorProto()
        item.CopyToProto(proto)
        protos.append(proto.SerializeToString())
    files = pb.FileDescriptorResponse(file_descriptor_proto=protos)
    return pb.ServerReflectionResponse(original_request=request, file_descriptor_response=files)
