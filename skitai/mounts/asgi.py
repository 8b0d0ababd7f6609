"""ASGI 3 apps (Starlette, FastAPI, Django's ASGIHandler, raw apps): http and lifespan
(``websocket`` scopes: :mod:`.asgi_websocket`).

PERF: this path is compared with uvicorn running the same app, so a request costs
one scope dict, two small bound objects (``receive`` and ``send``) and no queue,
task or event.  A response sent as one ``http.response.body`` goes out with a
single ``responder.respond`` call; only ``more_body`` streams.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any, cast

from ..contract import Engine, HeaderList, Request, Responder
from ..errors import ClientGone, HTTPError
from .base import AppMount, answer_error, error_response

__all__ = ["ASGIMount"]

log = logging.getLogger(__name__)

Message = dict[str, Any]
ASGIApp = Callable[
    [dict[str, Any], Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]

ASGI_VERSION = {"version": "3.0", "spec_version": "2.4"}
EXTENSIONS: dict[str, dict[str, Any]] = {"http.response.pathsend": {}, "http.response.zerocopysend": {}}
#: over HTTP/2 also response trailers (gRPC-style) and server push
H2_EXTENSIONS: dict[str, dict[str, Any]] = {**EXTENSIONS, "http.response.trailers": {}, "http.response.push": {}}


def connection_scope(request: Request, kind: str, scheme: str) -> dict[str, Any]:
    """The scope keys an ``http`` and a ``websocket`` connection share, built once
    so both mounts describe a request the same way; each adds its own keys."""
    return {
        "type": kind,
        "asgi": ASGI_VERSION,
        "http_version": request.version,
        "scheme": scheme,
        "path": request.path,
        "raw_path": request.raw_path,
        "query_string": request.query.encode("latin-1"),
        "root_path": request.script_name,
        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in request.headers.raw],
        "client": request.client,
        "server": request.server,
    }


READ_CHUNK = 64 * 1024
#: how often a ``receive`` waiting for a disconnect re-checks ``responder.closed``
#: when the responder cannot notify us (its contract has no closed-waiter)
DISCONNECT_POLL = 0.5

DISCONNECT: Message = {"type": "http.disconnect"}


class Receive:
    """The ``receive`` callable of one request: body chunks, then ``http.disconnect``."""

    __slots__ = ("body", "pending", "remaining", "send")

    def __init__(self, request: Request, send: Send) -> None:
        self.body = request.body
        self.remaining = request.body.length  # None for a chunked body
        self.pending = True  # an http.request message is still due
        self.send = send

    async def __call__(self) -> Message:
        if self.pending:
            if self.remaining == 0:
                self.pending = False
                return {"type": "http.request", "body": b"", "more_body": False}
            try:
                chunk = await self.body.read(READ_CHUNK)
            except ClientGone:
                self.pending = False
                return DISCONNECT
            except HTTPError as exc:
                self.send.refused = exc
                raise
            if self.remaining is None:
                more = bool(chunk)
            else:
                self.remaining -= len(chunk)
                more = self.remaining > 0 and bool(chunk)
            self.pending = more
            return {"type": "http.request", "body": chunk, "more_body": more}
        await self.send.wait_finished()
        return DISCONNECT


class Send:
    """The ``send`` callable of one request; talks to the responder directly."""

    __slots__ = (
        "finished",
        "headers",
        "refused",
        "responder",
        "status",
        "streaming",
        "waiter",
        "h2",
        "trailers",
        "awaiting_trailers",
    )

    def __init__(self, responder: Responder, h2: bool = False) -> None:
        self.responder = responder
        #: HTTP/2: ``http.response.trailers`` and ``http.response.push`` are honoured
        self.h2 = h2
        #: the app announced trailers (``trailers: True`` on the start)
        self.trailers = False
        self.awaiting_trailers: HeaderList | None = None
        #: the engine's refusal of the request body (413, 408, 400), if any
        self.refused: HTTPError | None = None
        self.status = 0
        self.headers: HeaderList = []
        self.streaming = False
        self.finished = False
        self.waiter: asyncio.Future[None] | None = None

    async def __call__(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.trailers":
            await self.trailer_fields(message)
            return
        if kind == "http.response.push":
            self.push(message)
            return
        if self.finished:
            if self.responder.closed:
                raise ClientGone("client closed the connection")
            raise RuntimeError(f"ASGI message {kind!r} after the response was complete")
        if kind == "http.response.body":
            await self.body(message)
        elif kind == "http.response.start":
            if self.status:
                raise RuntimeError("ASGI http.response.start sent twice")
            self.status = int(message["status"])
            self.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", ())]
            self.trailers = self.h2 and bool(message.get("trailers", False))
        elif kind == "http.response.pathsend":
            # NOTE: opening a local file does not block long enough to need a thread.
            with open(message["path"], "rb") as file:
                await self.sendfile(file, 0, None, False)
        elif kind == "http.response.zerocopysend":
            await self.sendfile(
                message["file"], message.get("offset"), message.get("count"), message.get("more_body", False)
            )
        else:
            raise RuntimeError(f"unexpected ASGI message type {kind!r} in an http scope")

    def start_streaming(self) -> None:
        if not self.streaming:
            self.streaming = True
            self.responder.start(self.status, self.headers)

    async def body(self, message: Message) -> None:
        if not self.status:
            raise RuntimeError("ASGI http.response.body sent before http.response.start")
        data = message.get("body", b"")
        responder = self.responder
        if message.get("more_body", False):
            self.start_streaming()
            if data:
                await responder.write(data)
            return
        if self.trailers:
            # the body is complete; the end waits for http.response.trailers
            self.start_streaming()
            if data:
                await responder.write(data)
            self.awaiting_trailers = []
            return
        if self.streaming:
            if data:
                await responder.write(data)
            responder.end()
        elif self.refused is not None and self.status == 500:
            # NOTE: frameworks turn any exception, our 413 included, into a 500;
            # the client's fault must not look like the server's.
            responder.respond(*error_response(self.refused))
        else:
            responder.respond(self.status, self.headers, data)
        self.finish()

    async def trailer_fields(self, message: Message) -> None:
        """ASGI ``http.response.trailers``: over HTTP/1.1 (no trailers there)
        they are dropped, the body's end already finished the response."""
        collected = self.awaiting_trailers
        if collected is None:
            if self.trailers and not self.finished:
                raise RuntimeError("ASGI http.response.trailers before the last http.response.body")
            return
        collected.extend((k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", ()))
        if not message.get("more_trailers", False):
            self.awaiting_trailers = None
            end = cast(Any, self.responder).end
            end(collected)
            self.finish()

    def push(self, message: Message) -> None:
        """ASGI ``http.response.push``: HTTP/2 server push of ``path``; a no-op
        where pushing is not possible (HTTP/1.1, the client refuses pushes)."""
        push = getattr(self.responder, "push", None)
        if not self.h2 or push is None:
            return
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", ())]
        push(str(message["path"]), headers)

    async def sendfile(self, file: Any, offset: int | None, count: int | None, more: bool) -> None:
        if not self.status:
            raise RuntimeError("ASGI file send before http.response.start")
        if offset is None:
            offset = file.tell()
        if count is None:
            count = max(os.fstat(file.fileno()).st_size - offset, 0)
        self.start_streaming()
        await self.responder.sendfile(file, offset, count)
        if not more:
            self.responder.end()
            self.finish()

    def finish(self) -> None:
        self.finished = True
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait_finished(self) -> None:
        """Block until the response is complete or the client has gone."""
        loop = asyncio.get_running_loop()
        while not self.finished and not self.responder.closed:
            self.waiter = loop.create_future()
            try:
                await asyncio.wait_for(asyncio.shield(self.waiter), DISCONNECT_POLL)
            except TimeoutError:
                pass


class Lifespan:
    """Runs the ASGI lifespan protocol for one app, once per worker.

    Like uvicorn's ``lifespan="auto"``: an app that raises before it has read
    the first lifespan message does not support lifespan (most often "unsupported
    scope type") and is served without one, which is logged at info with the
    traceback.  An app that took part and then crashed has a broken lifespan:
    that goes to the engine's error log with the traceback.
    """

    def __init__(self, app: ASGIApp, state: dict[str, Any], engine: Engine | None = None) -> None:
        self.app = app
        self.state = state
        self.engine = engine
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.replies: asyncio.Queue[Message] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None
        self.supported = True
        #: True once the app has asked for a lifespan message
        self.joined = False

    async def receive(self) -> Message:
        self.joined = True
        return await self.inbox.get()

    async def run(self) -> None:
        scope = {"type": "lifespan", "asgi": ASGI_VERSION, "state": self.state}
        try:
            await self.app(scope, self.receive, self.replies.put)
        except Exception as exc:  # any failure ends the lifespan; how loudly depends on when
            if not self.joined:
                log.info(
                    "ASGI app %r does not support the lifespan protocol; serving it without"
                    " startup and shutdown events",
                    self.app,
                    exc_info=exc,
                )
            elif self.engine is not None:
                self.engine.log_error(f"ASGI lifespan of {self.app!r} crashed", exc_info=exc)
            else:
                log.error("ASGI lifespan of %r crashed", self.app, exc_info=exc)
        finally:
            self.supported = False
            self.replies.put_nowait({"type": "lifespan.unsupported"})

    async def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self.run())
        await self.exchange("lifespan.startup")

    async def stop(self) -> None:
        if self.task is None:
            return
        try:
            if self.supported and not self.task.done():
                await self.exchange("lifespan.shutdown")
        finally:
            if not self.task.done():
                self.task.cancel()
            self.task = None

    async def exchange(self, event: str) -> None:
        await self.inbox.put({"type": event})
        reply = await self.replies.get()
        if reply["type"] == event + ".failed":
            raise RuntimeError(f"ASGI {event} failed: {reply.get('message', '')}")


class ASGIMount(AppMount):
    """An ASGI 3 application mounted on a URL prefix.

    Example:
        >>> from starlette.applications import Starlette
        >>> mount = ASGIMount("/api", Starlette())
    """

    def __init__(self, prefix: str, app: ASGIApp, name: str | None = None, body_limit: int | None = None) -> None:
        super().__init__(prefix, app, name, body_limit)
        #: lifespan state, copied shallowly into every request scope (ASGI spec)
        self.state: dict[str, Any] = {}
        self._lifespan: Lifespan | None = None

    def handle(self, request: Request, responder: Responder) -> Any:
        if request.method == "GET" and request.headers.get("upgrade") is not None:
            # WebSocket: ASGI websocket scopes over the engine's session (asgi_websocket.py)
            from .asgi_websocket import serve_websocket

            return serve_websocket(self.app, request, responder, self.state, self._engine)
        return self._serve(request, responder)

    async def _serve(self, request: Request, responder: Responder) -> None:
        scope = connection_scope(request, "http", request.scheme)
        scope["method"] = request.method
        scope["state"] = self.state.copy()
        scope["extensions"] = H2_EXTENSIONS if request.version == "2" else EXTENSIONS
        send = Send(responder, request.version == "2")
        try:
            await self.app(scope, Receive(request, send), send)
        except ClientGone:
            return
        except Exception as exc:
            if responder.started:
                raise  # the engine closes the connection: the response is cut short
            answer_error(
                responder, exc, self._engine, f"ASGI app {self.app!r} failed on {request.method} {request.path!r}"
            )
            return
        if not responder.started:
            # The app returned without answering: ASGI servers answer 500.
            answer_error(
                responder,
                RuntimeError("ASGI app returned without sending a response"),
                self._engine,
                f"ASGI app {self.app!r} did not answer {request.path!r}",
            )
        elif not send.finished and not responder.closed:
            responder.end()

    async def startup(self, engine: Engine) -> None:
        await super().startup(engine)
        self._lifespan = Lifespan(self.app, self.state, engine)
        await self._lifespan.start()

    async def shutdown(self) -> None:
        lifespan, self._lifespan = self._lifespan, None
        if lifespan is not None:
            await lifespan.stop()
