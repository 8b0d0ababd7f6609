"""The launch script's command line; the only place that reads ``sys.argv``.

``skitai.run()`` calls :func:`launch`, which reads the switches, then either
answers a daemon command (``start|stop|restart|status``), starts the ``--devel``
reloader, or serves in the foreground.  Unknown arguments are left alone: launch
scripts may have switches of their own.

Example::

    python serve.py --devel --port 8000
    python serve.py -d            # same as "start": run as a daemon
    python serve.py status        # exit code 0 running, 3 stopped
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from typing import Any, Sequence

from .config import Config, Limits

__all__ = ["Options", "parse", "launch", "script_path", "script_dir", "is_devel", "build_config"]

COMMANDS = ("start", "stop", "restart", "status")

#: set by the launcher so that child processes and ``skitai.is_devel()`` agree
ENV_MODE = "SKITAI_ENV"
#: set in the process the --devel reloader runs, so it serves instead of supervising
ENV_RELOADED = "SKITAI_RELOADED"


@dataclasses.dataclass
class Options:
    command: str | None = None
    devel: bool = False
    production: bool = False
    port: int | None = None
    address: str | None = None
    workers: int | None = None
    threads: int | None = None
    log_json: bool = False
    #: arguments the launcher does not know (left for the script)
    extra: list[str] = dataclasses.field(default_factory=list)


def _parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        usage="%(prog)s [options] [start|stop|restart|status]",
        description="Run this Skitai launch script.",
        epilog=(
            "commands: start (same as -d) runs as a daemon, stop, restart, status "
            "(exit code 0 running, 3 stopped). Pid and log files live in "
            "$SKITAI_HOME/<name>/ (default ~/.skitai/<name>/)."
        ),
    )
    parser.add_argument("--devel", action="store_true", help="debug on, reload on source changes")
    parser.add_argument(
        "---production",
        dest="production",
        action="store_true",
        help="kill switch: debug and reloading off, whatever else says",
    )
    parser.add_argument("-d", dest="daemon", action="store_true", help="start as a daemon")
    parser.add_argument("--port", type=int, help="port to listen on")
    parser.add_argument("--address", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--workers", type=int, help="worker processes")
    parser.add_argument("--threads", type=int, help="threads per worker for sync handlers")
    parser.add_argument("--log-json", action="store_true", help="access log as JSON lines")
    return parser


def parse(argv: Sequence[str], prog: str | None = None) -> Options:
    """Read launcher switches from ``argv`` (without the script name).

    ``--help`` prints usage and exits; a bad value (``--port x``) exits with 2
    and a message naming the switch, as argparse does.
    """
    known, extra = _parser(prog).parse_known_args(list(argv))
    command = next((arg for arg in extra if arg in COMMANDS), None)
    if command is None and known.daemon:
        command = "start"
    for name in ("port", "workers", "threads"):
        value = getattr(known, name)
        if value is not None and value < (0 if name == "port" else 1):
            _parser(prog).error(f"--{name} must be a positive number, got {value}")
    return Options(
        command=command,
        devel=known.devel,
        production=known.production,
        port=known.port,
        address=known.address,
        workers=known.workers,
        threads=known.threads,
        log_json=known.log_json,
        extra=[arg for arg in extra if arg != command],
    )


def script_path() -> str:
    """The launch script, absolute.  Falls back to the working folder (interactive use)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None) or (sys.argv[0] if sys.argv and sys.argv[0] else "")
    if not path or path == "-c":
        return os.path.join(os.getcwd(), "-")
    return os.path.abspath(path)


def script_dir() -> str:
    return os.path.dirname(script_path())


def is_devel() -> bool:
    """True when running with ``--devel`` and without ``---production``."""
    mode = os.environ.get(ENV_MODE)
    if mode:
        return mode == "DEVEL"
    options = parse_quietly(sys.argv[1:])
    return options.devel and not options.production


def parse_quietly(argv: Sequence[str]) -> Options:
    """``parse`` for look-ups outside ``run()``: never exits, bad switches are ignored."""
    try:
        return parse([arg for arg in argv if arg not in ("-h", "--help")])
    except SystemExit:
        return Options()


_CONFIG_FIELDS = {field.name for field in dataclasses.fields(Config)}
_LIMIT_FIELDS = {field.name for field in dataclasses.fields(Limits)}


def build_config(settings: dict[str, Any], options: Options, prefs: Sequence[Any] = ()) -> Config:
    """Merge ``skitai.run(**settings)`` with the command line (the command line wins).

    Limits may be given flat (``graceful_timeout=5``) or as ``limits=Limits(...)``.
    A mounted pref with ``debug``/``use_reloader`` set (seed 004) turns those on as
    ``--devel`` does; ``---production`` turns both off whatever asked for them.
    Reloading serves with one worker: a master would re-fork stale code.
    """
    values: dict[str, Any] = {}
    limit_values: dict[str, Any] = {}
    for name, value in settings.items():
        if name in _CONFIG_FIELDS:
            values[name] = value
        elif name in _LIMIT_FIELDS:
            limit_values[name] = value
        else:
            raise TypeError(f"skitai.run() got an unknown setting {name!r}")
    if limit_values:
        values["limits"] = dataclasses.replace(values.get("limits", Limits()), **limit_values)
    for name in ("port", "address", "workers", "threads"):
        if getattr(options, name) is not None:
            values[name] = getattr(options, name)
    if "gpus" in values:
        values["gpus"] = tuple(str(gpu) for gpu in values["gpus"])
    if options.log_json:
        values["access_log_json"] = True
    production = options.production
    devel = options.devel and not production
    pref_debug = any(getattr(pref, "debug", False) for pref in prefs)
    pref_reload = any(getattr(pref, "use_reloader", False) for pref in prefs)
    values["debug"] = not production and (devel or values.get("debug", False) or pref_debug)
    values["reload"] = not production and (devel or pref_reload)
    if values["reload"]:
        values["workers"] = 1
    if not values.get("name"):
        values["name"] = os.path.splitext(os.path.basename(script_path()))[0] or "skitai"
    return Config(**values)


def launch(settings: dict[str, Any], argv: Sequence[str] | None = None) -> int:
    """What ``skitai.run`` does: read the command line, then serve or control the daemon.

    Returns the process exit code.
    """
    from .site import current_site
    from .workers import daemon, master, reload

    args = sys.argv[1:] if argv is None else list(argv)
    options = parse(args, prog=os.path.basename(script_path()))
    prefs = [entry.pref for entry in current_site().entries if entry.pref is not None]
    config = build_config(settings, options, prefs)
    os.environ[ENV_MODE] = "DEVEL" if config.reload else "PRODUCTION"
    app_home = daemon.app_home(config.name)

    if options.command == "status":
        return daemon.status(app_home)
    if options.command == "stop":
        return daemon.stop(app_home, config.limits.graceful_timeout)
    if options.command == "restart":
        daemon.stop(app_home, config.limits.graceful_timeout)
    if options.command in ("start", "restart"):
        return daemon.start(app_home, lambda ready: master.serve(config, current_site(), app_home, ready))

    if config.reload and not os.environ.get(ENV_RELOADED):
        return reload.supervise([sys.executable, script_path(), *args], script_dir())
    return master.serve(config, current_site(), None, None)
