"""Run an Atila app on any ASGI 3 server (uvicorn, hypercorn, daphne...).

The adapter translates the other way round from ``skitai.mounts.asgi``: an ASGI
``scope``/``receive``/``send`` becomes the engine contract (a ``Request`` whose
``StreamBody`` is fed from ``receive``, and a ``Responder`` that calls ``send``),
so the very same ``handle`` serves the request as under Skitai.  Lifespan
startup runs the app's ``startup(engine)`` with an engine whose ``run_in_thread``
is ``loop.run_in_executor`` on a private pool; lifespan shutdown runs
``shutdown``.  Servers that do not send lifespan events get the startup on the
first request.

Example::

    # main.py
    from atila import Atila
    app = Atila(__name__)
    ...
    # uvicorn main:app            (the app object is itself an ASGI app)
    # uvicorn main:app.asgi       (the same, spelled out)

Only ``http`` scopes are served; WebSocket routes need Skitai's engine, so a
``websocket`` scope is refused with a close (HTTP 403 on the handshake).
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from typing import Any, Awaitable, Callable

from skitai.body import EMPTY_BODY, FlowControl, StreamBody
from skitai.contract import NOT_FOUND, HeaderList, Headers, Mount, Request
from skitai.errors import ClientGone, HTTPError

from .local_engine import LocalEngine

__all__ = ["ASGIAdapter", "ASGIResponder"]

log = logging.getLogger("atila.asgi")

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_TEXT = [("content-type", "text/plain; charset=utf-8")]
_FILE_CHUNK = 256 * 1024


class _ReceivePump(FlowControl):
    """Feeds a request's ``StreamBody`` from ASGI ``receive``, on first read only,
    pausing while the app has not consumed what is buffered (back-pressure)."""

    def __init__(self, receive: Receive, responder: "ASGIResponder") -> None:
        self.receive = receive
        self.responder = responder
        self.body: StreamBody | None = None
        self.resumed = asyncio.Event()
        self.resumed.set()
        self.task: asyncio.Task[None] | None = None

    def pause_reading(self) -> None:
        self.resumed.clear()

    def resume_reading(self) -> None:
        self.resumed.set()

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self.run())

    async def run(self) -> None:
        body = self.body
        assert body is not None
        while True:
            await self.resumed.wait()
            message = await self.receive()
            kind = message.get("type")
            if kind == "http.disconnect":
                self.responder.closed = True
                body.fail(ClientGone("client disconnected while sending the body"))
                return
            if kind != "http.request":
                continue
            chunk = message.get("body", b"")
            if chunk:
                body.feed(chunk)
            if not message.get("more_body", False):
                body.feed_eof()
                return

    def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()


class ASGIResponder:
    """A ``Responder`` writing through ASGI ``send``.

    ``respond``/``start``/``end`` are synchronous in the contract while ``send``
    is a coroutine, so their messages are queued and flushed in order by a task
    (PERF: one task per response, only when the sync methods are used).
    """

    def __init__(self, send: Send) -> None:
        self._send = send
        self._pending: list[Message] = []
        self._lock = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None
        self.closed = False
        self.started = False
        self.ended = False

    # -- contract --------------------------------------------------------------
    def respond(self, status: int, headers: HeaderList, body: bytes = b"") -> None:
        self._start(status, headers)
        self._queue({"type": "http.response.body", "body": bytes(body), "more_body": False})
        self.ended = True

    def start(self, status: int, headers: HeaderList) -> None:
        self._start(status, headers)

    async def write(self, data: bytes) -> None:
        if not self.started:
            raise RuntimeError("write before start")
        if self.ended:
            raise RuntimeError("write after the response ended")
        await self._send_in_order({"type": "http.response.body", "body": bytes(data), "more_body": True})

    async def sendfile(self, file: Any, offset: int, count: int) -> None:
        loop = asyncio.get_running_loop()
        file.seek(offset)
        while count > 0:
            chunk = await loop.run_in_executor(None, file.read, min(count, _FILE_CHUNK))
            if not chunk:
                break
            count -= len(chunk)
            await self.write(chunk)

    def end(self) -> None:
        if self.ended:
            return
        self._queue({"type": "http.response.body", "body": b"", "more_body": False})
        self.ended = True

    def upgrade(self, protocol_factory: Callable[[Any, bytes], Any]) -> None:
        raise HTTPError(501, "HTTP upgrades are not available under an ASGI server", close=False)

    # -- internals -------------------------------------------------------------
    def _start(self, status: int, headers: HeaderList) -> None:
        if self.started:
            raise RuntimeError("response already started")
        self.started = True
        raw = [(name.lower().encode("latin-1"), str(value).encode("latin-1")) for name, value in headers]
        self._queue({"type": "http.response.start", "status": int(status), "headers": raw})

    def _queue(self, message: Message) -> None:
        self._pending.append(message)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self.flush())

    async def _send_in_order(self, message: Message) -> None:
        async with self._lock:
            await self._drain()
            await self._deliver(message)

    async def flush(self) -> None:
        async with self._lock:
            await self._drain()

    async def _drain(self) -> None:
        while self._pending:
            await self._deliver(self._pending.pop(0))

    async def _deliver(self, message: Message) -> None:
        if self.closed:
            raise ClientGone("client has gone")
        try:
            await self._send(message)
        except OSError as exc:
            self.closed = True
            raise ClientGone(str(exc)) from exc


class ASGIAdapter:
    """``adapter(scope, receive, send)`` serves ``mount`` (an Atila app) over ASGI."""

    def __init__(self, mount: Mount, *, threads: int = 4, debug: bool | None = None) -> None:
        self.mount = mount
        self.threads = threads
        self.debug = bool(getattr(mount, "debug", False)) if debug is None else debug
        self.engine: LocalEngine | None = None
        self._start_lock: asyncio.Lock | None = None

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self.serve_http(scope, receive, send)
        elif kind == "lifespan":
            await self.serve_lifespan(receive, send)
        elif kind == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
        else:
            raise ValueError(f"unsupported ASGI scope type {kind!r}")

    # -- lifespan --------------------------------------------------------------
    async def startup(self) -> None:
        if self.engine is not None:
            return
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            if self.engine is None:
                engine = LocalEngine(
                    asyncio.get_running_loop(),
                    self.threads,
                    [self.mount],
                    self.debug,
                    thread_name_prefix="atila-asgi",
                    log=log,
                )
                await self.mount.startup(engine)
                self.engine = engine

    async def shutdown(self) -> None:
        engine, self.engine = self.engine, None
        if engine is None:
            return
        try:
            await self.mount.shutdown()
        finally:
            engine.executor.shutdown(wait=False, cancel_futures=True)

    async def serve_lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            kind = message["type"]
            if kind == "lifespan.startup":
                try:
                    await self.startup()
                except Exception:
                    log.exception("startup of %r failed", self.mount)
                    await send({"type": "lifespan.startup.failed", "message": traceback.format_exc()})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif kind == "lifespan.shutdown":
                try:
                    await self.shutdown()
                except Exception:
                    log.exception("shutdown of %r failed", self.mount)
                    await send({"type": "lifespan.shutdown.failed", "message": traceback.format_exc()})
                    return
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- http ------------------------------------------------------------------
    async def serve_http(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        await self.startup()
        responder = ASGIResponder(send)
        pump = _ReceivePump(receive, responder)
        try:
            request = self.make_request(scope, pump)
        except HTTPError as exc:
            responder.respond(exc.status, _TEXT, exc.detail.encode("utf-8", "replace"))
            await responder.flush()
            return
        try:
            result = self.mount.handle(request, responder)
            if result is NOT_FOUND:
                responder.respond(404, _TEXT, b"Not Found")
            elif result is not None:
                await result
        except ClientGone:
            return
        except Exception as exc:
            if responder.started and not responder.ended:
                # NOTE: the head is out; raising makes the ASGI server cut the
                # connection, so the client sees a truncated body, not a whole one.
                raise
            if isinstance(exc, HTTPError):
                if not responder.started:
                    responder.respond(exc.status, _TEXT, exc.detail.encode("utf-8", "replace"))
            else:
                log.error("error answering %s %s", request.method, request.path, exc_info=True)
                if not responder.started:
                    body = b"Internal Server Error"
                    if self.debug:
                        body += b"\n\n" + "".join(traceback.format_exception(exc)).encode("utf-8", "replace")
                    responder.respond(500, _TEXT, body)
        finally:
            pump.stop()
        if not responder.started:
            log.error("%r returned without answering %s %s", self.mount, request.method, request.path)
            responder.respond(500, _TEXT, b"Internal Server Error")
        elif not responder.ended:
            log.error("%r left a streamed response unfinished", self.mount)
            responder.end()
        try:
            await responder.flush()
        except ClientGone:
            return

    def make_request(self, scope: dict[str, Any], pump: _ReceivePump) -> Request:
        """The engine's ``Request`` for an ASGI http scope.

        Raises:
            HTTPError: 400 for a Content-Length that is not a number, 404 for a
                path outside the app's prefix.
        """
        headers = Headers([(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope.get("headers", ())])
        length_text = headers.get("content-length")
        length: int | None = None
        if length_text is not None:
            if not length_text.strip().isdigit():
                raise HTTPError(400, f"invalid Content-Length {length_text!r}")
            length = int(length_text)
        if length == 0 or (length is None and "transfer-encoding" not in headers and scope.get("http_version") != "2"):
            body: Any = EMPTY_BODY
        else:
            body = StreamBody(asyncio.get_running_loop(), length, flow=pump, on_first_read=pump.start)
            pump.body = body
        path = scope["path"]
        root_path = scope.get("root_path", "") or ""
        raw_path = scope.get("raw_path") or path.encode("utf-8", "surrogateescape")
        client = scope.get("client")
        server = scope.get("server")
        request = Request(
            scope.get("method", "GET"),
            raw_path,
            path,
            scope.get("query_string", b"").decode("latin-1"),
            scope.get("http_version", "1.1"),
            headers,
            scope.get("scheme", "http"),
            tuple(client) if client else None,
            tuple(server) if server and server[1] is not None else None,
            body,
        )
        # NOTE: ASGI's path includes root_path (spec 2.x); older servers sent it
        # without, so strip only when present.  The app's own prefix comes after.
        root = root_path.rstrip("/")
        if not (root and (path == root or path.startswith(root + "/"))):
            root = ""
        prefix = root + (getattr(self.mount, "prefix", "") or "")
        if prefix and not (path == prefix or path.startswith(prefix + "/")):
            raise HTTPError(404, "Not Found", close=False)
        request.script_name, request.path_info = prefix, path[len(prefix) :]
        request.mount = self.mount
        return request
