"""How each WebSocket model feeds its handler (one runner per connection).

========================  ==============================================
runner                    handler shape
========================  ==============================================
:class:`ChannelRunner`    ``h(context, message, **values)`` per message;
                          the return value is the reply
:class:`GroupChatRunner`  the same; the return value goes to the room
:class:`SessionRunner`    generator: ``message = yield reply``
:class:`CoroutineRunner`  generator: ``msg = yield context.Input()``
:class:`StreamRunner`     ``async def h(context, **values)`` with
                          ``await context.websocket.receive()``
========================  ==============================================

Steps of one connection run one at a time, in order: in the worker's thread
pool for ``WS_THREAD`` (the default for ``def`` handlers), on the loop for
``WS_NOTHREAD`` and ``async def``.  While ``ws_max_queue`` messages wait for a
busy handler the connection stops reading (back-pressure), so a fast client
cannot pile up work.  A handler that raises closes the socket with 1011 (the
traceback goes to the app's log); other connections are not affected.

PERF: a ``WS_NOTHREAD`` channel handler is called straight from the session's
``on_message``: no queue, no task, no thread hop.
"""

from __future__ import annotations

import abc
import asyncio
import functools
import inspect
from collections import deque
from typing import TYPE_CHECKING, Any, Callable

from skitai.websocket.messages import Message
from skitai.websocket.specs import WebSocketSpec

from ..cluster import publish_room
from .channel import as_message
from .inputs import Input

if TYPE_CHECKING:
    from .channel import WebSocket

__all__ = ["Runner", "ChannelRunner", "GroupChatRunner", "SessionRunner", "CoroutineRunner", "StreamRunner", "RUNNERS"]

_INTERNAL_ERROR = 1011
_NORMAL = 1000
#: a generator handler finished (the socket closes with 1000)
_DONE: Any = object()


class Runner(abc.ABC):
    """The serial queue every model shares, and the close hook."""

    def __init__(self, ws: "WebSocket") -> None:
        route = ws.route
        self.ws = ws
        self.context = ws.context
        self.func = route.func
        self.threaded = route.threaded
        self.options = ws.options
        self.max_queue = route.limits().ws_max_queue
        self._jobs: deque[tuple[Callable[..., Any], tuple[Any, ...], Callable[[Any], None] | None]] = deque()
        self._busy = False
        self._held = False

    @classmethod  # noqa: B027 - optional for a model
    def check(cls, func: Callable[..., Any]) -> None:
        """Refuse, at decoration time, a handler that cannot fit this model."""

    def open(self) -> None:  # noqa: B027 - optional for a model
        """The socket is open (after the 101)."""

    @abc.abstractmethod
    def message(self, message: Message) -> None:
        """One message from the client, handled as the spec's model says."""

    def closed(self) -> None:
        """The socket is gone: ``onclose`` runs after the steps still queued."""
        onclose = self.ws.route.onclose
        if onclose is not None:
            self.enqueue(onclose, (self.context,), None)

    # -- the serial queue ----------------------------------------------------------------
    def enqueue(self, func: Callable[..., Any], args: tuple[Any, ...], then: Callable[[Any], None] | None) -> None:
        self._jobs.append((func, args, then))
        if self._busy:
            if not self._held and len(self._jobs) >= self.max_queue and self.ws.session is not None:
                self._held = True
                self.ws.session.hold_reading()
            return
        self._pump()

    def _pump(self) -> None:
        jobs = self._jobs
        while jobs and not self._busy:
            func, args, then = jobs.popleft()
            if self._held and len(jobs) < self.max_queue // 2 and self.ws.session is not None:
                self._held = False
                self.ws.session.release_reading()
            if self.threaded and not inspect.iscoroutinefunction(func):
                try:
                    future = asyncio.ensure_future(self.ws.app.run_in_thread(func, *args))
                except RuntimeError as exc:  # the thread pool is shut down: the worker is exiting
                    self.ws.app.logger.warning("websocket step %r dropped: %s", func, exc)
                    continue
                self._busy = True
                future.add_done_callback(functools.partial(self._finished, then))
                return
            try:
                result = func(*args)
            except Exception as exc:
                self.failed(exc)
                continue
            if inspect.isawaitable(result):
                self._busy = True
                task = asyncio.ensure_future(result)
                task.add_done_callback(functools.partial(self._finished, then))
                return
            if then is not None:
                self._then(then, result)

    def _finished(self, then: Callable[[Any], None] | None, done: "asyncio.Future[Any]") -> None:
        self._busy = False
        if done.cancelled():
            pass
        elif done.exception() is not None:
            self.failed(done.exception())  # type: ignore[arg-type]
        elif then is not None:
            self._then(then, done.result())
        self._pump()

    def _then(self, then: Callable[[Any], None], result: Any) -> None:
        try:
            then(result)
        except Exception as exc:
            self.failed(exc)

    def failed(self, exc: BaseException) -> None:
        """Handler code raised: log it, close 1011 (other connections go on)."""
        self.ws.app.logger.error("websocket handler %r failed", self.func, exc_info=exc)
        self.ws.fail(_INTERNAL_ERROR, "internal error")

    def reply(self, value: Any) -> None:
        if value is _DONE:
            self.ws.close(_NORMAL, "")
        elif value is not None:
            self.ws.send(value)


class ChannelRunner(Runner):
    """Request/response per message (``WS_CHANNEL``, ``WS_THREAD``, ``WS_NOTHREAD``)."""

    def __init__(self, ws: "WebSocket") -> None:
        super().__init__(ws)
        self._inline = not self.threaded and not inspect.iscoroutinefunction(self.func)
        self._deliver = self._target()

    def _target(self) -> Callable[[Any], None]:
        return self.reply

    def message(self, message: Message) -> None:
        if self._inline and not self._busy and not self._jobs:
            # PERF: WS_NOTHREAD: the handler runs right here, on the loop.
            options = self.options
            try:
                value = self.func(self.context, message, **options) if options else self.func(self.context, message)
            except Exception as exc:
                self.failed(exc)
                return
            if value is not None:
                self._deliver(value)
            return
        self.enqueue(self._call, (message,), self._deliver)

    def _call(self, message: Message) -> Any:
        return self.func(self.context, message, **self.options)


class GroupChatRunner(ChannelRunner):
    """``WS_GROUPCHAT``: what the handler returns goes to every member of the room."""

    def _target(self) -> Callable[[Any], None]:
        return self._broadcast

    def _broadcast(self, value: Any) -> None:
        if value is not None:
            message = as_message(value)
            self.ws.backend.broadcast(self.ws.room, message)
            # the room's members held by other workers and hosts
            publish_room(self.ws.app, self.ws.room, message)


class SessionRunner(Runner):
    """``WS_SESSION``: one generator per connection, ``message = yield reply``.

    The first value the generator yields (before any message) is sent as a
    greeting unless it is None; returning ends the connection (1000).
    """

    def __init__(self, ws: "WebSocket") -> None:
        super().__init__(ws)
        self.generator: Any = None
        self.is_async = inspect.isasyncgenfunction(self.func)

    @classmethod
    def check(cls, func: Callable[..., Any]) -> None:
        if not (inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func)):
            raise TypeError(f"{func.__qualname__}: a WS_SESSION handler is a generator (message = yield reply)")

    def open(self) -> None:
        self.enqueue(self._start, (), self.reply)

    def _start(self) -> Any:
        self.generator = self.func(self.context, **self.options)
        return self._step(None)

    def message(self, message: Message) -> None:
        self.enqueue(self._step, (message,), self.reply)

    def _step(self, message: Message | None) -> Any:
        if self.generator is None:
            return None
        return _aadvance(self.generator, message) if self.is_async else _advance(self.generator, message)

    def closed(self) -> None:
        self.enqueue(self._finish, (), None)
        super().closed()

    def _finish(self) -> Any:
        generator, self.generator = self.generator, None
        if generator is not None:
            return generator.aclose() if self.is_async else generator.close()
        return None


class StreamRunner(Runner):
    """``WS_STREAM``: an ``async def`` per connection that loops on ``receive()``."""

    def __init__(self, ws: "WebSocket") -> None:
        super().__init__(ws)
        self.task: asyncio.Task[Any] | None = None

    @classmethod
    def check(cls, func: Callable[..., Any]) -> None:
        if not inspect.iscoroutinefunction(func):
            raise TypeError(
                f"{func.__qualname__}: a WS_STREAM handler is an async def looping on await context.websocket.receive()"
            )

    def open(self) -> None:
        self.task = asyncio.ensure_future(self.run())

    async def run(self) -> None:
        try:
            await self.func(self.context, **self.options)
        except asyncio.CancelledError:
            return
        except Exception as exc:
            self.failed(exc)
            return
        self.ws.close(_NORMAL, "")

    def message(self, message: Message) -> None:
        self.ws.inbox.put(message)

    def closed(self) -> None:
        task = self.task
        if task is not None and not task.done():
            # the handler sees None from receive(); one that never asks again is
            # cancelled once the close timeout has passed
            timeout = self.ws.route.limits().ws_close_timeout
            self.ws.loop.call_later(timeout, task.cancel)
        onclose = self.ws.route.onclose
        if onclose is None:
            return
        if task is None or task.done():
            super().closed()
        else:
            task.add_done_callback(lambda _: Runner.closed(self))


class CoroutineRunner(StreamRunner):
    """``WS_COROUTINE``: a generator that yields ``context.Input()`` to receive,
    awaitables to wait for them (their result is sent back in) and anything
    else to send it to the client."""

    @classmethod
    def check(cls, func: Callable[..., Any]) -> None:
        if not inspect.isgeneratorfunction(func):
            raise TypeError(f"{func.__qualname__}: a WS_COROUTINE handler is a generator (msg = yield context.Input())")

    async def run(self) -> None:
        generator = None
        try:
            generator = await self._step(self.func, self.context, **self.options)
            value: Any = None
            while True:
                yielded = await self._step(_advance, generator, value)
                if yielded is _DONE:
                    break
                if isinstance(yielded, Input):
                    value = await self.ws.receive()
                elif inspect.isawaitable(yielded):
                    value = await yielded
                else:
                    if yielded is not None:
                        await self.ws.send(yielded)
                    value = None
        except asyncio.CancelledError:
            return
        except Exception as exc:
            self.failed(exc)
            return
        finally:
            if generator is not None:
                generator.close()
        self.ws.close(_NORMAL, "")

    async def _step(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.threaded:
            return await self.ws.app.run_in_thread(_call_keywords, func, args, kwargs)
        return func(*args, **kwargs)


def _advance(generator: Any, value: Any) -> Any:
    """One step of a generator, its end as ``_DONE``.

    NOTE: StopIteration must not leave a thread-pool job: asyncio futures
    refuse it as an exception (PEP 479).
    """
    try:
        return generator.send(value)
    except StopIteration:
        return _DONE


async def _aadvance(generator: Any, value: Any) -> Any:
    try:
        return await generator.asend(value)
    except StopAsyncIteration:
        return _DONE


def _call_keywords(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return func(*args, **kwargs)


RUNNERS: dict[WebSocketSpec, type[Runner]] = {
    WebSocketSpec.CHANNEL: ChannelRunner,
    WebSocketSpec.GROUPCHAT: GroupChatRunner,
    WebSocketSpec.SESSION: SessionRunner,
    WebSocketSpec.COROUTINE: CoroutineRunner,
    WebSocketSpec.STREAM: StreamRunner,
}
