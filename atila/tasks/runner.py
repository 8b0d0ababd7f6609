"""Where tasks run, per worker: a thread pool for ``context.Thread``, blocking
database drivers and subprocesses, a process pool for ``context.Process``,
and the worker's event loop for async drivers.

Task threads are not the handler threads: a handler blocked on ``fetch()``
must never wait for a task queued behind it in its own pool.  Both pools are
made on first use in the worker (after fork) and shut down when it stops.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import multiprocessing
import os
import threading
from typing import Any, Callable, Coroutine

__all__ = ["Runner", "current_runner", "on_loop", "TASK_THREADS", "TASK_PROCESSES"]

#: threads per worker for tasks (``SKITAI_TASK_THREADS``)
TASK_THREADS = int(os.environ.get("SKITAI_TASK_THREADS", "32"))
#: processes per worker for ``context.Process`` (``SKITAI_TASK_PROCESSES``)
TASK_PROCESSES = int(os.environ.get("SKITAI_TASK_PROCESSES", str(min(4, os.cpu_count() or 1))))


def on_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop when called on its thread (an ``async def`` route)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Runner:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self._threads: cf.ThreadPoolExecutor | None = None
        self._processes: cf.ProcessPoolExecutor | None = None
        self._running: set[asyncio.Task[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> cf.Future[Any]:
        if self._threads is None:
            with self._lock:
                if self._threads is None:
                    self._threads = cf.ThreadPoolExecutor(TASK_THREADS, thread_name_prefix="skitai-task")
        return self._threads.submit(func, *args, **kwargs)

    def submit_process(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> cf.Future[Any]:
        if self._processes is None:
            with self._lock:
                if self._processes is None:
                    # NOTE: fork, not spawn/forkserver: those run the launch script again
                    # in every child (it is __main__), which would start another server.
                    context = multiprocessing.get_context("fork")
                    self._processes = cf.ProcessPoolExecutor(
                        TASK_PROCESSES, mp_context=context, initializer=_child_signals
                    )
        return self._processes.submit(func, *args, **kwargs)

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> cf.Future[Any]:
        """Run ``coroutine`` on the current loop; its outcome lands in a
        thread-safe future (what every task waits on)."""
        loop = asyncio.get_running_loop()
        future: cf.Future[Any] = cf.Future()
        task = loop.create_task(coroutine)
        self._running.add(task)
        task.add_done_callback(lambda done: self._settle(done, future))
        # PERF: an await on the same loop waits for this task directly (see Task.settle)
        future.loop_task = task  # type: ignore[attr-defined]
        return future

    def _settle(self, done: asyncio.Task[Any], future: cf.Future[Any]) -> None:
        self._running.discard(done)
        if done.cancelled():
            future.cancel()
            future.set_running_or_notify_cancel()
        elif done.exception() is not None:
            future.set_exception(done.exception())
        else:
            future.set_result(done.result())

    def shutdown(self) -> None:
        for task in list(self._running):
            task.cancel()
        threads, self._threads = self._threads, None
        processes, self._processes = self._processes, None
        if threads is not None:
            threads.shutdown(wait=False, cancel_futures=True)
        if processes is not None:
            processes.shutdown(wait=False, cancel_futures=True)


def _child_signals() -> None:
    """A pool process forgets the worker's signal handling (the loop's wakeup
    fd and drain handlers): SIGTERM and SIGINT stop it."""
    import signal

    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


_runner: Runner | None = None


def current_runner() -> Runner:
    """This worker's runner (a forked child never uses its parent's)."""
    global _runner
    runner = _runner
    if runner is None or runner.pid != os.getpid():
        from skitai.workerhooks import on_worker_stop

        runner = _runner = Runner()
        on_worker_stop(_stop)
    return runner


def _stop(engine: Any) -> None:
    if _runner is not None and _runner.pid == os.getpid():
        _runner.shutdown()
