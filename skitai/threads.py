"""The worker's thread pool for blocking work (``def`` handlers, WSGI apps).

PERF: ``loop.run_in_executor`` pays for a ``concurrent.futures.Future`` with its
Condition, a second asyncio future chained to it and the callbacks between them
on every call.  Here a job is one tuple on a ``SimpleQueue`` and its result is
posted straight onto the loop's future, which halves the loop's cost of a
thread hop (measured with py-spy under wrk on sync Atila routes).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from typing import Any, Callable

__all__ = ["ThreadPool"]


def _resolve(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.cancelled():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


class ThreadPool:
    """At most ``size`` threads, started on demand and kept for the worker's life."""

    def __init__(self, loop: asyncio.AbstractEventLoop, size: int, name: str = "skitai") -> None:
        if size < 1:
            raise ValueError(f"threads must be at least 1, got {size}")
        self.loop = loop
        self.size = size
        self.name = name
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        if self._closed:
            raise RuntimeError("thread pool is shut down")
        future = self.loop.create_future()
        self._jobs.put((future, func, args))
        if self._idle == 0 and len(self._threads) < self.size:
            self._start_thread()
        return future

    def _start_thread(self) -> None:
        with self._lock:
            if len(self._threads) >= self.size:
                return
            thread = threading.Thread(
                target=self._work, name=f"{self.name}-{len(self._threads) + 1}", daemon=True
            )
            self._threads.append(thread)
        thread.start()

    def _work(self) -> None:
        jobs, call_soon = self._jobs, self.loop.call_soon_threadsafe
        while True:
            with self._lock:
                self._idle += 1
            job = jobs.get()
            with self._lock:
                self._idle -= 1
            if job is None:
                return
            future, func, args = job
            try:
                result = func(*args)
            except BaseException as exc:  # handed to the awaiting coroutine, not swallowed
                try:
                    call_soon(_resolve, future, False, exc)
                except RuntimeError:
                    return  # the loop is closed: the worker is exiting
            else:
                try:
                    call_soon(_resolve, future, True, result)
                except RuntimeError:
                    return
            del job, future, func, args

    def shutdown(self) -> None:
        """Stop taking jobs; threads exit after the jobs already queued."""
        self._closed = True
        for _ in self._threads:
            self._jobs.put(None)
