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
from typing import TYPE_CHECKING, Any, Iterable, NoReturn

from . import autorun
from .preference import AttrDict, Pref
from .resources import kinds as _kinds
from .resources.kinds import *  # noqa: F403  (named once in kinds.__all__)
from .site import Runner, Site
from .websocket import specs as _specs
from .websocket.specs import *  # noqa: F403  (named once in specs.__all__)

if TYPE_CHECKING:
    from .testing.client import TestClient

__all__ = [
    "add_database_interface",
    "alias",
    "deflu",
    "register_g",
    "AttrDict",
    "Pref",
    "Runner",
    "Site",
    "abspath",
    "argopt",
    "enable_ssl",
    "getopt",
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
# the alias kinds and statuses (docs/resources.md) and the WebSocket route flags
# for @app.websocket (docs/websocket.md), each listed once in its own module
__all__ += _kinds.__all__
__all__ += _specs.__all__

#: the Site the module-level calls build (a launch script may hold its own ``Site()``)
_site = Site()


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
    callable) on the URL prefix ``point`` of the default Site; see :meth:`Site.mount`."""
    runner = _site.mount(point, target, pref_or_name, pref, name=name, **options)
    autorun.arm(sys._getframe(1), run)
    return runner


def run(**settings: Any) -> NoReturn:
    """Serve what the module-level calls mounted; see :meth:`Site.run`."""
    _site.run(**settings)


def getopt(shortopts: str = "", longopts: Iterable[str] = ()) -> tuple[list[tuple[str, str]], list[str]]:
    """Declare and read the launch script's own switches; see :meth:`Site.getopt`."""
    return _site.getopt(shortopts, longopts)


#: the older docs' name for :func:`getopt`
argopt = getopt


def enable_ssl(certfile: str, keyfile: str | None = None, passphrase: str | None = None) -> None:
    """Serve the default Site over TLS with ALPN h2 and http/1.1; see :meth:`Site.enable_ssl`."""
    _site.enable_ssl(certfile, keyfile, passphrase)


def preference(**attributes: Any) -> Pref:
    """A new Pref; usable as ``with skitai.preference() as pref:``."""
    return Pref(**attributes)


pref = preference


def joinpath(*parts: str) -> str:
    """A path relative to the launch script's folder (not the working folder)."""
    from .launch_env import script_dir

    return os.path.normpath(os.path.join(script_dir(), *parts))


abspath = joinpath


def is_devel() -> bool:
    """True when the launch script runs with ``--devel`` (and not ``---production``)."""
    from .cli import is_devel as cli_is_devel

    return cli_is_devel()


def log_off(*paths: str) -> None:
    """Do not write access-log lines for requests under these URL prefixes."""
    _site.log_off(*paths)


def set_max_age(path: str, seconds: int) -> None:
    """Cache-Control max-age for static files under the URL prefix ``path``."""
    _site.set_max_age(path, seconds)


def alias(name: str, kind: str, members: Any, **options: Any) -> Any:
    """Name a database or HTTP upstream (``"@mydb"``) for ``context.db``,
    ``context.stub`` and ``ProxyPass``; see :func:`skitai.resources.alias`."""
    from .resources import alias as declare

    return declare(name, kind, members, **options)


def add_database_interface(kind: str, cls: Any) -> None:
    """Serve aliases of a custom ``kind`` with ``cls(alias)``."""
    from .resources import add_database_interface as add

    add(kind, cls)


def deflu(*names: str) -> None:
    """Declare names whose last-update time every worker shares
    (``context.setlu`` / ``context.getlu``, ``use_cache=``)."""
    from .state import deflu as declare

    declare(*names)


register_g = deflu


def test_client(script: str | None = None, **options: Any) -> "TestClient":
    """Launch ``script`` as a real server process (or attach to a running one when
    no script is given) and return a requests-like client; see
    :class:`skitai.testing.client.TestClient`."""
    from .testing.client import TestClient

    return TestClient(script, **options)
