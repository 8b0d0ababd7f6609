"""Runtime preferences handed to a mount: what the launch script decides about an app.

A ``Pref`` is filled in the launch script (or in an app's ``__config__(pref)``
hook) and given to ``skitai.mount``; the loader copies its attributes onto the
mounted app, its ``config`` onto ``app.config`` and turns ``statics`` into static
folder mounts.  It is a plain object, so the launch script may add any attribute
it likes (``pref.my_option = 1``) and the app finds it later.

Example::

    with skitai.preference() as pref:
        pref.debug = True
        pref.config.MAX_UPLOAD_SIZE = 256 * 1024 * 1024
        pref.set_static("/static", skitai.abspath("myapp/static"))
        skitai.mount("/", myapp, pref)
"""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

from .attraccess import AttrAccess

__all__ = ["AttrDict", "Pref", "KNOWN_DEFAULTS"]

#: Attributes every Pref has, with the value an app gets when the script sets none.
KNOWN_DEFAULTS: dict[str, Any] = {
    "debug": False,
    "use_reloader": False,
    "securekey": None,
    "session_timeout": None,
    "max_client_body_size": None,
    "access_control_allow_origin": None,
    "access_control_max_age": None,
}

# Pref's own bookkeeping; never copied onto the app as attributes.
_OWN_FIELDS = frozenset({"config", "statics", "base_modules", "override_modules"})


class AttrDict(AttrAccess, dict[str, Any]):
    """A dict whose keys are also attributes (``config.prefB = 2`` == ``config["prefB"] = 2``)."""

    _missing_attr_message = "config has no setting {name!r}"

    def __deepcopy__(self, memo: dict[int, Any]) -> "AttrDict":
        return AttrDict(copy.deepcopy(dict(self), memo))


class Pref:
    """Preferences for one mount.  Also a context manager, for the documented
    ``with skitai.preference() as pref:`` form."""

    config: AttrDict
    statics: list[tuple[str, str]]
    base_modules: list[ModuleType]
    override_modules: list[ModuleType]

    def __init__(self, **attributes: Any) -> None:
        self.config = AttrDict()
        self.statics = []
        self.base_modules = []
        self.override_modules = []
        for name, default in KNOWN_DEFAULTS.items():
            setattr(self, name, copy.copy(default))
        for name, value in attributes.items():
            setattr(self, name, value)

    def __enter__(self) -> "Pref":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        return None

    def set_static(self, url: str, path: str) -> None:
        """Serve the folder ``path`` on ``url`` next to the app (static files win on a tie)."""
        self.statics.append((_check_url(url), _check_path(path)))

    def set_media(self, url: str, path: str) -> None:
        """Serve user uploads in ``path`` on ``url``; same mechanics as ``set_static``."""
        self.statics.append((_check_url(url), _check_path(path)))

    def extends(self, module: ModuleType) -> None:
        """The mounted app extends ``module``: it uses the module's services, static
        files and templates where it has none of its own (as ``atila_vue`` is used)."""
        self.base_modules.append(module)

    def overrides(self, module: ModuleType) -> None:
        """``module`` overrides the mounted app's services, static files and templates
        that share a path (as ``tfserver`` is used)."""
        self.override_modules.append(module)

    def attributes(self) -> dict[str, Any]:
        """What the loader copies onto the mounted app: known and custom attributes."""
        return {name: value for name, value in vars(self).items() if name not in _OWN_FIELDS}

    def copy(self) -> "Pref":
        """An independent Pref (modules in ``extends``/``overrides`` are shared, not copied)."""
        clone = Pref(**copy.deepcopy(self.attributes()))
        clone.config = copy.deepcopy(self.config)
        clone.statics = list(self.statics)
        clone.base_modules = list(self.base_modules)
        clone.override_modules = list(self.override_modules)
        return clone

    def __repr__(self) -> str:
        return f"<Pref {self.attributes()!r} config={dict(self.config)!r}>"


def _check_url(url: str) -> str:
    if not isinstance(url, str) or not url.startswith("/"):
        raise ValueError(f"static URL must be a path starting with '/', got {url!r}")
    return url


def _check_path(path: str) -> str:
    if not isinstance(path, str) or not path:
        raise ValueError(f"static folder must be a non-empty path, got {path!r}")
    return path
