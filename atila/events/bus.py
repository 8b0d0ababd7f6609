"""Per-app event bus: ``app.on(name)`` listeners, ``app.emit(name, ...)`` senders.

Why events and not hooks: a hook (``before_request``) may answer or fail the
request; an event only tells listeners something happened.  So a listener can
never break its sender: its exception is logged and the next listener runs
(documented under "Request Life Cycle Events").

Every listener receives a context first (``def listener(context, *args)``): the
request's context when the event comes from a request (:meth:`EventBus.emit_with`),
otherwise the one ``context_factory`` makes for the app.

``def`` listeners run in order in the emitting thread; ``async def`` listeners are
scheduled on the running loop (or on the loop given to :meth:`bind_loop` when
emitted from a worker thread) and are not awaited by the sender.

Apps talk to each other through an :class:`EventHub` (one per worker): an app
mounted with ``subscribe=["other"]`` receives every event of the app named
``other`` as ``"other:<event>"``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from concurrent.futures import Future
from functools import wraps
from typing import Any, Awaitable, Callable, Iterable, TypeVar

from .names import Event, canonical

__all__ = ["EventBus", "EventHub", "event_key"]

F = TypeVar("F", bound=Callable[..., Any])
Listener = Callable[..., Any]


def event_key(name: str | Event) -> str:
    """The storage key of ``name``; ``"other:mounted"`` keeps its app prefix.

    Only the part after the first colon is canonicalised, so custom names with a
    colon (``"user:data-added"``) are left alone.
    """
    if isinstance(name, str) and ":" in name:
        namespace, _, rest = name.partition(":")
        return f"{namespace}:{canonical(rest)}" if rest else name
    return canonical(name)


class EventHub:
    """The buses of one worker, so apps can subscribe to each other by name.

    Subscriptions resolve at emit time, so the order apps are mounted in does not
    matter and a subscription to an app mounted later still works.
    """

    def __init__(self) -> None:
        self._buses: tuple[EventBus, ...] = ()
        self._lock = threading.Lock()

    def register(self, bus: EventBus) -> None:
        with self._lock:
            if bus not in self._buses:
                self._buses = (*self._buses, bus)

    def unregister(self, bus: EventBus) -> None:
        with self._lock:
            self._buses = tuple(b for b in self._buses if b is not bus)

    def subscribers_of(self, name: str | None) -> tuple[EventBus, ...]:
        if not name:
            return ()
        return tuple(bus for bus in self._buses if name in bus.subscriptions)

    def broadcast(self, name: str | Event, *args: Any, **kwargs: Any) -> int:
        """Deliver ``name`` to every registered app that listens to it (older
        ``was.broadcast``); returns how many listeners were called or scheduled."""
        return sum(bus.emit(name, *args, **kwargs) for bus in self._buses)


class EventBus:
    """Listeners of one app.

    >>> bus = EventBus("search")
    >>> @bus.on("user-updated")
    ... def refresh(context, user_id): ...
    >>> bus.emit("user-updated", 7)
    1
    """

    def __init__(
        self,
        name: str | None = None,
        *,
        context_factory: Callable[[], Any] | None = None,
        logger: logging.Logger | None = None,
        hub: EventHub | None = None,
    ) -> None:
        self.name = name
        self.context_factory = context_factory
        self.logger = logger or logging.getLogger("atila.events")
        self.subscriptions: frozenset[str] = frozenset()
        self._listeners: dict[str, tuple[Listener, ...]] = {}
        #: ``on_change(key)`` after listeners of ``key`` were added or removed
        #: (the app recompiles routes when request-event listeners change)
        self.on_change: Callable[[str], None] | None = None
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: set[asyncio.Future[Any] | Future[Any]] = set()
        self.hub: EventHub | None = None
        if hub is not None:
            self.attach(hub)

    # -- wiring ----------------------------------------------------------------
    def attach(self, hub: EventHub) -> None:
        """Join a worker's hub (done by the engine side when the app is mounted)."""
        if self.hub is not None and self.hub is not hub:
            self.hub.unregister(self)
        self.hub = hub
        hub.register(self)

    def subscribe(self, *app_names: str | Iterable[str]) -> None:
        """Receive the events of the named apps as ``"<app>:<event>"``."""
        names = set(self.subscriptions)
        for item in app_names:
            names.update([item] if isinstance(item, str) else item)
        self.subscriptions = frozenset(names)

    def bind_loop(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """The loop ``async def`` listeners go to when emitted from another thread."""
        self._loop = loop

    # -- listeners -------------------------------------------------------------
    def on(self, name: str | Event) -> Callable[[F], F]:
        """Decorator registering a listener; the function is returned unchanged."""

        def decorator(func: F) -> F:
            self.add_listener(name, func)
            return func

        return decorator

    def add_listener(self, name: str | Event, listener: Listener) -> None:
        if not callable(listener):
            raise TypeError(f"event listener for {name!r} must be callable, got {listener!r}")
        key = event_key(name)
        with self._lock:
            current = self._listeners.get(key, ())
            if listener in current:
                return
            self._listeners[key] = (*current, listener)
        self._changed(key)

    def remove_listener(self, name: str | Event, listener: Listener) -> None:
        key = event_key(name)
        with self._lock:
            remaining = tuple(f for f in self._listeners.get(key, ()) if f is not listener)
            if remaining:
                self._listeners[key] = remaining
            else:
                self._listeners.pop(key, None)
        self._changed(key)

    def listeners(self, name: str | Event) -> tuple[Listener, ...]:
        return self._listeners.get(event_key(name), ())

    def snapshot(self) -> dict[str, tuple[Listener, ...]]:
        """Every key's listeners now (the hooks loader diffs two snapshots to
        learn which listeners a module's hook registered)."""
        with self._lock:
            return dict(self._listeners)

    def clear(self) -> None:
        """Forget every listener (an app being reloaded registers them again)."""
        with self._lock:
            keys, self._listeners = list(self._listeners), {}
        for key in keys:
            self._changed(key)

    def _changed(self, key: str) -> None:
        if self.on_change is not None:
            self.on_change(key)

    # -- emitting --------------------------------------------------------------
    def emit(self, name: str | Event, *args: Any, **kwargs: Any) -> int:
        """Tell listeners ``name`` happened; returns how many were called or scheduled."""
        return self.emit_with(self._make_context(), name, *args, **kwargs)

    def emit_with(self, context: Any, name: str | Event, *args: Any, **kwargs: Any) -> int:
        """Like :meth:`emit` with an explicit context (the request's, usually)."""
        key = event_key(name)
        count = self._dispatch(context, key, args, kwargs)
        if self.hub is not None and self.name:
            for bus in self.hub.subscribers_of(self.name):
                if bus is self:
                    continue
                their_context = bus._make_context() if bus.context_factory else context
                count += bus._dispatch(their_context, f"{self.name}:{key}", args, kwargs)
        return count

    def emit_after(self, name: str | Event, *event_args: Any, **event_kwargs: Any) -> Callable[[F], F]:
        """Decorator: emit ``name`` once the decorated route (or listener) returns.

        The first argument the function receives is taken as the context.  If the
        function raises, nothing is emitted.
        """

        def decorator(func: F) -> F:
            if inspect.iscoroutinefunction(func):

                @wraps(func)
                async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                    result = await func(*args, **kwargs)
                    self.emit_with(args[0] if args else None, name, *event_args, **event_kwargs)
                    return result

                return async_wrapper  # type: ignore[return-value]

            @wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                result = func(*args, **kwargs)
                self.emit_with(args[0] if args else None, name, *event_args, **event_kwargs)
                return result

            return wrapper  # type: ignore[return-value]

        return decorator

    async def wait_pending(self, timeout: float | None = None) -> None:
        """Wait for scheduled ``async def`` listeners (shutdown, tests)."""
        pending = [f for f in self._pending if isinstance(f, asyncio.Future)]
        pending += [asyncio.wrap_future(f) for f in self._pending if isinstance(f, Future)]
        if pending:
            await asyncio.wait(pending, timeout=timeout)

    # -- internals -------------------------------------------------------------
    def _make_context(self) -> Any:
        return self.context_factory() if self.context_factory is not None else None

    def _dispatch(self, context: Any, key: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
        listeners = self._listeners.get(key, ())
        for listener in listeners:
            try:
                result = listener(context, *args, **kwargs)
            except Exception:
                self.logger.exception("event listener %s for %r failed", _describe(listener), key)
                continue
            if inspect.isawaitable(result):
                self._schedule(result, listener, key)
        return len(listeners)

    def _schedule(self, awaitable: Awaitable[Any], listener: Listener, key: str) -> None:
        def report(future: Any) -> None:
            self._pending.discard(future)
            if future.cancelled():
                return
            error = future.exception()
            if error is not None:
                self.logger.error(
                    "event listener %s for %r failed",
                    _describe(listener),
                    key,
                    exc_info=(type(error), error, error.__traceback__),
                )

        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        task: asyncio.Future[Any] | Future[Any]
        if running is not None:
            task = running.create_task(_as_coroutine(awaitable))
        elif self._loop is not None and self._loop.is_running():
            task = asyncio.run_coroutine_threadsafe(_as_coroutine(awaitable), self._loop)
        else:
            # NOTE: no loop anywhere (a script, a hook run before the worker's loop
            # starts): run the listener to completion rather than dropping it.
            try:
                asyncio.run(_as_coroutine(awaitable))
            except Exception:
                self.logger.exception("event listener %s for %r failed", _describe(listener), key)
            return
        self._pending.add(task)
        task.add_done_callback(report)


async def _as_coroutine(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


def _describe(listener: Listener) -> str:
    return getattr(listener, "__qualname__", None) or repr(listener)
