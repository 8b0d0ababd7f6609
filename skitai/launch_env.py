"""Where the launch script lives, and the environment names the launcher's processes share.

A leaf: the command line (:mod:`skitai.cli`), the mount loader, the ``--devel``
supervisor and the workers all need these facts, and none of them may import
the others to get them (that made ``cli -> site -> mounts.loader -> cli`` a cycle).
"""

from __future__ import annotations

import os
import sys

__all__ = [
    "ENV_HOME",
    "ENV_MODE",
    "ENV_RELOADED",
    "ENV_RELOAD_MANIFEST",
    "ENV_WATCH_FILE",
    "script_dir",
    "script_path",
]

#: set by the launcher so that child processes and ``skitai.is_devel()`` agree
ENV_MODE = "SKITAI_ENV"
#: set in the process the --devel supervisor runs, so it serves instead of supervising
ENV_RELOADED = "SKITAI_RELOADED"
#: the supervisor's file where the child lists extra paths to watch
ENV_WATCH_FILE = "SKITAI_WATCH_FILE"
#: the supervisor's file where the child lists what it reloads in place
ENV_RELOAD_MANIFEST = "SKITAI_RELOAD_MANIFEST"
#: the folder holding each daemon's pid and log folder (default ``~/.skitai``)
ENV_HOME = "SKITAI_HOME"


def script_path() -> str:
    """The launch script, absolute.  Falls back to the working folder (interactive use)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None) or (sys.argv[0] if sys.argv and sys.argv[0] else "")
    if not path or path == "-c":
        return os.path.join(os.getcwd(), "-")
    return os.path.abspath(path)


def script_dir() -> str:
    """The folder relative mount targets and ``skitai.joinpath`` resolve against."""
    return os.path.dirname(script_path())
