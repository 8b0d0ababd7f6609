"""Skitai: an asyncio HTTP app engine.  Mount apps on URL prefixes, then run.

Importing does nothing: the command line is read by :func:`run`.

Example::

    # serve.py
    import skitai
    import myapp

    if __name__ == "__main__":
        with skitai.preference() as pref:
            pref.debug = True
            skitai.mount("/", myapp, pref)
        skitai.run(port=5000, name="myapp")
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from . import autorun
from .preference import AttrDict, Pref

if TYPE_CHECKING:
    from .testing.client import TestClient

__all__ = [
    "AttrDict",
    "Pref",
    "Runner",
    "abspath",
    "enable_ssl",
    "is_devel",
    "joinpath",
    "log_off",
    "mount",
    "pref",
    "preference",
    "run",
    "set_max_age",
    "test_client",
]


class Runner:
    """What ``skitai.mount`` returns, so that ``skitai.mount("/", app)(port=5000)`` runs."""

    def __call__(self, **settings: Any) -> None:
        run(**settings)


def mount(
    point: str,
    target: Any,
    pref_or_name: Pref | str | None = None,
    pref: Pref | None = None,
    *,
    name: str | None = None,
    **options: Any,
) -> Runner:
    """Mount ``target`` (an app, module, ``"pkg/wsgi:app"``, folder, WSGI or ASGI
    callable) on the URL prefix ``point``.

    The third positional argument is a Pref or, as in ``skitai.mount("/v1",
    "app_v1/", "app", pref)``, the name of the app.  Other keywords (``subscribe``,
    ...) reach the loader.
    """
    from .site import current_site

    if isinstance(pref_or_name, Pref):
        if pref is not None:
            raise TypeError("skitai.mount() got two preferences")
        pref = pref_or_name
    elif pref_or_name is not None:
        if name is not None:
            raise TypeError("skitai.mount() got the name twice")
        name = pref_or_name
    current_site().add(point, target, pref, name, **options)
    autorun.arm(sys._getframe(1))
    return Runner()


def run(**settings: Any) -> None:
    """Serve what is mounted.  Settings: ``port``, ``address``, ``workers``,
    ``threads``, ``name``, ``gpus``, ``debug``, limits such as
    ``graceful_timeout``; the command line (``--port`` ...) overrides them.

    Exits the process with the launcher's exit code.
    """
    from .cli import launch
    from .site import current_site

    autorun.mark_ran()
    settings = {**current_site().ssl_settings, **settings}
    raise SystemExit(launch(settings))


def enable_ssl(certfile: str, keyfile: str | None = None, passphrase: str | None = None) -> None:
    """Serve over TLS: the port then speaks HTTPS only, offering HTTP/2 and
    HTTP/1.1 by ALPN (the same as ``skitai.run(certfile=..., keyfile=...,
    passphrase=...)``).  Relative paths are taken from the launch script's folder.

    The certificate and key are loaded here once, so a missing file or a wrong
    passphrase fails at this call with the reason, not in a worker later.
    """
    from .http2.tls import server_context
    from .site import current_site

    certfile = joinpath(certfile)
    keyfile = joinpath(keyfile) if keyfile else None
    server_context(certfile, keyfile, passphrase)
    current_site().ssl_settings = {"certfile": certfile, "keyfile": keyfile, "passphrase": passphrase}


def preference(**attributes: Any) -> Pref:
    """A new Pref; usable as ``with skitai.preference() as pref:``."""
    return Pref(**attributes)


pref = preference


def joinpath(*parts: str) -> str:
    """A path relative to the launch script's folder (not the working folder)."""
    from .cli import script_dir

    return os.path.normpath(os.path.join(script_dir(), *parts))


abspath = joinpath


def is_devel() -> bool:
    """True when the launch script runs with ``--devel`` (and not ``---production``)."""
    from .cli import is_devel as cli_is_devel

    return cli_is_devel()


def log_off(*paths: str) -> None:
    """Do not write access-log lines for requests under these URL prefixes."""
    from .site import current_site

    current_site().log_off(*paths)


def set_max_age(path: str, seconds: int) -> None:
    """Cache-Control max-age for static files under the URL prefix ``path``."""
    from .site import current_site

    current_site().set_max_age(path, seconds)


def test_client(script: str | None = None, **options: Any) -> "TestClient":
    """Launch ``script`` as a real server process (or attach to a running one when
    no script is given) and return a requests-like client; see
    :class:`skitai.testing.client.TestClient`."""
    from .testing.client import TestClient

    return TestClient(script, **options)
