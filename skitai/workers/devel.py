"""``--devel``, inside the serving process: reload changed service modules in place.

Restarting the whole server for every saved file is slow once an app imports
much (Django, numpy, a model), and it drops websockets and sessions held in
memory.  Most edits touch a service module, which a mount can swap on a live
worker: an Atila app unmounts the module's routes, re-imports it and runs its
hooks again.  Mounts opt in with two optional methods (see
:class:`skitai.contract.Mount`): ``reload_targets()`` lists the files they can
reload, ``reload(path)`` reloads one.

A change to a module that a reload dropped, or a reload that mounts a module
in a folder the worker does not watch, restarts the worker too: rare, and
simpler than moving the watch.

The reload runs on the event loop, so no request is dispatched between the
removal of the old routes and the arrival of the new ones.  If it fails
(syntax error, import error, a hook raising) the worker's state is half old,
half missing, so it must not go on serving: the traceback is logged, the
manifest cleared and the worker drains and exits with
:data:`~.reload.EXIT_RELOAD_FAILED`; the supervisor starts it again from
scratch (:mod:`.reload` explains the hand-shake).

Only the supervised single-worker process reloads in place: a master would
re-fork a crashed worker from its own memory, which holds the code as first
imported.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
from typing import Any, Callable, Iterable, Mapping

from ..config import Config
from ..logs import Logs
from .reload import ENV_RELOAD_MANIFEST, clear_manifest, drop_bytecode, write_manifest

__all__ = ["InPlaceReloader", "in_place_enabled", "reload_targets"]

#: changes arriving within this many milliseconds are reloaded together
DEBOUNCE_MS = 100
#: the watcher wakes this often while idle; its first wake-up proves it watches
WATCH_TICK_MS = 250
#: how long stopping the watcher may take before its task is cancelled
STOP_TIMEOUT = 2.0


def in_place_enabled(config: Config, environ: Mapping[str, str] | None = None) -> bool:
    """True in the process a ``--devel`` supervisor runs, when it serves alone."""
    env = os.environ if environ is None else environ
    return bool(config.reload and config.workers == 1 and env.get(ENV_RELOAD_MANIFEST))


def reload_targets(mounts: Iterable[Any]) -> dict[str, list[Any]]:
    """Every file some mount reloads in place (real path) -> the mounts that do."""
    targets: dict[str, list[Any]] = {}
    for mount in mounts:
        listed = getattr(mount, "reload_targets", None)
        if listed is None or getattr(mount, "reload", None) is None:
            continue
        for path in listed():
            owners = targets.setdefault(os.path.realpath(path), [])
            if mount not in owners:
                owners.append(mount)
    return targets


class InPlaceReloader:
    """Watches the mounts' reload targets and reloads them on the loop.

    ``on_failure`` is called once when a reload fails; the worker then drains
    and exits with :data:`~.reload.EXIT_RELOAD_FAILED`.
    """

    def __init__(self, mounts: Iterable[Any], logs: Logs, on_failure: Callable[[], None]) -> None:
        self.mounts = list(mounts)
        self.logs = logs
        self.on_failure = on_failure
        self.failed = False
        self._stop = asyncio.Event()
        self._task: asyncio.Future[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        """Stop watching (bounded); called before the worker drains."""
        self._stop.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), STOP_TIMEOUT)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        try:
            targets = reload_targets(self.mounts)
            if targets:
                await self._watch(targets)
        except Exception as exc:  # the watcher itself broke (a folder vanished...)
            self.logs.error("skitai: in-place reloading stopped; every change now restarts the server", exc_info=exc)
        finally:
            clear_manifest()  # a worker that no longer watches promises nothing

    async def _watch(self, targets: dict[str, list[Any]]) -> None:
        """Reload changed targets until stopped or until in-place reloading
        cannot go on (then the worker is asked to exit)."""
        import watchfiles

        folders = sorted({os.path.dirname(path) for path in targets})
        # NOTE: every path that was ever a target stays watched: a change to one
        # the supervisor skipped (it was in the manifest it read) but that a
        # reload meanwhile dropped must not go unnoticed.
        known = set(targets)

        def wanted(change: Any, path: str) -> bool:
            return os.path.realpath(path) in known

        # NOTE: folders, not files: editors that save by renaming a new file over
        # the old one would leave a watch on the file itself blind.  One watcher
        # for the worker's life: replacing it would leave a moment unwatched.
        changes_stream = watchfiles.awatch(
            *folders,
            watch_filter=wanted,
            debounce=DEBOUNCE_MS,
            rust_timeout=WATCH_TICK_MS,
            yield_on_timeout=True,
            recursive=False,
            stop_event=self._stop,
        )
        announced = False
        async with contextlib.aclosing(changes_stream) as stream:
            async for changes in stream:
                if not announced:
                    write_manifest(targets)  # first yield: the watcher is live
                    announced = True
                if not changes or self._stop.is_set():
                    continue
                changed = sorted({os.path.realpath(path) for _, path in changes} & known)
                dropped = [path for path in changed if path not in targets]
                if dropped:
                    self._give_up(f"{', '.join(dropped)} changed but is no longer reloaded in place")
                    return
                if not await self._reload(changed, targets):
                    return
                targets = reload_targets(self.mounts)
                unwatched = sorted(path for path in targets if os.path.dirname(path) not in folders)
                if unwatched:
                    self._give_up(f"{', '.join(unwatched)} is now mounted outside the watched folders")
                    return
                known.update(targets)
                write_manifest(targets)

    async def _reload(self, changed: list[str], targets: dict[str, list[Any]]) -> bool:
        drop_bytecode(changed)
        for path in changed:
            for mount in targets.get(path, ()):
                try:
                    result = mount.reload(path)
                    if inspect.isawaitable(result):
                        await result
                except (Exception, SystemExit) as exc:  # whatever the module's code raised
                    self._fail(path, mount, exc)
                    return False
                self.logs.info(f"skitai: reloaded {path} in {mount!r}")
        return True

    def _fail(self, path: str, mount: Any, exc: BaseException) -> None:
        clear_manifest()
        self.failed = True
        self.logs.error(f"skitai: reloading {path} in {mount!r} failed; this worker stops", exc_info=exc)
        self.on_failure()

    def _give_up(self, reason: str) -> None:
        """Rare cases a live worker cannot follow: exit like a failed reload, so
        the supervisor starts a fresh worker at once."""
        clear_manifest()
        self.failed = True
        self.logs.info(f"skitai: {reason}; restarting the worker")
        self.on_failure()
