"""The launch script's command line; the only place that reads ``sys.argv``.

``skitai.run()`` calls :func:`launch`, which reads the switches, then either
answers a daemon command (``start|stop|restart|status``), starts the ``--devel``
reloader, or serves in the foreground.  A switch the launcher does not know
stops the launch with a message naming it: a launch script that has switches
of its own declares them with ``skitai.getopt`` (:mod:`skitai.switches`).

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
from .launch_env import ENV_MODE, ENV_RELOADED, script_dir, script_path
from .plan import Plan
from .switches import Switch

__all__ = ["Options", "parse", "parse_quietly", "launch", "is_devel", "build_config", "daemon_key"]

COMMANDS = ("start", "stop", "restart", "status")


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
    #: the launch script's own switches, in command-line order: ``[("-f", "a.txt"), ("--ssl", "")]``
    switches: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    #: arguments that are neither switches nor a daemon command (for the script)
    args: list[str] = dataclasses.field(default_factory=list)
    #: switches nobody declared (only kept by a lenient parse)
    unknown: list[str] = dataclasses.field(default_factory=list)


#: (flags, argparse keywords) of the launcher's own switches
_LAUNCHER_SWITCHES: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (("--devel",), {"action": "store_true", "help": "debug on, reload on source changes"}),
    (
        ("---production",),
        {
            "dest": "production",
            "action": "store_true",
            "help": "kill switch: debug and reloading off, whatever else says",
        },
    ),
    (("-d",), {"dest": "daemon", "action": "store_true", "help": "start as a daemon"}),
    (("--port",), {"type": int, "help": "port to listen on"}),
    (("--address",), {"help": "address to bind (default 127.0.0.1)"}),
    (("--workers",), {"type": int, "help": "worker processes"}),
    (("--threads",), {"type": int, "help": "threads per worker for sync handlers"}),
    (("--log-json",), {"action": "store_true", "help": "access log as JSON lines"}),
)


class _Record(argparse.Action):
    """Keeps a script switch as ``(flag, value)`` in command-line order, as getopt does."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        value = values if isinstance(values, str) else ""
        namespace.switches = [*namespace.switches, (option_string or self.dest, value)]


def _parser(prog: str | None = None, switches: Sequence[Switch] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        usage="%(prog)s [options] [start|stop|restart|status]",
        description="Run this Skitai launch script.",
        epilog=(
            "commands: start (same as -d) runs as a daemon, stop, restart, status "
            "(exit code 0 running, 3 stopped). Pid and log files live in "
            "$SKITAI_HOME/<name>/ (default ~/.skitai/<name>/), <name> being "
            "skitai.run(name=...) or, without one, the script's name and a hash of its full path."
        ),
        # NOTE: no abbreviations: "--po" meaning "--port" today and an error once
        # the script declares "--point" is worse than asking for the full name.
        allow_abbrev=False,
        add_help=False,
    )
    # the older docs' scripts read -h themselves: a declared -h or --help is theirs
    declared = {switch.flag for switch in switches}
    help_flags = [flag for flag in ("-h", "--help") if flag not in declared]
    if help_flags:
        parser.add_argument(*help_flags, action="help", help="show this message and exit")
    for flags, keywords in _LAUNCHER_SWITCHES:
        parser.add_argument(*flags, **keywords)
    parser.set_defaults(switches=[])
    if switches:
        group = parser.add_argument_group("switches of this launch script")
        for switch in switches:
            try:
                group.add_argument(
                    switch.flag,
                    action=_Record,
                    nargs=None if switch.takes_value else 0,
                    dest="switch_" + switch.flag.lstrip("-"),
                    metavar="VALUE",
                    help=switch.help,
                )
            except argparse.ArgumentError:
                raise ValueError(
                    f"{switch.flag} is a switch of the launcher itself; give the launch script's switch another name"
                ) from None
    return parser


def known_switches(switches: Sequence[Switch] = ()) -> list[str]:
    """Every switch the command line may carry, the launcher's first."""
    declared = [switch.flag for switch in switches]
    names = [flag for flags, _ in _LAUNCHER_SWITCHES for flag in flags]
    return [*(flag for flag in ("-h", "--help") if flag not in declared), *names, *declared]


def parse(
    argv: Sequence[str],
    prog: str | None = None,
    switches: Sequence[Switch] = (),
    *,
    strict: bool = True,
    takes_args: bool = False,
) -> Options:
    """Read launcher and declared script switches from ``argv`` (without the script name).

    ``--help`` prints usage and exits; a bad value (``--port x``) exits with 2
    and a message naming the switch, as argparse does.  With ``strict``, an
    undeclared switch exits with 2 naming it and listing the known ones, and so
    does a stray argument unless the script takes arguments (``takes_args``).
    """
    parser = _parser(prog, switches)
    known, extra = parser.parse_known_args(list(argv))
    command = next((arg for arg in extra if arg in COMMANDS), None)
    unknown = [arg for arg in extra if arg.startswith("-") and arg != "-"]
    args = [arg for arg in extra if arg not in unknown]
    if command is not None:
        args.remove(command)
    elif known.daemon:
        command = "start"
    if strict and unknown:
        flag = unknown[0].partition("=")[0]
        parser.error(
            f"unknown switch {flag}; known switches: {', '.join(known_switches(switches))} "
            f"(a launch script declares its own with skitai.getopt)"
        )
    if strict and args and not takes_args:
        parser.error(f"unexpected argument {args[0]!r}; commands are {', '.join(COMMANDS)}")
    for name in ("port", "workers", "threads"):
        value = getattr(known, name)
        if value is not None and value < (0 if name == "port" else 1):
            parser.error(f"--{name} must be a positive number, got {value}")
    return Options(
        command=command,
        devel=known.devel,
        production=known.production,
        port=known.port,
        address=known.address,
        workers=known.workers,
        threads=known.threads,
        log_json=known.log_json,
        switches=list(known.switches),
        args=args,
        unknown=unknown,
    )


def is_devel() -> bool:
    """True when running with ``--devel`` and without ``---production``."""
    mode = os.environ.get(ENV_MODE)
    if mode:
        return mode == "DEVEL"
    options = parse_quietly(sys.argv[1:])
    return options.devel and not options.production


def parse_quietly(argv: Sequence[str], switches: Sequence[Switch] = ()) -> Options:
    """``parse`` for look-ups before ``run()``: never exits; undeclared switches
    are kept in ``unknown`` (``run()`` refuses them), bad values are ignored."""
    try:
        return parse([arg for arg in argv if arg not in ("-h", "--help")], switches=switches, strict=False)
    except SystemExit:
        return Options()


_CONFIG_FIELDS = {field.name for field in dataclasses.fields(Config)}
_LIMIT_FIELDS = {field.name for field in dataclasses.fields(Limits)}


def build_config(settings: dict[str, Any], options: Options, prefs: Sequence[Any] = ()) -> Config:
    """Merge ``skitai.run(**settings)`` with the command line (the command line wins).

    Limits may be given flat (``graceful_timeout=5``) or as ``limits=Limits(...)``.
    A mounted pref with ``debug``/``use_reloader`` set (the documented Vue SPA
    launch script does that) turns those on as
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


def daemon_key(settings: dict[str, Any]) -> str:
    """What names a daemon's folder: ``skitai.run(name=...)`` when given, else the
    launch script's full path, so two projects' ``serve.py`` never share one."""
    name = settings.get("name")
    return name if isinstance(name, str) and name else script_path()


def launch(site: Plan, settings: dict[str, Any], argv: Sequence[str] | None = None) -> int:
    """What ``Site.run`` does: read the command line, then serve or control the daemon.

    Returns the process exit code.
    """
    from .workers import daemon, master, reload

    args = sys.argv[1:] if argv is None else list(argv)
    options = parse(args, prog=os.path.basename(script_path()), switches=site.switches, takes_args=site.takes_args)
    config = build_config(settings, options, site.prefs())
    os.environ[ENV_MODE] = "DEVEL" if config.reload else "PRODUCTION"
    app_home = daemon.app_home(daemon_key(settings))

    if options.command == "status":
        return daemon.status(app_home)
    if options.command == "stop":
        return daemon.stop(app_home, config.limits.graceful_timeout)
    if options.command == "restart":
        daemon.stop(app_home, config.limits.graceful_timeout)
    if options.command in ("start", "restart"):
        return daemon.start(app_home, lambda ready: master.serve(config, site, app_home, ready), script=script_path())

    if config.reload and not os.environ.get(ENV_RELOADED):
        from .workers.error_page import show_error

        return reload.supervise([sys.executable, script_path(), *args], script_dir(), show_error(config))
    return master.serve(config, site, None, None)
