"""gRPC over HTTP/2: ``application/grpc`` POSTs to an app mounted at
``/package.Service`` reach the route named like the method.

::

    skitai.mount("/routeguide.RouteGuide", app)

    @app.route("/GetFeature")                       # unary
    def GetFeature(context, point): return feature

    @app.route("/ListFeatures")                     # response streaming
    def ListFeatures(context, rectangle): yield from features

    @app.route("/RecordRoute", stream=True)         # request streaming
    async def RecordRoute(context, point_iter):
        async for point in point_iter: ...

    @app.route("/RouteChat", stream=True)           # bidirectional
    async def RouteChat(context, note_iter):
        async for note in note_iter: yield reply

The request message is decoded with the type the service descriptor gives
(:mod:`.grpc_methods`); what the route returns (a message, a ``dict`` of the
response type's fields, or a generator / async generator of them) is framed
(:mod:`.grpc_wire`) and written with back-pressure.  The call ends with the
``grpc-status`` / ``grpc-message`` trailers: OK, the route's
:class:`~.grpc_wire.GRPCError`, an HTTP error mapped to its gRPC code, INTERNAL
with the message of any other exception, UNIMPLEMENTED for a method the app
has no route for, DEADLINE_EXCEEDED past the client's ``grpc-timeout``,
RESOURCE_EXHAUSTED for a message over ``app.config.GRPC_MAX_MESSAGE_SIZE``.
A ``def`` route runs in the thread pool (a request iterator is iterated with
a plain ``for`` there), ``async def`` and async generator routes on the loop.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import inspect
from typing import Any, AsyncIterator, Iterator

from skitai.errors import ClientGone, HTTPError

from ..context.context import Context
from .grpc_methods import Method, method_for
from .grpc_wire import ACCEPT_ENCODING, Deframer, GRPCError, Status, frame, parse_timeout, quote_message, status_of_http

__all__ = ["serve", "GRPCError", "Status", "Messages", "MAX_MESSAGE_SIZE"]

#: the largest request message by default (gRPC's own default), in bytes
MAX_MESSAGE_SIZE = 4 * 1024 * 1024
_SETTING = "app.config.GRPC_MAX_MESSAGE_SIZE"
_HEAD = [("content-type", "application/grpc"), ("grpc-accept-encoding", ACCEPT_ENCODING)]
_TEXT = [("content-type", "text/plain; charset=utf-8")]
_READ = 65536
_DONE: Any = object()


class Messages:
    """The request messages of a streaming call, decoded as they arrive:
    ``async for`` on the loop, plain ``for`` in a ``def`` route's thread."""

    def __init__(self, body: Any, deframer: Deframer, method: Method, loop: asyncio.AbstractEventLoop) -> None:
        self._body = body
        self._deframer = deframer
        self._method = method
        self._loop = loop
        self._ready: collections.deque[bytes] = collections.deque()
        self._eof = False

    def __aiter__(self) -> AsyncIterator[Any]:
        return self

    async def __anext__(self) -> Any:
        while not self._ready:
            if self._eof:
                raise StopAsyncIteration
            data = await self._body.read(_READ)
            if not data:
                self._eof = True
                if self._deframer.pending:
                    raise GRPCError(Status.INTERNAL, "the request ended inside a message")
                continue
            self._ready.extend(self._deframer.feed(data))
        return self._decode(self._ready.popleft())

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        item = asyncio.run_coroutine_threadsafe(self._next_or_done(), self._loop).result()
        if item is _DONE:
            raise StopIteration
        return item

    async def _next_or_done(self) -> Any:
        try:
            return await self.__anext__()
        except StopAsyncIteration:
            return _DONE

    async def single(self) -> Any:
        """The one message of a unary request."""
        items = [item async for item in self]
        if len(items) != 1:
            raise GRPCError(Status.INTERNAL, f"{self._method.name} takes one request message, got {len(items)}")
        return items[0]

    def _decode(self, data: bytes) -> Any:
        kind = self._method.request_type
        try:
            return kind.FromString(data)
        except Exception as exc:  # protobuf's DecodeError, and whatever a custom type raises
            raise GRPCError(Status.INTERNAL, f"cannot decode the request as {kind.__name__}: {exc}") from None


async def serve(pipeline: Any, request: Any, responder: Any) -> None:
    if request.version != "2":
        responder.respond(
            505,
            _TEXT,
            b"gRPC needs HTTP/2 (its status travels in trailers); "
            b"connect with HTTP/2, h2c prior knowledge for plain text",
        )
        return
    call = _Call(pipeline, request, responder)
    timeout = parse_timeout(request.headers.get("grpc-timeout"))
    try:
        if timeout is None:
            await call.run()
        else:
            await call.within(timeout)
    except ClientGone:
        return  # the client cancelled the call
    except TimeoutError as exc:
        if not call.ran_out:
            _failed(pipeline, request, call, exc)
        else:
            call.finish(Status.DEADLINE_EXCEEDED, f"deadline exceeded (the client's grpc-timeout, {timeout:g} s)")
    except GRPCError as exc:
        call.finish(exc.code, exc.message)
    except HTTPError as exc:
        detail = exc.detail if exc.detail and exc.detail != exc.reason else ""
        call.finish(status_of_http(exc.status), f"{exc.status} {exc.reason}" + (f": {detail}" if detail else ""))
    except Exception as exc:
        _failed(pipeline, request, call, exc)
    else:
        call.finish(Status.OK, "")


def _failed(pipeline: Any, request: Any, call: "_Call", exc: Exception) -> None:
    pipeline.app.logger.error("gRPC call %s failed", request.path, exc_info=exc)
    call.finish(Status.INTERNAL, f"{type(exc).__name__}: {exc}")


class _Call:
    __slots__ = ("pipeline", "request", "responder", "method", "ended", "ran_out")

    def __init__(self, pipeline: Any, request: Any, responder: Any) -> None:
        self.pipeline = pipeline
        self.request = request
        self.responder = responder
        self.method: Method | None = None
        self.ended = False
        #: True once the client's deadline passed (a TimeoutError the route raised is its own failure)
        self.ran_out = False

    async def within(self, timeout: float) -> None:
        """``run`` under the client's deadline, cancelled when it passes (a Task
        of its own: the engine may step this coroutine without one, and
        ``asyncio.timeout`` needs one)."""
        task = asyncio.ensure_future(self.run())
        try:
            done, _ = await asyncio.wait([task], timeout=timeout)
        except asyncio.CancelledError:
            task.cancel()
            raise
        if done:
            task.result()
            return
        self.ran_out = True
        task.cancel()
        await asyncio.wait([task])
        raise TimeoutError

    async def run(self) -> None:
        app = self.pipeline.app
        request = self.request
        service = request.script_name.strip("/")
        name = request.path_info.strip("/")
        match = app.router.match(request.path_info, "POST", None)
        if match.status != 200:
            raise GRPCError(Status.UNIMPLEMENTED, f"method /{service}/{name} is not implemented")
        method = self.method = method_for(match.rule, service, name)
        limit = int(app.config.get("GRPC_MAX_MESSAGE_SIZE") or MAX_MESSAGE_SIZE)
        deframer = Deframer(limit, request.headers.get("grpc-encoding"), _SETTING)
        messages = Messages(request.body, deframer, method, asyncio.get_running_loop())
        argument = messages if method.client_streaming else await messages.single()
        result = await self.invoke(match, method, argument)
        streaming = method.server_streaming
        if streaming is None:
            streaming = _is_stream(result)
        if not streaming:
            await self.send(result)
            return
        if hasattr(result, "__aiter__"):
            try:
                async for item in result:
                    await self.send(item)
            finally:
                aclose = getattr(result, "aclose", None)
                if aclose is not None:
                    await aclose()
            return
        iterator = iter(result)
        try:
            while True:
                item = await app.run_in_thread(next, iterator, _DONE)
                if item is _DONE:
                    return
                await self.send(item)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    async def invoke(self, match: Any, method: Method, argument: Any) -> Any:
        pipeline = self.pipeline
        app = pipeline.app
        rule = match.rule
        params = dict(match.kwargs)
        if method.param is not None:
            params[method.param] = argument
        context = Context(app, self.request, rule, params)
        endpoint = pipeline.endpoint(rule)
        func = endpoint.func
        if endpoint.simple:
            # PERF: no hooks: call the handler as the request's only step
            if endpoint.is_async:
                return await func(context, **params)
            if inspect.isasyncgenfunction(func):
                return func(context, **params)
            return await app.run_in_thread(functools.partial(func, context, **params))
        # NOTE: the pipeline's own drivers, so hooks run exactly as for a request
        if endpoint.is_async:
            return await pipeline._run_async(context, endpoint)
        return await app.run_in_thread(pipeline._run_sync, context, endpoint)

    async def send(self, message: Any) -> None:
        method = self.method
        assert method is not None
        kind = method.response_type
        if not hasattr(message, "SerializeToString"):
            if kind is not None and isinstance(message, dict):
                message = kind(**message)
            elif kind is not None and message is None:
                message = kind()
            else:
                expected = kind.__name__ if kind is not None else "protobuf message"
                raise GRPCError(
                    Status.INTERNAL, f"{method.name} answered {type(message).__name__} where a {expected} was expected"
                )
        responder = self.responder
        if not responder.started:
            responder.start(200, _HEAD)
        await responder.write(frame(message.SerializeToString()))

    def finish(self, code: Status, message: str) -> None:
        responder = self.responder
        if self.ended or responder.closed:
            return
        self.ended = True
        trailers = [("grpc-status", str(int(code)))]
        if message:
            trailers.append(("grpc-message", quote_message(message)))
        if not responder.started:
            responder.start(200, _HEAD)
        responder.end(trailers)


def _is_stream(result: Any) -> bool:
    return hasattr(result, "__aiter__") or inspect.isgenerator(result) or isinstance(result, (list, tuple))
