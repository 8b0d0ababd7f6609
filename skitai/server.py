"""One worker's server: accepts connections, dispatches requests to mounts,
keeps the clock, and drains on shutdown.

It is also the ``Engine`` that mounts receive at start-up (thread pool, debug
flag, error log, the other mounts).  Connections see it only through the
:class:`skitai.server_state.ServerState` it builds at start (clock, limits, logs,
match, dispatch, connection count).

Dispatch drives a mount's coroutine by hand and creates an asyncio Task only if
it actually suspends (PERF: most handlers finish without awaiting anything, and
a Task per request is the largest fixed cost of an asyncio server).
"""

from __future__ import annotations

import asyncio
import socket
import traceback
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate
from functools import partial
from typing import Any, Awaitable, Callable, Generator, cast

from .config import Config
from .contract import NOT_FOUND, HandleResult, Mount
from .errors import ClientGone, HTTPError
from .http1.cycle import Cycle
from .http1.protocol import H1Protocol
from .http2.protocol import H2Protocol
from .http2.tls import Negotiator, server_context
from .logs import Logs
from .mounts.table import MountTable
from .observability import Observer
from .server_state import Connection, ServerState
from .threads import ThreadPool
from .workerhooks import worker_started, worker_stopping

__all__ = ["Server"]

# PERF: connections accepted per readiness of the listening socket.  At 64, a
# burst of 1,024 connections under load took 16 loop iterations to accept, each
# one slowed by the requests of the connections already in, and wrk saw the
# late ones as 2 s timeouts (p99 1.5 s); accepting is cheap next to serving, so
# the whole burst is taken at once (measured: no timeouts, p99 0.65 s against
# granian + Starlette's 0.47 s on the same busy machine).
_ACCEPT_BATCH = 1024
_TEXT = [("content-type", "text/plain; charset=utf-8")]


class Server:
    #: what the connections share; built by ``start`` (it needs the running loop)
    state: ServerState
    loop: asyncio.AbstractEventLoop

    def __init__(self, config: Config, table: MountTable, logs: Logs, worker_id: int = 0) -> None:
        self.config = config
        self.table = table
        self.logs = logs
        self.worker_id = worker_id
        self.debug = config.debug
        self.workers = config.workers
        self.mounts: list[Mount] = table.mounts
        self.executor: ThreadPoolExecutor | None = None
        self.threads: ThreadPool | None = None
        self.connections: set[Connection] = set()
        self._sockets: list[socket.socket] = []
        self._accepting = False
        self._stopping = False
        self._sweeper: asyncio.TimerHandle | None = None
        # observability hook: request ids, trusted proxies, metrics (skitai/observability)
        self.observer = Observer(self)
        #: TLS (config.certfile): ALPN then picks HTTP/2 or HTTP/1.1 per connection
        self.ssl_context: Any = None

    @property
    def now(self) -> float:
        """The loop's clock at the last sweep."""
        return self.state.now

    @now.setter
    def now(self, value: float) -> None:
        self.state.now = value

    @property
    def date_header(self) -> bytes:
        return self.state.date_header

    # -- life cycle ------------------------------------------------------------
    async def start(self, sockets: list[socket.socket]) -> None:
        """Start the mounts (lifespan), then serve on already-bound sockets."""
        self.loop = asyncio.get_running_loop()
        self.state = ServerState(
            self.config.limits,
            self.loop,
            self.logs,
            self.table.match,
            self.dispatch,
            self.connection_opened,
            self.connection_closed,
            observer=self.observer,
        )
        self.threads = ThreadPool(self.loop, self.config.threads)
        # the loop's own executor (run_in_executor(None, ...), getaddrinfo) stays separate
        self.executor = ThreadPoolExecutor(self.config.threads, thread_name_prefix="skitai-executor")
        self.loop.set_default_executor(self.executor)
        if self.config.certfile:
            self.ssl_context = server_context(self.config.certfile, self.config.keyfile, self.config.passphrase)
        self._tick()
        await worker_started(self)
        for mount in self.table.mounts:
            await mount.startup(self)
        self._sockets = list(sockets)
        for sock in self._sockets:
            sock.setblocking(False)
        self._resume_accepting()

    async def shutdown(self, grace: float) -> None:
        """Stop accepting, let in-flight requests finish within ``grace`` seconds,
        close what is left, then stop the mounts."""
        self._stopping = True
        self._pause_accepting()
        self.now = self.loop.time()
        for conn in list(self.connections):
            conn.shutdown()
        deadline = self.loop.time() + grace
        while self.connections and self.loop.time() < deadline:
            await asyncio.sleep(0.05)
            # the once-a-second sweep is too coarse for the idle connections' last call
            self.now = self.loop.time()
            for conn in list(self.connections):
                conn.check_timeouts(self.now)
        for conn in list(self.connections):
            conn.abort()
        if self._sweeper is not None:
            self._sweeper.cancel()
        for mount in reversed(self.table.mounts):
            try:
                await mount.shutdown()
            except Exception:
                self.logs.error(f"shutdown of mount {mount.prefix or '/'} failed", exc_info=True)
        await worker_stopping(self)
        if self.threads is not None:
            self.threads.shutdown()
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)

    # -- accepting -------------------------------------------------------------
    def _resume_accepting(self) -> None:
        if self._accepting or self._stopping:
            return
        self._accepting = True
        for sock in self._sockets:
            self.loop.add_reader(sock.fileno(), self._accept, sock)

    def _pause_accepting(self) -> None:
        if not self._accepting:
            return
        self._accepting = False
        for sock in self._sockets:
            self.loop.remove_reader(sock.fileno())

    def _accept(self, sock: socket.socket) -> None:
        for _ in range(_ACCEPT_BATCH):
            try:
                conn, _addr = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # EMFILE and friends: back off until a close
                self.logs.error(f"accept failed: {exc}")
                self._pause_accepting()
                self.loop.call_later(0.5, self._resume_accepting)
                return
            conn.setblocking(False)
            if conn.family in (socket.AF_INET, socket.AF_INET6):
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.loop.create_task(self._connect(conn))

    async def _connect(self, conn: socket.socket) -> None:
        try:
            if self.ssl_context is None:
                await self.loop.connect_accepted_socket(partial(H1Protocol, self.state), conn)
            else:  # HTTP/2 switch point: ALPN (skitai/http2/tls.py)
                factory = partial(Negotiator, partial(H1Protocol, self.state), partial(H2Protocol, self.state))
                await self.loop.connect_accepted_socket(
                    factory, conn, ssl=self.ssl_context, ssl_handshake_timeout=self.config.limits.header_timeout
                )
        except OSError:
            conn.close()

    def connection_opened(self, conn: Connection) -> None:
        self.connections.add(conn)
        if len(self.connections) >= self.config.limits.max_connections:
            self._pause_accepting()

    def connection_closed(self, conn: Connection) -> None:
        self.connections.discard(conn)
        if not self._accepting and len(self.connections) < self.config.limits.max_connections * 0.9:
            self._resume_accepting()

    # -- clock -----------------------------------------------------------------
    def _tick(self) -> None:
        state = self.state
        state.now = self.loop.time()
        state.date_header = f"date: {formatdate(usegmt=True)}\r\nserver: {self.config.server_header}\r\n".encode(
            "latin-1"
        )
        for conn in list(self.connections):
            conn.check_timeouts(state.now)
        self._sweeper = self.loop.call_later(1.0, self._tick)

    # -- dispatch --------------------------------------------------------------
    def dispatch(self, cycle: Cycle) -> None:
        """Offer the request to each candidate mount until one does not return
        ``NOT_FOUND``; then to the candidates' ``not_found``; then a plain 404."""
        if self.observer.begin(cycle):  # observability hook: True when it answered (/metrics)
            return
        request = cycle.request
        candidates = cycle.candidates
        path = request.path
        for mount in candidates:
            prefix = mount.prefix
            request.script_name = prefix
            request.path_info = path[len(prefix) :]
            request.mount = mount
            try:
                result = mount.handle(request, cycle)
            except Exception as exc:
                self._failed(cycle, exc)
                return
            if result is NOT_FOUND:
                continue
            self._drive(cycle, result)
            return
        for prefix, not_found in candidates.not_found:
            request.script_name = prefix
            request.path_info = path[len(prefix) :]
            try:
                self._drive(cycle, not_found(request, cycle))
            except Exception as exc:
                self._failed(cycle, exc)
            return
        cycle.respond(404, _TEXT, b"Not Found")

    def _drive(self, cycle: Cycle, result: HandleResult) -> None:
        if result is None:
            self._check_answered(cycle)
            return
        send = getattr(result, "send", None)
        if send is None:
            # a Future or another awaitable (NOT_FOUND here is a mount bug: TypeError, 500)
            task = asyncio.ensure_future(cast("Awaitable[None]", result))
        else:
            try:
                first = send(None)
            except StopIteration:
                self._check_answered(cycle)
                return
            except asyncio.CancelledError:
                # NOTE: the same as a Task cancelled after its first suspension;
                # KeyboardInterrupt and SystemExit are not caught: they stop the worker.
                self._failed(cycle, ClientGone("request task cancelled"))
                return
            except Exception as exc:
                self._failed(cycle, exc)
                return
            task = self.loop.create_task(_continue(result, first))
        task.add_done_callback(partial(self._task_done, cycle))

    def _task_done(self, cycle: Cycle, task: asyncio.Future[Any]) -> None:
        if task.cancelled():
            self._failed(cycle, ClientGone("request task cancelled"))
            return
        exc = task.exception()
        if exc is not None:
            self._failed(cycle, exc)
        else:
            self._check_answered(cycle)

    def _check_answered(self, cycle: Cycle) -> None:
        if cycle.finished or cycle.closed:
            return
        if not cycle.started:
            self._failed(cycle, RuntimeError(f"{cycle.request.mount!r} returned without answering"))
        else:
            self.logs.error(f"{cycle.request.mount!r} left a streamed response unfinished")
            cycle.abort()

    def _failed(self, cycle: Cycle, exc: BaseException) -> None:
        if isinstance(exc, ClientGone) or cycle.closed:
            return
        if isinstance(exc, HTTPError):
            if not cycle.started:
                cycle.keep_alive = cycle.keep_alive and not exc.close
                cycle.respond(exc.status, _TEXT, exc.detail.encode("utf-8", "replace"))
            else:
                cycle.abort()
            return
        request = cycle.request
        self.logs.error(
            f"error answering {request.method} {request.path}", exc_info=(type(exc), exc, exc.__traceback__)
        )
        if cycle.started:
            cycle.abort()
            return
        body = b"Internal Server Error"
        if self.debug:
            body += b"\n\n" + "".join(traceback.format_exception(exc)).encode("utf-8", "replace")
        cycle.respond(500, _TEXT, body)

    # -- Engine ----------------------------------------------------------------
    def run_in_thread(self, func: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        assert self.threads is not None, "run_in_thread before start()"
        return self.threads.submit(func, *args)

    def log_error(self, message: str, exc_info: Any = None) -> None:
        self.logs.error(message, exc_info=exc_info)

    def resolve_alias(self, name: str) -> str:
        """``"@name"`` -> the base URL of one of its members (ProxyPass)."""
        from .resources import current_registry

        return current_registry().base_url(name)


class _Resume:
    """Awaitable that continues a coroutine the dispatcher already started."""

    __slots__ = ("coro", "first")

    def __init__(self, coro: Any, first: Any) -> None:
        self.coro = coro
        self.first = first

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, value = self.coro, self.first
        while True:
            try:
                sent = yield value
            except BaseException as exc:
                try:
                    value = coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
                continue
            try:
                value = coro.send(sent)
            except StopIteration as stop:
                return stop.value


async def _continue(coro: Any, first: Any) -> Any:
    return await _Resume(coro, first)
