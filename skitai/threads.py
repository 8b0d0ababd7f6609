"""The worker's thread pool for blocking work (``def`` handlers, WSGI apps).

PERF: ``loop.run_in_executor`` pays for a ``concurrent.futures.Future`` with its
Condition, a second asyncio future chained to it and the callbacks between them
on every call.  Here a job is one tuple on a ``SimpleQueue`` and its result is
posted straight onto the loop's future, which halves the loop's cost of a
thread hop (measured with py-spy under wrk on sync Atila routes).

PERF: hand-offs are batched both ways.  A thread hop used to cost about four
context switches per request (``perf stat`` under wrk: a worker woken per job,
the loop woken per result, and the GIL traded at every uvloop callback while a
worker waited for it), which made ``def`` handlers cost twice the CPU of
``async def`` ones.  Now:

- jobs submitted during one loop iteration reach the threads together, from a
  callback the loop runs once at the start of its next iteration (the workers
  wake once per batch, when the loop is about to poll, instead of once per
  request in the middle of its I/O callbacks);
- results finished while the loop has not yet collected the previous ones
  wait in a list: only the first of a batch wakes the loop
  (``call_soon_threadsafe``), which then resolves them all.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from typing import Any, Callable

__all__ = ["ThreadPool"]

#: (future, func, args) waiting for a thread; None tells a thread to exit
_Job = tuple[asyncio.Future[Any], Callable[..., Any], tuple[Any, ...]]


class ThreadPool:
    """At most ``size`` threads, started on demand and kept for the worker's life."""

    def __init__(self, loop: asyncio.AbstractEventLoop, size: int, name: str = "skitai") -> None:
        if size < 1:
            raise ValueError(f"threads must be at least 1, got {size}")
        self.loop = loop
        self.size = size
        self.name = name
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._lock = threading.Lock()
        self._closed = False
        #: jobs submitted in this loop iteration, handed over by _hand_over
        self._batch: list[_Job] = []
        #: results the loop has not collected yet; guarded by _done_lock
        self._done: list[tuple[asyncio.Future[Any], bool, Any]] = []
        self._done_lock = threading.Lock()
        #: the loop's thread (the pool is made on it): submit from elsewhere takes the safe path
        self._loop_thread = threading.get_ident()

    def submit(self, func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        """Run ``func(*args)`` in a thread; the returned future (of this pool's
        loop) gets its result or exception."""
        if self._closed:
            raise RuntimeError("thread pool is shut down")
        future = self.loop.create_future()
        if threading.get_ident() != self._loop_thread:
            self.loop.call_soon_threadsafe(self._queue, (future, func, args))
        else:
            self._queue((future, func, args))
        return future

    def _queue(self, job: _Job) -> None:
        batch = self._batch
        if not batch:
            self.loop.call_soon(self._hand_over)
        batch.append(job)

    def _hand_over(self) -> None:
        batch, self._batch = self._batch, []
        put = self._jobs.put
        for job in batch:
            put(job)
        # NOTE: as many threads as jobs waiting, up to size: a blocking job must
        # not hold back the others while a thread could be started for them.
        wanted = len(batch) - self._idle
        while wanted > 0 and len(self._threads) < self.size:
            self._start_thread()
            wanted -= 1

    def _start_thread(self) -> None:
        with self._lock:
            if len(self._threads) >= self.size:
                return
            thread = threading.Thread(target=self._work, name=f"{self.name}-{len(self._threads) + 1}", daemon=True)
            self._threads.append(thread)
        thread.start()

    def _work(self) -> None:
        jobs, lock, done_lock, done = self._jobs, self._lock, self._done_lock, self._done
        while True:
            with lock:
                self._idle += 1
            job = jobs.get()
            with lock:
                self._idle -= 1
            if job is None:
                return
            future, func, args = job
            try:
                item = (future, True, func(*args))
            except BaseException as exc:  # handed to the awaiting coroutine, not swallowed
                item = (future, False, exc)
            with done_lock:
                done.append(item)
                first = len(done) == 1
            if first:
                try:
                    self.loop.call_soon_threadsafe(self._collect)
                except RuntimeError:
                    return  # the loop is closed: the worker is exiting
            del job, future, func, args, item

    def _collect(self) -> None:
        with self._done_lock:
            finished = self._done[:]
            self._done.clear()
        for future, ok, value in finished:
            if future.cancelled():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def shutdown(self) -> None:
        """Stop taking jobs; threads exit after the jobs already queued."""
        self._closed = True
        if self._batch:
            self._hand_over()
        for _ in self._threads:
            self._jobs.put(None)
