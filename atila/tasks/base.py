"""Task: the handle on work started for a request (a query, an upstream call, a
thread, a process).  Work starts when the task is made; the handler collects it.

* ``fetch()`` the result (the work's exception is raised here, a task that
  overran its ``timeout`` raises :class:`TaskTimeout`, a 504);
* ``one()`` the single row of a result (404 when there is none, 409 when more);
* ``commit()`` waits and returns nothing; ``wait()`` waits without raising;
* ``dispatch()`` never raises: a :class:`Result` with ``status`` (``STA_NORMAL``,
  ``STA_TIMEOUT``, ``STA_NETERR``, ``STA_REQFAIL``) and ``data``;
* ``then(callback)`` answers the request with ``callback(context, task)``;
* ``await task`` in ``async def`` routes gives what ``fetch()`` gives.

A task's outcome lives in a ``concurrent.futures.Future`` (``task.future``),
so threads block on it, the loop awaits it and a generator driver can resume
when ``task.add_done_callback`` fires.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
from typing import Any, Callable, Generator

from skitai.resources.errors import ResourceUnavailable, TaskTimeout
from skitai.resources.kinds import STA_NETERR, STA_NORMAL, STA_REQFAIL, STA_TIMEOUT

from ..responses.errors import HttpError
from .runner import on_loop

__all__ = ["Task", "Result", "TaskTimeout", "single", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 10.0
_UNSET: Any = object()


class Result:
    """What ``dispatch()`` reports for one task."""

    __slots__ = ("status", "data", "error", "meta")

    def __init__(
        self, status: int, data: Any = None, error: BaseException | None = None, meta: dict[str, Any] | None = None
    ) -> None:
        self.status = status
        self.data = data
        self.error = error
        self.meta = meta or {}

    def fetch(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.data

    def __repr__(self) -> str:
        return f"<Result status={self.status} data={self.data!r:.60}>"


def single(value: Any, what: str) -> Any:
    """The only element of a result list (``one()``)."""
    if isinstance(value, (list, tuple)):
        if not value:
            raise HttpError(404, f"{what} found nothing")
        if len(value) > 1:
            raise HttpError(409, f"{what} found {len(value)} results where one was expected")
        return value[0]
    return value


class Task:
    """Started work.  ``meta`` is the caller's own data, handed back with the task
    (``task.meta["a"]`` in a ``then`` callback)."""

    kind = "task"

    def __init__(
        self,
        future: cf.Future[Any],
        *,
        label: str = "",
        meta: dict[str, Any] | None = None,
        timeout: float | None = None,
        filter: Callable[[Any], Any] | None = None,
        context: Any = None,
    ) -> None:
        self.future = future
        self.label = label or self.kind
        self.meta: dict[str, Any] = dict(meta or {})
        self.timeout = DEFAULT_TIMEOUT if timeout is None else float(timeout)
        self.filter = filter
        self.context = context
        self._value: Any = _UNSET

    # -- state ----------------------------------------------------------------
    def done(self) -> bool:
        return self.future.done()

    def add_done_callback(self, callback: Callable[["Task"], Any]) -> None:
        """``callback(task)`` once the work finished (in whichever thread finished it)."""
        self.future.add_done_callback(lambda _future: callback(self))

    # -- collecting -------------------------------------------------------------
    def _block(self, timeout: float | None) -> bool:
        """Wait for the work; False when it overran ``timeout``."""
        future = self.future
        if future.done():
            return True
        if on_loop() is not None:
            raise RuntimeError(
                f"{self.label}: fetch() would block the event loop; "
                "in an async def route write 'await task' (or 'await task.fetch_async()')"
            )
        cf.wait([future], self.timeout if timeout is None else timeout)
        return future.done()

    def _raw(self, timeout: float | None = None) -> Any:
        if not self._block(timeout):
            raise TaskTimeout(self.label, self.timeout if timeout is None else timeout)
        if self.future.cancelled():
            raise HttpError(503, f"{self.label} was cancelled (the worker is stopping)")
        error = self.future.exception()
        if error is not None:
            note = f"(raised in {self.label})"
            if note not in getattr(error, "__notes__", ()):
                error.add_note(note)
            raise error
        return self.future.result()

    def fetch(self, timeout: float | None = None) -> Any:
        """The result (after ``filter``).  Raises the work's exception."""
        if self._value is _UNSET:
            value = self._raw(timeout)
            self._value = self.filter(value) if self.filter is not None else value
        return self._value

    def one(self, timeout: float | None = None) -> Any:
        return single(self.fetch(timeout), self.label)

    def commit(self, timeout: float | None = None) -> None:
        self.fetch(timeout)

    def wait(self, timeout: float | None = None) -> "Task":
        self._block(timeout)
        return self

    def dispatch(self, timeout: float | None = None) -> Any:
        return self._result(lambda: self.fetch(timeout))

    def _result(self, fetch: Callable[[], Any]) -> Result:
        try:
            return Result(STA_NORMAL, fetch(), meta=self.meta)
        except TaskTimeout as exc:
            return Result(STA_TIMEOUT, None, exc, self.meta)
        except (ResourceUnavailable, ConnectionError) as exc:
            return Result(STA_NETERR, None, exc, self.meta)
        except Exception as exc:
            return Result(STA_REQFAIL, None, exc, self.meta)

    # -- answering -----------------------------------------------------------------
    def then(self, callback: Callable[[Any, "Task"], Any]) -> Any:
        """Answer the request with ``callback(context, task)`` once the work is
        done; the handler's thread is free meanwhile."""
        from .deferred import Deferred

        if self.context is None:
            raise RuntimeError("then() needs a task made through context (context.Thread, context.db ...)")
        return Deferred(self.context, self, lambda: callback(self.context, self))

    # -- awaiting ---------------------------------------------------------------------
    async def settle(self, timeout: float | None = None) -> None:
        """Wait on the loop until the work finished; TaskTimeout past ``timeout``.

        PERF and NOTE: one future and one timer, no extra Task: the engine may run
        the handler's coroutine without a Task (so ``asyncio.timeout`` is out).
        """
        future = self.future
        if future.done():
            return
        limit = self.timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()

        def wake(*_: Any) -> None:
            if not woken.done():
                woken.set_result(None)

        source = getattr(future, "loop_task", None)
        if source is not None and source.get_loop() is loop:
            source.add_done_callback(wake)
        else:
            future.add_done_callback(lambda _done: loop.call_soon_threadsafe(wake))
        timer = loop.call_later(limit, wake)
        try:
            await woken
        finally:
            timer.cancel()
        if not future.done():
            raise TaskTimeout(self.label, limit)

    async def fetch_async(self, timeout: float | None = None) -> Any:
        await self.settle(timeout)
        return self.fetch()

    def __await__(self) -> Generator[Any, None, Any]:
        return self.fetch_async().__await__()

    def __repr__(self) -> str:
        state = "done" if self.future.done() else "running"
        return f"<{type(self).__name__} {self.label} {state}>"
