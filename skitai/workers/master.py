"""The master process: resolve mounts, bind, fork workers and keep them alive.

Everything that can fail for a whole deployment (an import error in an app, a
port already taken) happens here, once, before any fork, with a clear message.
Then the master only watches:

- a worker that dies unexpectedly is replaced in its slot (same
  ``SKITAI_WORKER_ID``, same GPU), with a growing back-off so a crash loop
  does not spin;
- SIGTERM / SIGINT are forwarded to every worker, which drain; the master waits
  (bounded by the grace period) and exits;
- SIGHUP replaces workers one by one: a new worker starts, and once it serves
  (or a bounded wait passes) the old one of that slot is told to drain.

The master runs no event loop: a self-pipe woken by signals and a 1-second
``select`` tick are all it needs, and forking from a loop-free process is safe.
"""

from __future__ import annotations

import errno
import os
import select
import signal
import socket
import sys
import time
import traceback
from typing import Callable, Sequence

from .. import state
from ..config import Config
from ..contract import Mount
from ..logs import Logs
from ..mounts.loader import TargetNotFound
from ..mounts.table import MountTable
from ..observability.metrics import worker_exited
from ..observability.setup import prepare as prepare_observability
from ..plan import Plan
from .reload import report_watch_paths, watch_paths
from .worker import ENV_WORKER_ID, STOP_SIGNALS, capture_stop_signals, run_worker

__all__ = ["serve", "bind", "Master", "EXIT_CONFIG"]

#: exit code when the launch script's mounts or address are unusable
EXIT_CONFIG = 2
#: a replacement worker gets this long to report it serves before the old one stops
READY_TIMEOUT = 15.0
#: a worker that lived this long is healthy again: its slot's back-off resets
HEALTHY_AFTER = 10.0
MAX_BACKOFF = 10.0


def bind(config: Config) -> list[socket.socket]:
    """Listening sockets for ``config.address:config.port`` (IPv4 or IPv6 by address)."""
    address = config.address or None
    infos = socket.getaddrinfo(address, config.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, sockaddr = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(sockaddr)
        sock.listen(config.backlog)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return [sock]


def serve(
    config: Config,
    site: Plan,
    log_dir: str | None,
    ready: Callable[[str | None], None] | None,
) -> int:
    """Resolve, bind and serve; returns the exit code.  ``ready`` (daemon mode)
    hears ``None`` once listening or an error message."""
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    stop_requested = capture_stop_signals()
    try:
        return _serve(config, site, log_dir, ready, stop_requested)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _serve(
    config: Config,
    site: Plan,
    log_dir: str | None,
    ready: Callable[[str | None], None] | None,
    stop_requested: list[int],
) -> int:
    logs = Logs(config, log_dir)
    try:
        mounts = site.resolve()
        table = MountTable(mounts)
    except (ValueError, TypeError) as exc:
        # a MountError carries what the app's code raised: its traceback is the
        # clue, except for a target that is not there (the message says it all)
        cause = getattr(exc, "cause", None)
        return _fail(logs, ready, str(exc), None if isinstance(cause, TargetNotFound) else cause)
    for prefix in site.log_off_prefixes:
        logs.log_off(prefix)
    _apply_max_ages(site, mounts)
    report_watch_paths(watch_paths(mounts))
    try:  # observability hook: settings checked, metrics folder made before any worker forks
        prepare_observability(config)
    except (ValueError, RuntimeError) as exc:
        return _fail(logs, ready, str(exc), None)
    try:
        cluster = state.configure(config.cluster, config.workers)
    except state.ClusterUnavailable as exc:
        return _fail(logs, ready, str(exc), None)
    try:
        sockets = bind(config)
    except OSError as exc:
        state.release()
        return _fail(logs, ready, f"cannot listen on {config.address}:{config.port}: {exc.strerror or exc}", None)
    if ready is not None:
        ready(None)
    _banner(logs, config, sockets, mounts)
    logs.info(f"skitai: cross-worker state: {cluster.scope}")
    try:
        if config.workers == 1 and log_dir is None:
            # one worker in the foreground: no master needed, the process drains itself
            return run_worker(config, table, logs, sockets, 1, stop_requested=stop_requested)
        return Master(config, table, logs, sockets, log_dir, stop_requested).run()
    finally:
        state.release()


def _fail(logs: Logs, ready: Callable[[str | None], None] | None, message: str, cause: BaseException | None) -> int:
    logs.error(f"skitai: {message}", exc_info=cause)
    if ready is not None:
        ready(message)
    logs.close()
    return EXIT_CONFIG


def _apply_max_ages(site: Plan, mounts: Sequence[Mount]) -> None:
    """Hand every ``skitai.set_max_age`` rule to the mounts that answer with
    Cache-Control (static folders); each matches it against full request paths."""
    for mount in mounts:
        setter = getattr(mount, "set_max_age", None)
        if setter is not None:
            for prefix, seconds in site.max_ages.items():
                setter(prefix, seconds)


def _banner(logs: Logs, config: Config, sockets: list[socket.socket], mounts: Sequence[Mount]) -> None:
    host, port = sockets[0].getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    mode = "devel" if config.reload else ("debug" if config.debug else "production")
    logs.info(
        f"skitai {config.name}: http://{shown}:{port} workers={config.workers} "
        f"threads={config.threads} mode={mode} pid={os.getpid()}"
    )
    for mount in mounts:
        logs.info(f"  mount {getattr(mount, 'prefix', '') or '/'} -> {mount!r}")


class _Slot:
    __slots__ = ("worker_id", "pid", "started", "failures", "restart_at")

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id
        self.pid = 0
        self.started = 0.0
        self.failures = 0
        self.restart_at = 0.0


class Master:
    def __init__(
        self,
        config: Config,
        table: MountTable,
        logs: Logs,
        sockets: list[socket.socket],
        log_dir: str | None,
        signals: list[int] | None = None,
    ) -> None:
        self.config = config
        self.table = table
        self.logs = logs
        self.sockets = sockets
        self.log_dir = log_dir
        self.slots = [_Slot(worker_id) for worker_id in range(1, config.workers + 1)]
        #: pids told to drain (old workers after SIGHUP); their exit is expected
        self.retiring: set[int] = set()
        #: (slot index, new pid, ready pipe, deadline, old pid) of the replacement under way
        self.replacing: tuple[int, int, int, float, int] | None = None
        self.reload_queue: list[int] = []
        self.stopping = False
        #: signals waiting to be handled by the main loop (may hold early stop signals)
        self._signals: list[int] = signals if signals is not None else []

    # -- main loop ------------------------------------------------------------

    def run(self) -> int:
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_read, False)
        os.set_blocking(wake_write, False)
        previous_fd = signal.set_wakeup_fd(wake_write)
        handlers = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD)
        }
        try:
            for slot in self.slots:
                self._spawn(slot)
            while not self.stopping:
                self._tick(wake_read)
            return self._stop_all()
        finally:
            signal.set_wakeup_fd(previous_fd)
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
            os.close(wake_read)
            os.close(wake_write)
            for sock in self.sockets:
                sock.close()
            self.logs.close()

    def _on_signal(self, signum: int, frame: object) -> None:
        self._signals.append(signum)

    def _tick(self, wake_read: int) -> None:
        watched = [wake_read]
        if self.replacing is not None:
            watched.append(self.replacing[2])
        try:
            readable, _, _ = select.select(watched, [], [], 1.0)
        except InterruptedError:
            readable = []
        if wake_read in readable:
            try:
                os.read(wake_read, 512)
            except BlockingIOError:
                pass
        while self._signals:
            signum = self._signals.pop(0)
            if signum in (signal.SIGTERM, signal.SIGINT):
                self.logs.info(f"skitai: {signal.Signals(signum).name}, draining workers")
                self.stopping = True
            elif signum == signal.SIGHUP:
                self.logs.info("skitai: SIGHUP, replacing workers one by one")
                self.reload_queue = list(range(len(self.slots)))
        self._reap()
        if self.stopping:
            return
        self._advance_reload()
        now = time.monotonic()
        for slot in self.slots:
            if slot.pid == 0 and now >= slot.restart_at:
                self._spawn(slot)

    # -- workers ----------------------------------------------------------------

    def _spawn(self, slot: _Slot, ready_write: int | None = None) -> int:
        self.logs.flush()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            self._child(slot.worker_id, ready_write)
        slot.pid = pid
        slot.started = time.monotonic()
        return pid

    def _child(self, worker_id: int, ready_write: int | None) -> None:
        """In the forked worker: never returns."""
        code = 1
        try:
            signal.set_wakeup_fd(-1)
            for signum in (signal.SIGHUP, signal.SIGCHLD):
                signal.signal(signum, signal.SIG_DFL)
            stop_requested = capture_stop_signals()
            os.environ[ENV_WORKER_ID] = str(worker_id)
            logs = Logs(self.config, self.log_dir)

            def ready() -> None:
                if ready_write is not None:
                    os.write(ready_write, b"1")
                    os.close(ready_write)

            code = run_worker(self.config, self.table, logs, self.sockets, worker_id, ready, stop_requested)
        except BaseException:  # the worker must exit here whatever happened, never return into the master
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            code = os.waitstatus_to_exitcode(status)
            worker_exited(pid, restarting=pid not in self.retiring and not self.stopping)  # observability hook
            if pid in self.retiring:
                self.retiring.discard(pid)
                continue
            for slot in self.slots:
                if slot.pid == pid:
                    self._worker_died(slot, code)
                    break
            else:
                if self.replacing is not None and self.replacing[1] == pid:
                    self.logs.error(f"skitai: replacement worker {pid} exited with {code}")
                    os.close(self.replacing[2])
                    self.replacing = None

    def _worker_died(self, slot: _Slot, code: int) -> None:
        slot.pid = 0
        if self.stopping:
            return
        lived = time.monotonic() - slot.started
        slot.failures = 0 if lived > HEALTHY_AFTER else slot.failures + 1
        delay = 0.0 if slot.failures <= 1 else min(MAX_BACKOFF, 0.1 * 2 ** (slot.failures - 1))
        slot.restart_at = time.monotonic() + delay
        self.logs.error(
            f"skitai: worker {slot.worker_id} died (exit {code}); restarting" + (f" in {delay:.1f}s" if delay else "")
        )

    def _advance_reload(self) -> None:
        if self.replacing is not None:
            index, new_pid, ready_read, deadline, old_pid = self.replacing
            ready = select.select([ready_read], [], [], 0)[0]
            if not ready and time.monotonic() < deadline:
                return
            os.close(ready_read)
            self.replacing = None
            slot = self.slots[index]
            slot.pid, slot.started = new_pid, time.monotonic()
            if old_pid:
                self.retiring.add(old_pid)
                _signal(old_pid, signal.SIGTERM)
        if self.reload_queue and self.replacing is None:
            index = self.reload_queue.pop(0)
            slot = self.slots[index]
            if slot.pid == 0:
                return  # a dead slot is refilled by the normal restart path
            old_pid = slot.pid
            ready_read, ready_write = os.pipe()
            twin = _Slot(slot.worker_id)
            new_pid = self._spawn(twin, ready_write)
            os.close(ready_write)
            self.replacing = (index, new_pid, ready_read, time.monotonic() + READY_TIMEOUT, old_pid)

    def _stop_all(self) -> int:
        pids = [slot.pid for slot in self.slots if slot.pid] + list(self.retiring)
        if self.replacing is not None:
            pids.append(self.replacing[1])
        for pid in pids:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + self.config.limits.graceful_timeout + 5.0
        remaining = set(pids)
        while remaining and time.monotonic() < deadline:
            for pid in list(remaining):
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid
                if done:
                    remaining.discard(pid)
            if remaining:
                time.sleep(0.05)
        for pid in remaining:
            self.logs.error(f"skitai: worker {pid} did not drain in time, killing it")
            _signal(pid, signal.SIGKILL)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self.logs.info("skitai: stopped")
        return 0


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except OSError as exc:
        if exc.errno != errno.ESRCH:
            raise
