"""Turn whatever the user passes to ``skitai.mount`` into mounts.

Accepted targets, tried in this order:

* an object with ``__skitai_mount__(prefix, pref=, name=, module=)`` (Atila apps);
* a module or package with an ``__app__`` hook (``__config__(pref)`` runs first),
  or with an ``app``/``application`` attribute;
* an ASGI 3 callable (``async (scope, receive, send)``) or a WSGI callable
  (``(environ, start_response)``);
* a string or path: a folder (served as static files), ``"file.py"``,
  ``"file.py:attr"``, ``"project/config/wsgi:application"`` or ``"pkg.module:attr"``.

Relative paths resolve against the launch script's folder, not the current
directory, so ``python /srv/site/serve.py`` works from anywhere.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from types import ModuleType
from typing import Any

from ..contract import Mount
from ..launch_env import script_dir
from .asgi import ASGIMount
from .wsgi import WSGIMount

__all__ = ["TargetNotFound", "default_base_dir", "import_file", "load_mount", "normalize_prefix"]

APP_ATTRIBUTES = ("app", "application")
#: how the not-found message lists what ``skitai.mount`` takes
TARGET_KINDS = (
    "an app object, a module, a WSGI or ASGI callable, a folder of static files, "
    "'file.py' or 'file.py:app', 'folder/module:app' (a Django 'project/config/wsgi:application') "
    "or 'package.module:app'"
)


class TargetNotFound(LookupError):
    """A mount target named by a string exists nowhere the loader looks."""


#: pref attributes only Atila apps (and, for the origin list, static folders) apply
ATILA_ONLY_PREFS = ("access_control_allow_origin", "access_control_max_age")


def normalize_prefix(prefix: str) -> str:
    """``"/"`` -> ``""``, ``"/api/"`` -> ``"/api"`` (PEP 3333 SCRIPT_NAME form)."""
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise ValueError(f"mount prefix must be a str starting with '/', got {prefix!r}")
    if any(ch in prefix for ch in "?#") or any(ord(ch) < 33 for ch in prefix):
        raise ValueError(f"mount prefix must be a plain path, got {prefix!r}")
    return prefix.rstrip("/")


def default_base_dir() -> str:
    """The launch script's folder (see :func:`skitai.launch_env.script_dir`)."""
    return script_dir()


def load_mount(prefix: str, target: Any, pref: Any = None, name: str | None = None, **options: Any) -> list[Mount]:
    """Build the mounts for ``target`` on ``prefix``.

    ``pref`` is read duck-typed: ``max_client_body_size`` becomes the body limit of
    WSGI/ASGI mounts and ``statics`` (``[(url, folder), ...]``, read after
    ``__config__`` ran, since that is where ``pref.set_static`` is called) adds
    static mounts relative to ``prefix``.  ``base_dir`` resolves relative paths;
    any other option is passed on to ``__skitai_mount__``.

    Example:
        >>> load_mount("/", "mysite/config/wsgi:application")  # doctest: +SKIP
        [<WSGIMount / <django.core.handlers.wsgi.WSGIHandler ...>>]
    """
    prefix = normalize_prefix(prefix)
    base_dir = options.pop("base_dir", None) or default_base_dir()
    options = {key: value for key, value in options.items() if value is not None}
    loader = _Loader(prefix, pref, name, base_dir, options)
    mounts = loader.resolve(target, target, None)
    mounts.extend(loader.static_mounts())
    return mounts


class _Loader:
    """One ``load_mount`` call: the settings every branch needs, kept together."""

    def __init__(self, prefix: str, pref: Any, name: str | None, base_dir: str, options: dict[str, Any]) -> None:
        self.prefix = prefix
        self.pref = pref
        self.name = name
        self.base_dir = base_dir
        self.options = options
        self.body_limit = getattr(pref, "max_client_body_size", None) if pref is not None else None

    def fail(self, original: Any, expected: str) -> TypeError:
        return TypeError(f"cannot mount {original!r}: expected {expected}")

    def resolve(self, target: Any, original: Any, module: ModuleType | None) -> list[Mount]:
        hook = getattr(target, "__skitai_mount__", None)
        if hook is not None and not inspect.isclass(target):
            if module is None and isinstance(target, ModuleType):
                module = target
            mounts = hook(self.prefix, pref=self.pref, name=self.name, module=module, **self.options)
            if not isinstance(mounts, list):
                raise self.fail(original, "__skitai_mount__ to return a list of mounts")
            return mounts
        if isinstance(target, ModuleType):
            return self.resolve_module(target, original)
        if isinstance(target, Mount) and not inspect.isclass(target):
            # a thing that already speaks the engine's native interface
            target.prefix = self.prefix
            return [target]
        if isinstance(target, (str, os.PathLike)):
            return self.resolve_path(os.fspath(target), original)
        if callable(target):
            return [self.wrap_callable(target, original, module)]
        raise self.fail(
            original, "an app, a module with __app__, a WSGI or ASGI callable, a folder or a 'file.py[:app]' string"
        )

    def resolve_module(self, module: ModuleType, original: Any) -> list[Mount]:
        if hasattr(module, "__app__"):
            configure = getattr(module, "__config__", None)
            if configure is not None:
                if self.pref is None:
                    from ..preference import Pref

                    self.pref = Pref()
                configure(self.pref)
            app = module.__app__()
            if not hasattr(app, "__skitai_mount__"):
                raise self.fail(
                    original, f"{module.__name__}.__app__() to return an app with __skitai_mount__, got {app!r}"
                )
            return self.resolve(app, original, module)
        for attribute in APP_ATTRIBUTES:
            app = getattr(module, attribute, None)
            if app is not None:
                return self.resolve(app, original, module)
        raise self.fail(original, f"module {module.__name__} to define __app__, app or application")

    def resolve_path(self, spec: str, original: Any) -> list[Mount]:
        path = os.path.join(self.base_dir, spec)
        if os.path.isdir(path) and not _is_package(path):
            from ..static.mount import StaticMount

            origins = getattr(self.pref, "access_control_allow_origin", None) if self.pref is not None else None
            return [StaticMount(self.prefix, os.path.abspath(path), name=self.name, allow_origins=origins)]
        location, _, attribute = spec.partition(":") if ":" in spec else (spec, "", "")
        if attribute and not all(part.isidentifier() for part in attribute.split(".")):
            raise self.fail(original, "'location:attribute' with a Python name after ':'")
        if (
            location.endswith(".py")
            or "/" in location
            or os.sep in location
            or _is_local_module(os.path.join(self.base_dir, location))
        ):
            module = self.import_path(location, original)
        else:
            try:
                module = importlib.import_module(location)
            except ModuleNotFoundError as exc:
                if exc.name != location.partition(".")[0] and exc.name != location:
                    raise self.fail(original, f"an importable module ({exc})") from exc
                raise self.not_found(
                    original,
                    location,
                    [
                        ("a folder", os.path.join(self.base_dir, location)),
                        ("a file", os.path.join(self.base_dir, location + ".py")),
                        ("a package", os.path.join(self.base_dir, location, "__init__.py")),
                    ],
                    module=location,
                ) from None
            except ImportError as exc:
                raise self.fail(original, f"an importable module or an existing path ({exc})") from exc
        if not attribute:
            return self.resolve(module, original, module)
        target: Any = module
        for part in attribute.split("."):
            try:
                target = getattr(target, part)
            except AttributeError:
                raise self.fail(original, f"{module.__name__} to define {attribute}") from None
        return self.resolve(target, original, module)

    def import_path(self, location: str, original: Any) -> ModuleType:
        path = os.path.join(self.base_dir, location)
        if not path.endswith(".py"):
            package_init = os.path.join(path, "__init__.py")
            candidates = [("a folder", path), ("a file", path + ".py"), ("a package", package_init)]
            path = package_init if os.path.isfile(package_init) else path + ".py"
        else:
            candidates = [("a file", path)]
        if not os.path.isfile(path):
            raise self.not_found(original, location, candidates)
        try:
            return import_file(path)
        except ImportError as exc:
            raise self.fail(original, f"an importable file ({exc})") from exc

    def not_found(
        self, original: Any, location: str, candidates: list[tuple[str, str]], module: str | None = None
    ) -> TargetNotFound:
        """Say where the target was looked for, so a typo is plain to see."""
        where = self.base_dir
        if os.path.normpath(where) == os.path.normpath(default_base_dir()):
            where = f"{where} (the launch script's folder)"
        looked = [f"{kind} {os.path.normpath(candidate)}" for kind, candidate in candidates]
        if module is not None:
            looked.append(f"a module {module!r} on sys.path")
        return TargetNotFound(
            f"cannot mount {original!r}: not found; relative paths resolve against {where}, "
            f"and {location!r} is none of: {'; '.join(looked)}. A mount target is {TARGET_KINDS}"
        )

    def wrap_callable(self, app: Any, original: Any, module: ModuleType | None) -> Mount:
        kind = classify_callable(app)
        if kind == "asgi2":
            raise self.fail(
                original,
                "an ASGI 3 app (async (scope, receive, send)); this looks "
                "like an ASGI 2 double callable, wrap it with "
                "asgiref.compat.guarantee_single_callable",
            )
        if kind is None:
            raise self.fail(
                original, "a WSGI (environ, start_response) or an ASGI async (scope, receive, send) callable"
            )
        if self.options:
            raise self.fail(original, f"no options for a {kind.upper()} app, got {sorted(self.options)}")
        self.refuse_atila_only_prefs(original, "an ASGI app" if kind == "asgi" else "a WSGI app")
        mount_class = ASGIMount if kind == "asgi" else WSGIMount
        mount = mount_class(self.prefix, app, name=self.name, body_limit=self.body_limit)
        if module is not None:
            mount.sources = [_watch_root(module)]
        return mount

    def refuse_atila_only_prefs(self, original: Any, what: str) -> None:
        """CORS preferences are applied by Atila apps only; silently dropping them
        would leave a browser client blocked with no clue why."""
        if self.pref is None:
            return
        given = sorted(name for name in ATILA_ONLY_PREFS if getattr(self.pref, name, None) is not None)
        if given:
            raise TypeError(
                f"cannot mount {original!r}: {', '.join(given)} in the pref only works "
                f"for Atila apps, not {what}; set the CORS headers in the app itself "
                f"(flask-cors, Starlette's CORSMiddleware, django-cors-headers)"
            )

    def static_mounts(self) -> list[Mount]:
        statics = getattr(self.pref, "statics", None) if self.pref is not None else None
        if not statics:
            return []
        from ..static.mount import StaticMount

        mounts: list[Mount] = []
        for url, folder in statics:
            url_prefix = normalize_prefix(self.prefix + "/" + str(url).lstrip("/"))
            root = os.path.abspath(os.path.join(self.base_dir, os.fspath(folder)))
            mounts.append(StaticMount(url_prefix, root))
        return mounts


def classify_callable(app: Any) -> str | None:
    """``"asgi"``, ``"wsgi"``, ``"asgi2"`` (rejected double callable) or None."""
    if inspect.isclass(app):
        # NOTE: calling a class gives an instance, so a class used as an app is the
        # ASGI 2 "double callable" shape (``App(scope)`` then ``await app(receive, send)``).
        return "asgi2"
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else type(app).__call__
    is_async = inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(call)
    try:
        signature = inspect.signature(app)
    except (TypeError, ValueError):
        return "asgi" if is_async else None
    required = 0
    positional = 0
    for parameter in signature.parameters.values():
        if parameter.kind == parameter.VAR_POSITIONAL:
            positional = 99
        elif parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            positional += 1
            if parameter.default is parameter.empty:
                required += 1
    if is_async:
        return "asgi" if required <= 3 <= positional else None
    if required == 3:
        return "asgi"  # a sync callable returning an awaitable (ASGI middleware classes)
    if required <= 2 <= positional:
        return "wsgi"
    if required == 1:
        return "asgi2"
    return None


def _is_local_module(path: str) -> bool:
    """A bare name that is a package or a ``.py`` file beside the launch script."""
    return _is_package(path) or os.path.isfile(path + ".py")


def _is_package(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "__init__.py"))


def import_file(path: str) -> ModuleType:
    """Import a ``.py`` file under its real dotted name.

    The folders above it that are packages (have ``__init__.py``) become the
    dotted name and the first folder that is not goes on ``sys.path``: for
    ``mysite/config/wsgi.py`` that is ``mysite`` (the project root, as Django's
    ``manage.py`` sets it) and the module is ``config.wsgi``, so the project's
    own imports (``config.settings``) work.
    """
    path = os.path.abspath(path)
    folder, filename = os.path.split(path)
    parts = [] if filename == "__init__.py" else [filename[:-3]]
    if filename == "__init__.py":
        parts.insert(0, os.path.basename(folder))
        folder = os.path.dirname(folder)
    while _is_package(folder):
        parts.insert(0, os.path.basename(folder))
        folder = os.path.dirname(folder)
    name = ".".join(parts)
    if not all(part.isidentifier() for part in parts):
        raise ImportError(f"{path} does not map to a Python module name ({name!r})")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    importlib.invalidate_caches()
    module = importlib.import_module(name)
    loaded = getattr(module, "__file__", None)
    if loaded is None or os.path.realpath(loaded) != os.path.realpath(path):
        raise ImportError(f"module name {name!r} is already taken by {loaded or module!r}; rename {path}")
    return module


def _watch_root(module: ModuleType) -> str:
    """What --devel watches for a module's app: its top package folder, or the file."""
    top = sys.modules.get(module.__name__.partition(".")[0], module)
    location = getattr(top, "__file__", None) or getattr(module, "__file__", None) or ""
    if location.endswith("__init__.py"):
        return os.path.dirname(location)
    return location
