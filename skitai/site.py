"""The launch script's plan: what to mount where, which paths are not logged,
which switches the script reads.

A launch script builds one, either through the module-level calls
(``skitai.mount``, ``skitai.run``: they use the default Site) or by holding
its own::

    site = skitai.Site()
    site.mount("/", app)
    site.run(port=5000)

``mount`` only records an entry; nothing is imported until ``resolve()`` runs
(inside ``run``, before workers fork), so a broken app fails once, in the
master, with a clear message.  An app's ``__config__(pref)`` hook may itself
call ``skitai.mount`` (the documented Django setup mounts its static folders that way): such
entries are appended while resolving and resolved in turn.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from typing import TYPE_CHECKING, Any, Iterable, NoReturn

from . import autorun
from .preference import Pref
from .switches import Switch, from_getopt

if TYPE_CHECKING:
    from .contract import Mount

__all__ = ["Entry", "Site", "Runner", "MountError"]


class MountError(ValueError):
    """A mount entry could not be turned into a mounted thing (import error, bad target)."""

    def __init__(self, entry: "Entry", cause: BaseException) -> None:
        self.entry = entry
        self.cause = cause
        head = f"cannot mount {entry.target!r}"
        detail = str(cause)
        # the loader's messages already name the target: say it once
        detail = detail[len(head) :].lstrip(": ") if detail.startswith(head) else detail
        super().__init__(f"{head} on {entry.prefix or '/'!r}: {detail}")


@dataclasses.dataclass
class Entry:
    prefix: str
    target: Any
    pref: Pref | None = None
    name: str | None = None
    options: dict[str, Any] = dataclasses.field(default_factory=dict)


class Site:
    """Everything the launch script declared, in declaration order."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.log_off_prefixes: list[str] = []
        self.max_ages: dict[str, int] = {}
        #: switches the script declared with :meth:`getopt`; ``run()`` refuses any other
        self.switches: list[Switch] = []
        #: the script reads plain arguments (it called :meth:`getopt`)
        self.takes_args = False
        #: :meth:`enable_ssl`: certfile, keyfile, passphrase for ``run``
        self.ssl_settings: dict[str, Any] = {}

    def mount(
        self,
        point: str,
        target: Any,
        pref_or_name: Pref | str | None = None,
        pref: Pref | None = None,
        *,
        name: str | None = None,
        **options: Any,
    ) -> "Runner":
        """Mount ``target`` (an app, module, ``"pkg/wsgi:app"``, folder, WSGI or ASGI
        callable) on the URL prefix ``point``.

        The third positional argument is a Pref or, as in ``mount("/v1",
        "app_v1/", "app", pref)``, the name of the app.  Other keywords
        (``subscribe``, ...) reach the loader.
        """
        if isinstance(pref_or_name, Pref):
            if pref is not None:
                raise TypeError("skitai.mount() got two preferences")
            pref = pref_or_name
        elif pref_or_name is not None:
            if name is not None:
                raise TypeError("skitai.mount() got the name twice")
            name = pref_or_name
        self.add(point, target, pref, name, **options)
        return Runner(self)

    def run(self, **settings: Any) -> NoReturn:
        """Serve what is mounted.  Settings: ``port``, ``address``, ``workers``,
        ``threads``, ``name``, ``gpus``, ``debug``, limits such as
        ``graceful_timeout``; the command line (``--port`` ...) overrides them.

        Exits the process with the launcher's exit code.
        """
        from .cli import launch

        autorun.mark_ran()
        settings = {**self.ssl_settings, **settings}
        raise SystemExit(launch(self, settings))

    def enable_ssl(self, certfile: str, keyfile: str | None = None, passphrase: str | None = None) -> None:
        """Serve over TLS: the port then speaks HTTPS only, offering HTTP/2 and
        HTTP/1.1 by ALPN (the same as ``run(certfile=..., keyfile=...,
        passphrase=...)``).  Relative paths are taken from the launch script's folder.

        The certificate and key are loaded here once, so a missing file or a wrong
        passphrase fails at this call with the reason, not in a worker later.
        """
        from .http2.tls import server_context
        from .launch_env import script_dir

        certfile = os.path.normpath(os.path.join(script_dir(), certfile))
        keyfile = os.path.normpath(os.path.join(script_dir(), keyfile)) if keyfile else None
        server_context(certfile, keyfile, passphrase)
        self.ssl_settings = {"certfile": certfile, "keyfile": keyfile, "passphrase": passphrase}

    def getopt(self, shortopts: str = "", longopts: Iterable[str] = ()) -> tuple[list[tuple[str, str]], list[str]]:
        """Declare the script's own switches and read them, as ``getopt.getopt`` would:
        ``opts, args = site.getopt("hf:", ["ssl", "origin="])``.

        ``opts`` holds ``(switch, value)`` pairs (value ``""`` for a flag) and
        ``args`` the plain arguments; the launcher's switches and the daemon
        commands are left out of both.  A switch declared by no call is refused
        when ``run()`` reads the command line.
        """
        from .cli import parse_quietly

        for switch in from_getopt(shortopts, longopts):
            if switch.flag not in {known.flag for known in self.switches}:
                self.switches.append(switch)
        self.takes_args = True
        options = parse_quietly(sys.argv[1:], self.switches)
        return options.switches, options.args

    def prefs(self) -> list[Pref]:
        """The preferences given with the mounts, in mount order."""
        return [entry.pref for entry in self.entries if entry.pref is not None]

    def add(
        self,
        prefix: str,
        target: Any,
        pref: Pref | None = None,
        name: str | None = None,
        **options: Any,
    ) -> Entry:
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ValueError(f"mount point must be a path starting with '/', got {prefix!r}")
        if target is None or (isinstance(target, str) and not target):
            raise ValueError(f"nothing to mount on {prefix!r}: target is {target!r}")
        if pref is not None and not isinstance(pref, Pref):
            raise TypeError(f"pref must come from skitai.preference(), got {type(pref).__name__}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"mount name must be a string, got {type(name).__name__}")
        entry = Entry(prefix, target, pref, name, dict(options))
        self.entries.append(entry)
        return entry

    def log_off(self, *prefixes: str) -> None:
        for prefix in prefixes:
            if not isinstance(prefix, str) or not prefix.startswith("/"):
                raise ValueError(f"log_off path must start with '/', got {prefix!r}")
            if prefix not in self.log_off_prefixes:
                self.log_off_prefixes.append(prefix)

    def set_max_age(self, prefix: str, seconds: int) -> None:
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ValueError(f"max-age path must start with '/', got {prefix!r}")
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError(f"max-age must be a non-negative whole number of seconds, got {seconds!r}")
        self.max_ages[prefix] = seconds

    def max_age_for(self, path: str) -> int | None:
        """The ``set_max_age`` value of the longest prefix covering ``path``."""
        best: tuple[int, int] | None = None
        for prefix, seconds in self.max_ages.items():
            if _covers(prefix, path) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), seconds)
        return None if best is None else best[1]

    def resolve(self) -> list["Mount"]:
        """Load every entry into mounts, including entries added while loading.

        Raises :class:`MountError` naming the entry that failed.
        """
        from .mounts.loader import load_mount

        mounts: list["Mount"] = []
        index = 0
        while index < len(self.entries):
            entry = self.entries[index]
            index += 1
            try:
                loaded = load_mount(entry.prefix, entry.target, entry.pref, entry.name, **entry.options)
            except MountError:
                raise
            except (Exception, SystemExit) as exc:
                raise MountError(entry, exc) from exc
            mounts.extend(loaded)
        if not mounts:
            raise ValueError("nothing is mounted: call skitai.mount(path, app) before skitai.run()")
        return mounts


def _covers(prefix: str, path: str) -> bool:
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/") or not prefix


class Runner:
    """What ``mount`` returns, so that ``skitai.mount("/", app)(port=5000)`` runs."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def __call__(self, **settings: Any) -> NoReturn:
        self.site.run(**settings)
