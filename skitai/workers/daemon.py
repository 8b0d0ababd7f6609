"""Daemon control: ``start`` (``-d``), ``stop``, ``restart``, ``status``.

Each app has a folder, ``$SKITAI_HOME/<key>/`` (default ``~/.skitai/<key>/``),
holding ``skitai.pid``, ``script`` (which launch script started it) and the
``access.log`` / ``error.log`` files.  The key is ``skitai.run(name=...)``
when the script gives one, else the script's file name plus a hash of its full
path: two projects' ``serve.py`` must never share a folder, or ``stop`` in one
would stop the other.  ``start``
detaches with the classic double fork and reports back through a pipe, so the
command only says "started" once the daemon listens, and prints the daemon's
own error when it could not.
"""

from __future__ import annotations

import hashlib
import os
import re
import select
import signal
import sys
import time
from typing import Callable

from ..launch_env import ENV_HOME

__all__ = ["app_home", "read_pid", "is_running", "status", "stop", "start", "PID_FILE", "SCRIPT_FILE", "EXIT_STOPPED"]

PID_FILE = "skitai.pid"
#: the launch script that started the daemon, so ``status`` can say which it is
SCRIPT_FILE = "script"
#: LSB init-script convention: "program is not running"
EXIT_STOPPED = 3

Ready = Callable[[str | None], None]


def app_home(key: str) -> str:
    """The daemon folder for a ``skitai.run(name=...)`` or, given an absolute
    path, for that launch script (``serve-1a2b3c4d5e``: readable and unique)."""
    if os.path.isabs(key):
        stem = os.path.splitext(os.path.basename(key))[0]
        digest = hashlib.sha256(os.path.normpath(key).encode("utf-8", "surrogateescape")).hexdigest()[:10]
        key = f"{stem}-{digest}"
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", key).strip("-.") or "skitai"
    base = os.environ.get(ENV_HOME) or os.path.join(os.path.expanduser("~"), ".skitai")
    return os.path.join(base, safe)


def started_by(home: str) -> str | None:
    """The launch script recorded by ``start``, when there is one."""
    try:
        with open(os.path.join(home, SCRIPT_FILE)) as file:
            return file.read().strip() or None
    except OSError:
        return None


def pid_path(home: str) -> str:
    return os.path.join(home, PID_FILE)


def read_pid(home: str) -> int | None:
    """The recorded pid when that process is alive; a stale pid file is removed."""
    path = pid_path(home)
    try:
        with open(path) as file:
            pid = int(file.read().strip() or 0)
    except (OSError, ValueError):
        return None
    if pid > 0 and is_running(pid):
        return pid
    _remove(path)
    return None


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def status(home: str) -> int:
    pid = read_pid(home)
    script = started_by(home)
    which = f"{script}, " if script else ""
    if pid is None:
        print(f"skitai: stopped ({which}{home})")
        return EXIT_STOPPED
    print(f"skitai: running (pid {pid}, {which}{home})")
    return 0


def stop(home: str, grace: float) -> int:
    """SIGTERM the daemon and wait for it to drain and exit; SIGKILL past the grace."""
    pid = read_pid(home)
    if pid is None:
        print("skitai: not running")
        return 0
    script = started_by(home)
    which = f", {script}" if script else ""
    os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pid, grace + 5.0):
        os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, 5.0)
        print(f"skitai: killed (pid {pid}{which}) after {grace + 5.0:.0f}s")
    else:
        print(f"skitai: stopped (pid {pid}{which})")
    _remove(pid_path(home))
    return 0


def start(home: str, serve: Callable[[Ready], int], timeout: float = 60.0, script: str | None = None) -> int:
    """Detach and run ``serve(ready)`` in the daemon.  ``serve`` calls ``ready(None)``
    once it listens, or ``ready(message)`` when it cannot start.  ``script`` is
    recorded for ``status``."""
    pid = read_pid(home)
    if pid is not None:
        running = started_by(home)
        print(f"skitai: already running (pid {pid}" + (f", {running})" if running else ")"), file=sys.stderr)
        return 1
    os.makedirs(home, exist_ok=True)
    if script is not None:
        with open(os.path.join(home, SCRIPT_FILE), "w") as file:
            file.write(f"{script}\n")
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    if os.fork() > 0:
        os.close(write_end)
        return _await_report(read_end, home, timeout)
    os.close(read_end)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    _become_daemon(home)
    reported = False

    def ready(message: str | None) -> None:
        nonlocal reported
        if reported:
            return
        reported = True
        if message is None:
            with open(pid_path(home), "w") as file:
                file.write(f"{os.getpid()}\n")
        os.write(write_end, (message or "ok").encode("utf-8", "replace"))
        os.close(write_end)

    code = 1
    try:
        code = serve(ready)
    except BaseException as exc:  # the daemon has no terminal: report whatever stopped it
        ready(f"{type(exc).__name__}: {exc}")
        if isinstance(exc, SystemExit):
            code = exc.code if isinstance(exc.code, int) else 1
    finally:
        ready(f"exited with code {code} before listening")
        if read_pid(home) == os.getpid():
            _remove(pid_path(home))
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _become_daemon(home: str) -> None:
    """Detach the standard streams: stdin from /dev/null, the rest to error.log."""
    os.umask(0o022)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    log = os.open(os.path.join(home, "error.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)


def _await_report(read_end: int, home: str, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    chunks = []
    while time.monotonic() < deadline:
        readable, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
        if not readable:
            break
        chunk = os.read(read_end, 4096)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    report = b"".join(chunks).decode("utf-8", "replace")
    if report == "ok":
        script = started_by(home)
        which = f" {script}" if script else ""
        print(f"skitai: started{which} (pid {read_pid(home)}), logs in {home}")
        return 0
    reason = report or f"no report within {timeout:.0f}s"
    print(f"skitai: could not start: {reason}", file=sys.stderr)
    print(f"skitai: see {os.path.join(home, 'error.log')}", file=sys.stderr)
    return 1


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(pid) or _is_zombie(pid):
            return True
        time.sleep(0.05)
    return False


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
