"""``--devel`` reloading: a supervisor restarts the launch script on source changes.

The supervisor does not serve.  It runs the launch script again as a child
process (with ``SKITAI_RELOADED`` set, so the child serves) and restarts it
whenever a ``.py`` file changes under the script's folder or under a mount's
``watch_paths()``.  Restarting the whole script, not re-importing modules in a
live process, is what makes the root module reload too and what survives a
syntax error: a child that dies is simply left dead until the next change.

The child tells the supervisor which paths its mounts want watched through a
small JSON file named in ``SKITAI_WATCH_FILE``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from typing import Sequence

__all__ = ["supervise", "report_watch_paths", "ENV_WATCH_FILE"]

ENV_WATCH_FILE = "SKITAI_WATCH_FILE"
#: how long a restarted child gets to drain before it is killed
CHILD_GRACE = 10.0
#: watchfiles batches changes arriving within this many milliseconds
DEBOUNCE_MS = 200


def report_watch_paths(paths: Sequence[str]) -> None:
    """In the reloaded child: tell the supervisor what to watch (no-op otherwise)."""
    target = os.environ.get(ENV_WATCH_FILE)
    if not target:
        return
    temporary = f"{target}.{os.getpid()}"
    with open(temporary, "w") as file:
        json.dump(list(paths), file)
    os.replace(temporary, target)


def _read_watch_file(path: str) -> list[str]:
    try:
        with open(path) as file:
            paths = json.load(file)
    except (OSError, ValueError):
        return []
    return [p for p in paths if isinstance(p, str) and os.path.exists(p)]


def supervise(argv: Sequence[str], root: str) -> int:
    """Run ``argv`` as a child and restart it on changes, until SIGTERM/SIGINT."""
    import watchfiles

    from ..cli import ENV_RELOADED

    stop = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: stop.set()) for signum in (signal.SIGTERM, signal.SIGINT)}
    handle, watch_file = tempfile.mkstemp(prefix="skitai-watch-", suffix=".json")
    os.close(handle)
    env = dict(os.environ, **{ENV_RELOADED: "1", ENV_WATCH_FILE: watch_file})
    child = subprocess.Popen(list(argv), env=env)
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
                if changes:
                    changed = sorted({os.path.relpath(path, root) for _, path in changes})
                    print(f"skitai: {', '.join(changed)} changed, restarting", file=sys.stderr, flush=True)
                    _terminate(child)
                    child = subprocess.Popen(list(argv), env=env)
                    reported_exit = False
                elif child.poll() is not None and not reported_exit:
                    reported_exit = True
                    print(
                        f"skitai: server exited with code {child.returncode}; waiting for a change to restart",
                        file=sys.stderr,
                        flush=True,
                    )
                if _read_watch_file(watch_file) != extra:
                    break  # the child mounted other paths: watch them too
        return 0
    finally:
        _terminate(child)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        try:
            os.remove(watch_file)
        except FileNotFoundError:
            pass


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
