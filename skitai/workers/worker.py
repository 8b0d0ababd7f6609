"""One serving process: an event loop, a thread pool and a Server.

Runs in a forked child of the master, or in the launching process itself when
one worker is enough.  SIGTERM and SIGINT drain: the server stops accepting,
finishes in-flight requests within the grace period and the process exits 0.

Under a ``--devel`` supervisor the worker also reloads changed service modules
in place (:mod:`.devel`); when such a reload fails it drains and exits with
``EXIT_RELOAD_FAILED`` so that no half-reloaded code keeps serving.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from typing import TYPE_CHECKING, Callable

from ..config import Config
from ..logs import Logs
from ..mounts.table import MountTable

if TYPE_CHECKING:
    from ..server import Server
    from .devel import InPlaceReloader

__all__ = [
    "run_worker",
    "new_event_loop",
    "worker_environment",
    "capture_stop_signals",
    "ENV_WORKER_ID",
    "STOP_SIGNALS",
]

ENV_WORKER_ID = "SKITAI_WORKER_ID"


def worker_environment(config: Config, worker_id: int) -> dict[str, str]:
    """Environment a worker runs with: its id and, when GPUs are configured, its
    own ``CUDA_VISIBLE_DEVICES`` (round-robin over ``config.gpus``)."""
    env = {ENV_WORKER_ID: str(worker_id)}
    if config.gpus:
        env["CUDA_VISIBLE_DEVICES"] = config.gpus[(worker_id - 1) % len(config.gpus)]
    return env


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def capture_stop_signals() -> list[int]:
    """Record SIGTERM/SIGINT from now on instead of dying of them.

    NOTE: the port answers as soon as it is bound, well before a worker's loop
    installs its handlers; a stop sent in that window must still mean "drain",
    not "killed by the default handler".
    """
    received: list[int] = []
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda number, frame: received.append(number))
    return received


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop when installed (faster I/O), the stock loop otherwise."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def run_worker(
    config: Config,
    table: MountTable,
    logs: Logs,
    sockets: list[socket.socket],
    worker_id: int,
    on_ready: Callable[[], None] | None = None,
    stop_requested: list[int] | None = None,
) -> int:
    """Serve until SIGTERM/SIGINT, then drain.  Returns the exit code (0 after a
    clean drain, 1 when the server could not start, ``EXIT_RELOAD_FAILED``
    after a failed ``--devel`` in-place reload).

    ``stop_requested`` collects stop signals that arrived before the loop took
    over signal handling (see :func:`capture_stop_signals`); any entry means
    "drain at once".
    """
    from ..server import Server

    os.environ.update(worker_environment(config, worker_id))
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    # NOTE: the Server owns the thread pool (config.threads) and installs it as
    # the loop's default executor in start().
    server = Server(config, table, logs, worker_id)
    try:
        return loop.run_until_complete(_serve(loop, server, sockets, config, logs, on_ready, stop_requested))
    finally:
        loop.close()
        logs.close()


async def _serve(
    loop: asyncio.AbstractEventLoop,
    server: "Server",
    sockets: list[socket.socket],
    config: Config,
    logs: Logs,
    on_ready: Callable[[], None] | None,
    stop_requested: list[int] | None,
) -> int:
    stopping = asyncio.Event()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stopping.set)
    if stop_requested:
        stopping.set()
    # the master's reload signal means nothing to a worker
    loop.add_signal_handler(signal.SIGHUP, lambda: None)

    # NOTE: ``start`` may return once serving or keep running until shutdown;
    # both work because we wait for whichever comes first.
    starting = asyncio.ensure_future(server.start(sockets))
    waiting = asyncio.ensure_future(stopping.wait())
    await asyncio.wait({starting, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if starting.done() and starting.exception() is not None:
        waiting.cancel()
        logs.error(f"worker {os.getpid()} could not start", exc_info=starting.exception())
        return 1
    if on_ready is not None:
        on_ready()
    reloader = _start_reloader(config, server, logs, stopping)
    await waiting
    if reloader is not None:
        await reloader.stop()
    await server.shutdown(config.limits.graceful_timeout)
    if not starting.done():
        starting.cancel()
        try:
            await starting
        except asyncio.CancelledError:
            pass
    if reloader is not None and reloader.failed:
        from .reload import EXIT_RELOAD_FAILED

        return EXIT_RELOAD_FAILED
    return 0


def _start_reloader(config: Config, server: "Server", logs: Logs, stopping: asyncio.Event) -> "InPlaceReloader | None":
    """The ``--devel`` in-place reloader, once the mounts have started (their
    reload targets are known only after their start-up hooks ran)."""
    from .devel import InPlaceReloader, in_place_enabled

    if not in_place_enabled(config):
        return None
    reloader = InPlaceReloader(server.mounts, logs, on_failure=stopping.set)
    reloader.start()
    return reloader
