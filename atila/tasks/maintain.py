"""Interval based app maintenance: ``@app.maintain(interval, threading=False)``.

One ticker per app and worker wakes every ``MAINTAIN_INTERVAL`` seconds (app
config, default 60) and runs each job whose ``interval`` divides the tick count,
as ``job(context, now, count)`` (documented under "Interval Based App Maintenance")::

    with skitai.preference() as pref:
        pref.config.MAINTAIN_INTERVAL = 60
    @app.maintain(10, threading=False)   # every 10 ticks: 600 seconds
    def maintain_num_nodes(context, now, count): ...

How a job runs: ``async def`` jobs on the loop; ``def`` jobs on the loop with
``threading=False`` (keep them short: they hold the loop), in the worker's thread
pool with ``threading=True``.  A job still running when it is due again is
skipped rather than stacked, and a failing job is logged and runs again next
time.  Job names are unique per app, so a reloaded module cannot add its jobs
twice without saying so.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, TypeVar, overload

__all__ = ["Maintainer", "MaintainJob", "DEFAULT_MAINTAIN_INTERVAL"]

F = TypeVar("F", bound=Callable[..., Any])
RunInThread = Callable[..., Awaitable[Any]]

#: seconds between ticks when the app's config has no MAINTAIN_INTERVAL
DEFAULT_MAINTAIN_INTERVAL = 60.0


@dataclass
class MaintainJob:
    name: str
    func: Callable[..., Any]
    interval: int = 1
    threading: bool = False
    arity: int = 3
    runs: int = 0
    running: asyncio.Future[Any] | None = field(default=None, repr=False)

    def due(self, count: int) -> bool:
        return count % self.interval == 0

    def arguments(self, context: Any, now: float, count: int) -> tuple[Any, ...]:
        return (context, now, count)[: self.arity]


def _arity(func: Callable[..., Any], key: str) -> int:
    """How many of ``(context, now, count)`` the job takes: the documented form takes
    all three, ``def job(context)`` only the first.  Decided once, at registration,
    so a job with an impossible signature fails there, not on every tick."""
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return 3
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return 3
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    if not positional or len(required) > 3:
        raise TypeError(f"maintain job {key!r} must take (context[, now[, count]])")
    return min(len(positional), 3)


class Maintainer:
    """The maintenance jobs of one app and the ticker that runs them."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.jobs: dict[str, MaintainJob] = {}
        self.logger = logger or logging.getLogger("atila.maintain")
        self.count = 0
        self.base_interval = DEFAULT_MAINTAIN_INTERVAL
        self._ticker: asyncio.Task[None] | None = None
        self._context_factory: Callable[[], Any] = lambda: None
        self._run_in_thread: RunInThread | None = None

    # -- registration ----------------------------------------------------------
    @overload
    def maintain(self, interval: F) -> F: ...

    @overload
    def maintain(self, interval: int = 1, threading: bool = False) -> Callable[[F], F]: ...

    def maintain(self, interval: Any = 1, threading: bool = False) -> Any:
        """Decorator registering a job; also usable bare (``@app.maintain``)."""
        if callable(interval):
            self.add(interval)
            return interval

        def decorator(func: F) -> F:
            self.add(func, interval=interval, threading=threading)
            return func

        return decorator

    def add(
        self, func: Callable[..., Any], interval: int = 1, threading: bool = False, name: str | None = None
    ) -> MaintainJob:
        """Register ``func(context, now, count)`` to run every ``interval`` ticks
        (a job may take fewer: ``func(context)`` or ``func(context, now)``).

        Raises:
            TypeError: ``func`` cannot take the ``context`` argument.
            ValueError: the name is taken or the interval is not a positive int.
        """
        if not callable(func):
            raise TypeError(f"maintain job must be callable, got {func!r}")
        if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
            raise ValueError(f"maintain interval must be a positive int (ticks), got {interval!r}")
        key = name or getattr(func, "__name__", None) or repr(func)
        if key in self.jobs:
            raise ValueError(f"maintain job {key!r} is already registered; job names must be unique")
        if threading and inspect.iscoroutinefunction(func):
            raise ValueError(f"maintain job {key!r} is async; threading=True is for def functions")
        job = self.jobs[key] = MaintainJob(key, func, interval, threading, _arity(func, key))
        return job

    def remove(self, name: str) -> None:
        self.jobs.pop(name, None)

    def clear(self) -> None:
        """Forget all jobs (the app is being reloaded and registers them again)."""
        self.jobs = {}

    # -- running ---------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._ticker is not None and not self._ticker.done()

    def start(
        self,
        context_factory: Callable[[], Any] | None = None,
        *,
        base_interval: float | None = None,
        run_in_thread: RunInThread | None = None,
    ) -> None:
        """Start ticking on the running loop (the app's ``startup``).  Idempotent.

        Raises:
            ValueError: ``base_interval`` is not a positive number of seconds.
        """
        if base_interval is not None:
            if isinstance(base_interval, bool) or not isinstance(base_interval, (int, float)) or base_interval <= 0:
                raise ValueError(f"MAINTAIN_INTERVAL must be a positive number of seconds, got {base_interval!r}")
            self.base_interval = float(base_interval)
        if context_factory is not None:
            self._context_factory = context_factory
        self._run_in_thread = run_in_thread
        if self.running:
            return
        self._ticker = asyncio.get_running_loop().create_task(self._tick_forever(), name="atila.maintain")

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop ticking and wait (bounded) for jobs still running (``shutdown``)."""
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.cancel()
            await asyncio.gather(ticker, return_exceptions=True)
        in_flight = [job.running for job in self.jobs.values() if job.running is not None]
        if in_flight:
            await asyncio.wait(in_flight, timeout=timeout)

    async def _tick_forever(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        while True:
            # NOTE: sleep to a deadline, not a fixed delay, so ticks do not drift.
            deadline += self.base_interval
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            self.tick()

    def tick(self, now: float | None = None) -> list[asyncio.Future[Any]]:
        """Advance the count and launch the jobs due; returns their futures."""
        self.count += 1
        now = time.time() if now is None else now
        launched = []
        for job in list(self.jobs.values()):
            if not job.due(self.count):
                continue
            if job.running is not None and not job.running.done():
                self.logger.warning("maintain job %r still running; skipped tick %d", job.name, self.count)
                continue
            future = self._launch(job, now)
            if future is not None:
                launched.append(future)
        return launched

    def _launch(self, job: MaintainJob, now: float) -> asyncio.Future[Any] | None:
        job.runs += 1
        try:
            args = job.arguments(self._context_factory(), now, self.count)
            if job.threading and self._run_in_thread is not None:
                future = asyncio.ensure_future(self._run_in_thread(job.func, *args))
            elif job.threading:
                future = asyncio.ensure_future(asyncio.to_thread(job.func, *args))
            else:
                result = job.func(*args)
                if not inspect.isawaitable(result):
                    return None
                future = asyncio.ensure_future(result)
        except Exception:
            self.logger.exception("maintain job %r failed", job.name)
            return None
        job.running = future
        future.add_done_callback(lambda done: self._report(job, done))
        return future

    def _report(self, job: MaintainJob, future: asyncio.Future[Any]) -> None:
        if future.cancelled():
            return
        error = future.exception()
        if error is not None:
            self.logger.error("maintain job %r failed", job.name, exc_info=(type(error), error, error.__traceback__))
