"""``--devel`` reloading, supervisor side: restart the launch script on source
changes, unless the server reloads the changed file in place.

The supervisor does not serve.  It runs the launch script again as a child
process (with ``SKITAI_RELOADED`` set, so the child serves) and watches ``.py``
files under the script's folder and under every mount's ``watch_paths()``.
Restarting the whole script, not re-importing modules in a live process, is
what reloads the root module and the launch script and what survives a syntax
error: a child that dies is left dead until the next change, and meanwhile the
supervisor answers its port with a 500 page showing what the child printed
(:mod:`.error_page`), so the browser shows the error instead of refusing to connect.

Service modules are cheaper to reload in place (:mod:`.devel`, in the child),
so the two sides share two small JSON files, both named by environment
variables the supervisor sets:

- ``SKITAI_WATCH_FILE``: extra paths the child's mounts want watched;
- ``SKITAI_RELOAD_MANIFEST``: the files the child reloads in place right now.
  The supervisor skips the restart for a batch of changes only when every
  changed file is listed there.  The file is deleted before each child starts
  and the child writes it only once its own watcher runs, so a change nobody
  would pick up always restarts.  A child whose in-place reload fails clears
  it and exits with :data:`EXIT_RELOAD_FAILED`; the supervisor then starts a
  fresh child at once, which serves the current code or dies showing the error.
"""

from __future__ import annotations

import collections
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from typing import IO, Any, Callable, Collection, Iterable, Sequence

from ..launch_env import ENV_RELOAD_MANIFEST, ENV_RELOADED, ENV_WATCH_FILE

__all__ = [
    "supervise",
    "report_watch_paths",
    "watch_paths",
    "restart_needed",
    "write_manifest",
    "read_manifest",
    "clear_manifest",
    "drop_bytecode",
    "ENV_WATCH_FILE",
    "ENV_RELOAD_MANIFEST",
    "EXIT_RELOAD_FAILED",
]

#: exit code of a child whose in-place reload failed or that cannot follow a
#: change in place (sysexits' EX_TEMPFAIL: "try again"): the supervisor starts
#: a fresh child at once instead of waiting for the next change
EXIT_RELOAD_FAILED = 75
#: how long a restarted child gets to drain before it is killed
CHILD_GRACE = 10.0
#: watchfiles batches changes arriving within this many milliseconds
DEBOUNCE_MS = 200


def watch_paths(mounts: Iterable[Any]) -> list[str]:
    """Folders and files whose change restarts a ``--devel`` server (the mounts'
    optional ``watch_paths()``)."""
    paths: list[str] = []
    for mount in mounts:
        watch = getattr(mount, "watch_paths", None)
        if watch is None:
            continue
        for path in watch():
            path = os.path.abspath(path)
            if path not in paths and os.path.exists(path):
                paths.append(path)
    return paths


def report_watch_paths(paths: Sequence[str]) -> None:
    """In the reloaded child: tell the supervisor what to watch (no-op otherwise)."""
    target = os.environ.get(ENV_WATCH_FILE)
    if target:
        _write_json(target, list(paths))


def write_manifest(paths: Iterable[str]) -> None:
    """In the child: these files are reloaded in place from now on (no-op when
    not supervised)."""
    target = os.environ.get(ENV_RELOAD_MANIFEST)
    if target:
        _write_json(target, sorted(_normal(path) for path in paths))


def clear_manifest() -> None:
    """In the child: nothing is reloaded in place any more; every change restarts."""
    target = os.environ.get(ENV_RELOAD_MANIFEST)
    if target:
        _discard(target)


def read_manifest(path: str) -> frozenset[str]:
    """The files the child reloads in place; empty when it has not said (yet)."""
    try:
        with open(path) as file:
            paths = json.load(file)
    except (OSError, ValueError):
        return frozenset()
    if not isinstance(paths, list):
        return frozenset()
    return frozenset(p for p in paths if isinstance(p, str))


def restart_needed(changed: Iterable[str], reloadable: Collection[str], child_running: bool) -> bool:
    """Whether a batch of changed paths needs a new child.

    A dead child is always restarted; a live one only when some changed file is
    not one it reloads in place (the root module, the launch script, a helper
    module, a new file...).
    """
    paths = [_normal(path) for path in changed]
    if not paths:
        return False
    if not child_running:
        return True
    return any(path not in reloadable for path in paths)


def drop_bytecode(paths: Iterable[str]) -> None:
    """Delete the cached bytecode of changed sources.

    NOTE: a ``.pyc`` is trusted when the source's mtime (whole seconds) and size
    match; an edit of the same length within the second it was compiled would
    otherwise load the old code.
    """
    for path in paths:
        if not path.endswith(".py"):
            continue
        try:
            _discard(importlib.util.cache_from_source(path))
        except (ValueError, NotImplementedError):
            continue


def _normal(path: str) -> str:
    return os.path.realpath(path)


def _write_json(target: str, value: object) -> None:
    temporary = f"{target}.{os.getpid()}"
    with open(temporary, "w") as file:
        json.dump(value, file)
    os.replace(temporary, target)


def _discard(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError:
        pass  # a read-only cache folder: nothing we can clean


def _read_watch_file(path: str) -> list[str]:
    try:
        with open(path) as file:
            paths = json.load(file)
    except (OSError, ValueError):
        return []
    return [p for p in paths if isinstance(p, str) and os.path.exists(p)]


def _temporary_file(prefix: str) -> str:
    handle, path = tempfile.mkstemp(prefix=prefix, suffix=".json")
    os.close(handle)
    return path


#: how many of the child's last stderr lines the error page may show
TAIL_LINES = 400

#: ``show_error(output, exit_code)`` serves the error and returns what closes the port again
ShowError = Callable[[str, "int | None"], Callable[[], None]]


class _Tail:
    """Copies a child's stderr to ours, keeping its last lines for the error page."""

    def __init__(self, stream: IO[bytes] | None) -> None:
        self.lines: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self._thread = threading.Thread(target=self._copy, args=(stream,), name="skitai-child-stderr", daemon=True)
        if stream is not None:
            self._thread.start()

    def _copy(self, stream: IO[bytes]) -> None:
        out = getattr(sys.stderr, "buffer", None)
        for line in iter(stream.readline, b""):
            text = line.decode("utf-8", "replace")
            self.lines.append(text)
            try:
                if out is not None:
                    out.write(line)
                    out.flush()
                else:
                    sys.stderr.write(text)
                    sys.stderr.flush()
            except (OSError, ValueError):
                pass  # our own stderr is gone; keep draining the child's
        stream.close()

    def text(self) -> str:
        """Everything kept; waits (bounded) for the output of a child that just exited."""
        if self._thread.is_alive():
            self._thread.join(2.0)
        return "".join(self.lines)


def supervise(argv: Sequence[str], root: str, show_error: ShowError | None = None) -> int:
    """Run ``argv`` as a child and restart it on changes, until SIGTERM/SIGINT.

    When the child dies of an error, ``show_error`` (if given) answers the
    port with it until the next change.
    """
    import watchfiles

    stop = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: stop.set()) for signum in (signal.SIGTERM, signal.SIGINT)}
    watch_file = _temporary_file("skitai-watch-")
    manifest = _temporary_file("skitai-reload-")
    env = dict(os.environ, **{ENV_RELOADED: "1", ENV_WATCH_FILE: watch_file, ENV_RELOAD_MANIFEST: manifest})

    tail = _Tail(None)
    hide_error: Callable[[], None] | None = None

    def spawn() -> "subprocess.Popen[bytes]":
        nonlocal tail, hide_error
        if hide_error is not None:
            hide_error()  # free the port for the new child
            hide_error = None
        _discard(manifest)  # the old child's promises are void
        process = subprocess.Popen(list(argv), env=env, stderr=subprocess.PIPE if show_error else None)
        tail = _Tail(process.stderr)
        return process

    child = spawn()
    reported_exit = False
    try:
        while not stop.is_set():
            extra = _read_watch_file(watch_file)
            paths = _roots([root, *extra])
            for changes in watchfiles.watch(
                *paths,
                watch_filter=watchfiles.PythonFilter(),
                debounce=DEBOUNCE_MS,
                rust_timeout=500,
                yield_on_timeout=True,
                stop_event=stop,
                raise_interrupt=False,
            ):
                if stop.is_set():
                    break
                running = child.poll() is None
                if changes:
                    changed = {path for _, path in changes}
                    if restart_needed(changed, read_manifest(manifest), running):
                        shown = sorted({os.path.relpath(path, root) for path in changed})
                        print(f"skitai: {', '.join(shown)} changed, restarting", file=sys.stderr, flush=True)
                        _terminate(child)
                        drop_bytecode(changed)
                        child = spawn()
                        reported_exit = False
                elif not running and child.returncode == EXIT_RELOAD_FAILED:
                    print(
                        "skitai: the server could not reload in place; starting it again", file=sys.stderr, flush=True
                    )
                    child = spawn()
                    reported_exit = False
                elif not running and not reported_exit:
                    reported_exit = True
                    print(
                        f"skitai: server exited with code {child.returncode}; waiting for a change to restart",
                        file=sys.stderr,
                        flush=True,
                    )
                    if show_error is not None and child.returncode != 0:
                        hide_error = show_error(tail.text(), child.returncode)
                if _read_watch_file(watch_file) != extra:
                    break  # the child mounted other paths: watch them too
        return 0
    finally:
        _terminate(child)
        if hide_error is not None:
            hide_error()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _discard(watch_file)
        _discard(manifest)


def _roots(paths: Sequence[str]) -> list[str]:
    """Drop paths already covered by another one (watching both doubles events)."""
    unique = sorted({os.path.abspath(p) for p in paths}, key=len)
    kept: list[str] = []
    for path in unique:
        if not any(path == k or path.startswith(k.rstrip(os.sep) + os.sep) for k in kept):
            kept.append(path)
    return kept


def _terminate(child: "subprocess.Popen[bytes]") -> None:
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(CHILD_GRACE)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
