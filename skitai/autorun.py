"""Serve a launch script that mounted apps but never called ``skitai.run()``.

The documented short launch script ends after ``skitai.mount(...)`` inside
``with skitai.preference() as pref:`` and is still documented to serve.  When
``skitai.mount`` is called from the ``__main__`` module, a hook is armed that
runs the server once the script's code has finished, unless ``run()`` was called
or the script died of an exception.  Mounts made by imported modules, tests or
an interactive session never arm it.

NOTE: ``atexit`` is too late (thread pools can no longer start by then), so the
hook wraps ``threading._shutdown``, which the interpreter calls from the main
thread right after the main module ends and before anything is torn down.
"""

from __future__ import annotations

import sys
import threading
from types import FrameType, TracebackType
from typing import Any, Callable

__all__ = ["arm", "mark_ran"]

_state = {"armed": False, "ran": False, "failed": False}


def arm(caller: FrameType | None, run: Callable[[], object]) -> None:
    """Serve with ``run()`` once the main module ends, if ``caller`` is its code."""
    if _state["armed"] or caller is None or caller.f_globals.get("__name__") != "__main__":
        return
    if not getattr(sys.modules.get("__main__"), "__file__", None):
        return  # python -c / interactive: nothing to keep alive
    _state["armed"] = True
    previous: Callable[..., Any] = sys.excepthook

    def excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        _state["failed"] = True
        previous(kind, value, tb)

    sys.excepthook = excepthook
    original: Callable[[], None] = threading._shutdown  # type: ignore[attr-defined]

    def shutdown() -> None:
        _run_if_forgotten(run)
        original()

    threading._shutdown = shutdown  # type: ignore[attr-defined]


def mark_ran() -> None:
    _state["ran"] = True


def _run_if_forgotten(run: Callable[[], object]) -> None:
    if _state["ran"] or _state["failed"]:
        return
    try:
        run()
    except SystemExit as exc:
        if exc.code not in (0, None):
            sys.stderr.write(f"skitai exited with {exc.code}\n")
