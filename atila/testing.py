"""In-process test client: ``app.test_client("/", approot=".")``.

The app is mounted exactly as ``skitai.mount`` would mount it (same loader, same
mount table, static folders included) and requests are handed to its ``handle``
in memory, without sockets or a server process.  A private event loop runs in a
background thread and ``def`` handlers go to a real thread pool, so handlers see
the same concurrency shape as in a worker.

The client is :class:`skitai.testing.client.TestClient` with an in-memory
transport: same ``get/post/...`` keywords, same response objects, same
``.api()`` stub, and cookies kept between requests::

    with app.test_client("/", approot=".") as cli:
        assert "something" in cli.get("/").text
        assert cli.api().apis.pets(45).get().json()["id"] == 45
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from typing import Any, Awaitable, Iterator, TypeVar

import httpx

from skitai.contract import NOT_FOUND, Mount
from skitai.mounts.loader import load_mount
from skitai.mounts.table import MountTable
from skitai.testing.client import TestClient
from skitai.testing.memory import MemoryResponder, make_request

from .local_engine import LocalEngine

__all__ = ["AppTestClient", "AppDriver", "route_info", "TEST_HOST"]

TEST_HOST = "testserver"
#: seconds one in-memory request (or the app's startup/shutdown) may take
REQUEST_TIMEOUT = 30.0

log = logging.getLogger("atila.testing")
_R = TypeVar("_R", bound=MemoryResponder)


class AppDriver:
    """Mounts ``target`` on ``point`` and runs requests through it in memory."""

    def __init__(
        self,
        target: Any,
        point: str = "/",
        approot: str | None = None,
        *,
        pref: Any = None,
        name: str | None = None,
        threads: int = 4,
        debug: bool = True,
        **options: Any,
    ) -> None:
        self.target = target
        self.point = point
        self.approot = approot
        self.pref = pref
        self.name = name
        self.threads = threads
        self.debug = debug
        self.options = options
        self.loop: asyncio.AbstractEventLoop | None = None
        self.engine: LocalEngine | None = None
        self.table: MountTable | None = None
        self._thread: threading.Thread | None = None

    @property
    def started(self) -> bool:
        return self.loop is not None

    def start(self) -> None:
        """Load the mounts, start the loop thread and run every mount's startup."""
        if self.started:
            return
        mounts = load_mount(self.point, self.target, self.pref, self.name, base_dir=self.approot, **self.options)
        loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=loop.run_forever, name="atila-test-loop", daemon=True)
        self._thread.start()
        self.loop = loop
        self.table = MountTable(mounts)
        self.engine = LocalEngine(loop, self.threads, mounts, self.debug, thread_name_prefix="atila-test", log=log)
        loop.call_soon_threadsafe(loop.set_default_executor, self.engine.executor)
        try:
            for mount in mounts:
                self._run(mount.startup(self.engine))
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Run every mount's shutdown, cancel what still runs (websocket
        handlers, piped processes), then stop the loop and the thread pool."""
        loop, engine, self.loop = self.loop, self.engine, None
        if loop is None:
            return
        try:
            for mount in reversed(engine.mounts if engine else []):
                try:
                    asyncio.run_coroutine_threadsafe(mount.shutdown(), loop).result(REQUEST_TIMEOUT)
                except Exception:
                    log.exception("shutdown of mount %r failed", mount)
            asyncio.run_coroutine_threadsafe(_cancel_the_rest(), loop).result(REQUEST_TIMEOUT)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(REQUEST_TIMEOUT)
            loop.close()
            if engine is not None:
                engine.executor.shutdown(wait=True, cancel_futures=True)

    def _run(self, awaitable: Awaitable[Any]) -> Any:
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(_awaited(awaitable), self.loop).result(REQUEST_TIMEOUT)

    def call(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[MemoryResponder, Mount | None]:
        """One request through the mount table, as the engine dispatches it.

        Returns the recorded answer and the mount that gave it (None: nothing did).
        """
        self.start()
        assert self.table is not None
        request = make_request(method, target, headers, body)
        answer: tuple[MemoryResponder, Mount | None] = self._run(self._dispatch(request))
        return answer

    def websocket(self, target: str, headers: list[tuple[str, str]], subprotocols: list[str] | None = None) -> Any:
        """The handshake through the mount table, then a :class:`MemoryWebSocket`."""
        from websockets.client import ClientProtocol
        from websockets.extensions.permessage_deflate import enable_client_permessage_deflate
        from websockets.typing import Subprotocol
        from websockets.uri import parse_uri

        from skitai.testing.websocket import MemoryWebSocket

        self.start()
        assert self.loop is not None
        client = ClientProtocol(
            parse_uri(f"ws://{TEST_HOST}{target}"),
            extensions=enable_client_permessage_deflate(None),
            subprotocols=[Subprotocol(name) for name in subprotocols] if subprotocols else None,
        )
        handshake = client.connect()
        client.send_request(handshake)
        client.data_to_send()  # the request goes through the mount instead
        fields = [(name, value) for name, value in handshake.headers.raw_items()] + headers
        request = make_request("GET", target, fields, b"")
        responder = self._run(self._dispatch_upgrade(request))
        return MemoryWebSocket.connect(
            self.loop, client, responder.status or 500, responder.headers, responder.body, responder.upgraded
        )

    async def _dispatch_upgrade(self, request: Any) -> MemoryResponder:
        """Like :meth:`_dispatch`, but returns once the head is out: a mount
        serving a WebSocket (an ASGI app) keeps running for the connection."""
        for mount in self._routed(request):
            responder = _StartedResponder()
            result = mount.handle(request, responder)
            if result is NOT_FOUND:
                continue
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                await asyncio.wait([task, responder.head_sent], return_when=asyncio.FIRST_COMPLETED)
                if task.done() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
            return responder
        return _not_found(_StartedResponder())

    def _routed(self, request: Any) -> Iterator[Mount]:
        """Each mount the table offers for the path, in order, with the request's
        ``script_name``/``path_info``/``mount`` set for it (as the engine does)."""
        assert self.table is not None
        path = request.path
        for mount in self.table.match(path):
            request.script_name = mount.prefix
            request.path_info = path[len(mount.prefix) :]
            request.mount = mount
            yield mount

    async def _dispatch(self, request: Any) -> tuple[MemoryResponder, Mount | None]:
        path = request.path
        for mount in self._routed(request):
            responder = MemoryResponder()
            try:
                result = mount.handle(request, responder)
                if result is NOT_FOUND:
                    continue
                if inspect.isawaitable(result):
                    await result
            except Exception:
                if not responder.started or responder.ended:
                    raise
                # NOTE: as the engine does, a stream failing after its head is cut
                # (the transport reports the incomplete body to the client).
                log.exception("error answering %s %s", request.method, path)
                responder.closed = True
            if not responder.started:
                raise RuntimeError(f"{mount!r} returned without answering {request.method} {path}")
            return responder, mount
        return _not_found(MemoryResponder()), None


def _not_found(responder: _R) -> _R:
    """The engine's answer when no mount takes the path."""
    responder.respond(404, [("content-type", "text/plain; charset=utf-8")], b"Not Found")
    return responder


async def _cancel_the_rest() -> None:
    """What ``asyncio.run`` does at its end: cancel the other tasks and let them finish."""
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class _StartedResponder(MemoryResponder):
    """A MemoryResponder that tells when its head went out."""

    def __init__(self) -> None:
        super().__init__()
        self.head_sent: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def start(self, status: int, headers: list[tuple[str, str]]) -> None:
        super().start(status, headers)
        if not self.head_sent.done():
            self.head_sent.set_result(None)


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def route_info(mount: Any, method: str, path_info: str, content_type: str | None) -> dict[str, Any] | None:
    """Which route of an Atila mount answers ``path_info``: name, template, URL params.

    Used by ``pytest --docs``; None for mounts without a router (static, WSGI...).
    """
    router = getattr(mount, "router", None)
    match = getattr(router, "match", None)
    if match is None:
        return None
    # NOTE: the request was just answered through this router, so an error here
    # is a bug of the router and must reach the test, not vanish.
    found = match(path_info, method, content_type)
    rule = getattr(found, "rule", None)
    if rule is None:
        return None
    prefix = getattr(mount, "prefix", "") or ""
    return {
        "name": getattr(rule, "name", ""),
        "path": prefix + getattr(rule, "path", path_info),
        "params": list(getattr(rule, "converters", {}) or {}),
    }


class AppTransport(httpx.BaseTransport):
    """httpx transport that answers from an :class:`AppDriver` instead of a socket."""

    def __init__(self, driver: AppDriver) -> None:
        self.driver = driver

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        target = request.url.raw_path.decode("ascii")
        headers = [(key.decode("latin-1"), value.decode("latin-1")) for key, value in request.headers.raw]
        responder, mount = self.driver.call(request.method, target, headers, body)
        if responder.closed and not responder.ended:
            # what httpx raises when a server closes before the body is complete
            raise httpx.RemoteProtocolError(
                f"peer closed connection without sending complete message body ({len(responder.body)} bytes received)",
                request=request,
            )
        extensions: dict[str, Any] = {}
        if mount is not None:
            path = target.split("?", 1)[0]
            info = route_info(mount, request.method, path[len(mount.prefix) :], request.headers.get("content-type"))
            if info is not None:
                extensions["atila_route"] = info
        return httpx.Response(
            responder.status or 500,
            headers=responder.headers,
            content=b"" if request.method == "HEAD" else responder.body,
            request=request,
            extensions=extensions,
        )

    def close(self) -> None:
        self.driver.stop()


class AppTestClient(TestClient):
    """A :class:`TestClient` whose server is the app itself, in this process.

    ``target`` is anything ``skitai.mount`` accepts (an Atila app, a module with
    ``__app__``, a WSGI/ASGI callable); ``point`` is the mount path and
    ``approot`` the folder relative paths resolve against.
    """

    __test__ = False

    def __init__(
        self,
        target: Any,
        point: str = "/",
        approot: str | None = ".",
        *,
        pref: Any = None,
        name: str | None = None,
        threads: int = 4,
        debug: bool = True,
        timeout: float = REQUEST_TIMEOUT,
        **options: Any,
    ) -> None:
        # NOTE: TestClient.__init__ launches a process; this client has none, so it
        # sets up only what the request and stop paths of TestClient use.
        self.script = None
        self.process = None
        self._output = None
        self.address = TEST_HOST
        self.port = 80
        self.base_url = f"http://{TEST_HOST}"
        self.driver = AppDriver(target, point, approot, pref=pref, name=name, threads=threads, debug=debug, **options)
        self.http = httpx.Client(base_url=self.base_url, transport=AppTransport(self.driver), timeout=timeout)

    @property
    def app(self) -> Any:
        """The mounted Atila app (what ``__app__`` made), or ``target`` before start."""
        engine = self.driver.engine
        for mount in engine.mounts if engine is not None else ():
            if hasattr(mount, "router") and hasattr(mount, "events"):
                return mount
        return self.target

    @property
    def target(self) -> Any:
        return self.driver.target

    def __enter__(self) -> "AppTestClient":
        self.driver.start()
        return self

    def _open_websocket(self, path: str, fields: list[tuple[str, str]], subprotocols: list[str] | None) -> Any:
        """In memory: the handshake through the mount, no socket."""
        return self.driver.websocket(path, fields, subprotocols)

    def stop(self) -> None:
        """Shut the app down (its ``shutdown`` hooks run) and close the client."""
        self.http.close()
        self.driver.stop()
