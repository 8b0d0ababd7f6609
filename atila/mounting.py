"""The hooks loader: runs a package's life-cycle hooks and remembers what each
module mounted, so it can be unmounted and reloaded.

Life cycle of an app (docs/atila/lifecycle.md has the full picture):

1. ``__config__(pref)`` and ``__app__()`` in the package given to ``skitai.mount``
   (called by the engine's loader, before workers start);
2. per worker, at start-up: ``__setup__`` of the package and, depth first, of
   every module it mounts with ``app.mount(path, module)`` (and of the modules
   mounted before start-up); event ``before_mount`` (so listeners registered in
   a ``__setup__`` hear it); ``__mount__`` (routes) of each of them, a module
   before the one that mounted it; ``__mounted__`` of every module in mount
   order; events ``mounted`` and ``mounted_or_reloaded``;
3. per request, for the routes of a module and of the modules it mounted:
   ``__request__`` (outermost first), the handler, ``__wrapup__(context, content)``
   (innermost first, may replace the content), ``__error__(context, exception)``
   when it failed, ``__teardown__`` always;
4. at shutdown: event ``before_umount``; ``__umounted__`` (old name
   ``__umount__``) of every module, last mounted first; event ``umounted``.
   ``app.reload_module(module)`` runs the same unmount for that module and what
   it mounted, reloads it and mounts it again; ``--devel`` calls it (through
   ``app.reload(path)``) when a mounted module's file changes.

Which arguments a hook gets is read from its parameters, never guessed from
the call: a hook whose first parameter is named ``app``, or whose second is
named ``mntopt`` or ``options`` (first not ``context``/``was``), has the old
form and gets ``(app, mntopt)``; any other hook gets ``(context, app, options)``.
Either list is cut to the number of parameters the hook declares (after the
extra values a request hook receives last, e.g. ``content`` of ``__wrapup__``).
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import logging
import os
from types import ModuleType
from typing import Any, Callable

from .compat import CONTEXT_NAMES, OLD_HOOK_NAMES
from .events.names import Event

__all__ = [
    "HookLoader",
    "MountedModule",
    "call_hook",
    "hook_form",
    "join_prefix",
    "misspelled_hooks",
    "RESERVED_OPTIONS",
    "HOOK_NAMES",
]

logger = logging.getLogger("atila.mounting")

_BEFORE_MOUNT = str(Event.BEFORE_MOUNT)

RESERVED_OPTIONS = ("ns", "authenticate", "debug_only")
#: every hook name the loader and the engine's loader look for in a module
HOOK_NAMES = (
    "__config__",
    "__app__",
    "__setup__",
    "__mount__",
    "__mounted__",
    "__umounted__",
    *OLD_HOOK_NAMES.values(),
    "__request__",
    "__wrapup__",
    "__error__",
    "__teardown__",
)
#: module-level dunder functions Python itself gives a meaning (PEP 562)
_PYTHON_DUNDERS = frozenset({"__getattr__", "__dir__"})
_OLD_FIRST = frozenset({"app"})
_OLD_SECOND = frozenset({"mntopt", "options"})
_FORMS: dict[Any, tuple[str, int]] = {}


def hook_form(func: Callable[..., Any], extra: int = 0) -> tuple[str, int]:
    """``("old"|"new", count)``: the argument list a hook takes and how many of
    its leading arguments come from that list (-1: all, for ``*args``).

    Raises:
        TypeError: a hook needing more arguments than the loader can give.
    """
    key = (func, extra)
    cached = _FORMS.get(key)
    if cached is not None:
        return cached
    params = [
        p
        for p in inspect.signature(func).parameters.values()
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    varargs = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in inspect.signature(func).parameters.values())
    names = [p.name for p in params]
    old = bool(names) and (
        names[0] in _OLD_FIRST or (len(names) > 1 and names[1] in _OLD_SECOND and names[0] not in CONTEXT_NAMES)
    )
    base = len(names) - extra
    limit = 2 if old else 3
    if varargs:
        base = -1
    elif base < 0 or base > limit:
        raise TypeError(
            f"hook {func.__module__}.{func.__qualname__}{inspect.signature(func)} takes "
            f"{len(names)} arguments; hooks take (context, app, options) or (app, mntopt)"
            + (f" and then {extra} more" if extra else "")
        )
    form = ("old" if old else "new", base)
    _FORMS[key] = form
    return form


def call_hook(func: Callable[..., Any], context: Any, app: Any, options: dict[str, Any], *extra: Any) -> Any:
    """Call a hook with the arguments its signature asks for (see module doc)."""
    form, base = hook_form(func, len(extra))
    pool = (app, options) if form == "old" else (context, app, options)
    args = pool if base < 0 else pool[:base]
    return func(*args, *extra)


def misspelled_hooks(module: ModuleType) -> list[tuple[str, str]]:
    """``(name, closest hook)`` for each module-level dunder function that is no
    hook but is spelled like one (``__mout__``): such a hook never runs, and the
    routes it would add are 404 with nothing said, so start-up warns."""
    found: list[tuple[str, str]] = []
    for name, value in vars(module).items():
        if not (name.startswith("__") and name.endswith("__")) or name in HOOK_NAMES or name in _PYTHON_DUNDERS:
            continue
        if not callable(value) or isinstance(value, (type, ModuleType)):
            continue
        close = difflib.get_close_matches(name, HOOK_NAMES, n=1, cutoff=0.75)
        if close:
            found.append((name, close[0]))
    return found


def join_prefix(parent: str, path: str) -> str:
    """The route prefix of a module mounted on ``path`` by a module at ``parent``.

    Paths nest (``/api`` then ``/v1`` -> ``/api/v1``) unless ``path`` already
    starts with the parent's prefix (the documentation mounts ``/sub2/pages`` from the
    module mounted on ``/sub2``: the path is then taken as given).
    """
    path = "" if path in ("", "/") else "/" + path.strip("/")
    if not parent:
        return path
    if path == parent or path.startswith(parent + "/"):
        return path
    return parent + path


class MountedModule:
    """One ``app.mount(path, module, **options)``: where and with what it mounted,
    the routes its hooks added and the modules it mounted in turn."""

    def __init__(self, module: ModuleType | None, prefix: str, options: dict[str, Any], parent: MountedModule | None):
        self.module = module
        self.path = prefix
        self.options = options
        self.parent = parent
        self.children: list[MountedModule] = []
        self.rules: list[Any] = []
        #: ``(event key, listener)`` its hooks registered (dropped when it unmounts)
        self.listeners: list[tuple[str, Callable[..., Any]]] = []

    @property
    def namespace(self) -> str | None:
        return self.options.get("ns")

    def chain(self) -> list[MountedModule]:
        """This module and its parents, outermost first."""
        chain: list[MountedModule] = []
        node: MountedModule | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def hook(self, name: str) -> Callable[..., Any] | None:
        if self.module is None:
            return None
        func = getattr(self.module, name, None)
        return func if callable(func) else None

    def walk(self) -> list[MountedModule]:
        """This module and everything it mounted, in mount order."""
        nodes = [self]
        for child in self.children:
            nodes.extend(child.walk())
        return nodes

    def __repr__(self) -> str:
        name = self.module.__name__ if self.module is not None else "<app>"
        return f"<MountedModule {name} at {self.path!r}>"


class HookLoader:
    """The mounted-module tree of one app and the code that walks it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.root = MountedModule(None, "", {}, None)
        self._stack: list[MountedModule] = [self.root]
        # NOTE: mounts asked for before start-up and routes added outside any hook
        # (decorators at import time) are kept across shutdown, so an app object
        # can start again (one test client after another) with all its routes.
        self._pending: list[tuple[str, ModuleType, dict[str, Any]]] = []
        self._import_rules: set[Any] = set()
        #: modules set up and waiting for their ``__mount__`` (first pass of start-up)
        self._deferred: list[MountedModule] | None = None
        #: listeners hooks registered in the last run, dropped when the app starts again
        self._stale_listeners: list[tuple[str, Callable[..., Any]]] = []
        #: True once ``before_mount`` has been emitted in this start-up
        self._before_mount_done = False
        self.started = False

    @property
    def current(self) -> MountedModule:
        """The module whose hooks are running (routes added now belong to it)."""
        return self._stack[-1]

    def set_root_module(self, module: ModuleType | None) -> None:
        self.root.module = module

    def note_rule(self, rule: Any) -> None:
        """Remember a route added outside any hook (it outlives a shutdown)."""
        if len(self._stack) == 1:
            self._import_rules.add(rule)

    def forget_rule(self, rule: Any) -> None:
        self._import_rules.discard(rule)

    # -- mounting ------------------------------------------------------------------
    def mount(self, path: str, module: ModuleType, options: dict[str, Any]) -> MountedModule | None:
        """Mount now when the app is started (we are inside a hook), else at start-up."""
        if not isinstance(module, ModuleType):
            raise TypeError(f"app.mount needs a module or package, got {module!r}")
        if not self.started:
            self._pending.append((path, module, options))
            return None
        if options.get("debug_only") and not self.app.debug:
            return None
        parent = self.current
        node = MountedModule(module, join_prefix(parent.path, path), dict(options), parent)
        parent.children.append(node)
        if self._deferred is not None:
            self._setup_node(node)
        else:
            self._mount_node(node)
        return node

    def _run_hook(self, node: MountedModule, name: str) -> None:
        hook = node.hook(name)
        if hook is None:
            return
        events = self.app.events
        before = events.snapshot()
        self._stack.append(node)
        try:
            call_hook(hook, self.app.make_context(), self.app, node.options)
        finally:
            self._stack.pop()
            self._note_listeners(node, name, before, events.snapshot())

    def _note_listeners(
        self, node: MountedModule, hook: str, before: dict[str, tuple[Any, ...]], after: dict[str, tuple[Any, ...]]
    ) -> None:
        """Own the listeners ``hook`` registered, so unmounting the module drops
        them (a reload registers them again, they must not run twice)."""
        for key, listeners in after.items():
            for listener in listeners:
                if listener in before.get(key, ()):
                    continue
                node.listeners.append((key, listener))
                if key == _BEFORE_MOUNT and self._before_mount_done:
                    logger.warning(
                        "%s.%s registers a 'before_mount' listener (%s) after that event fired, so it "
                        "never runs; register it in __setup__ (docs/atila/lifecycle.md)",
                        getattr(node.module, "__name__", "<app>"),
                        hook,
                        getattr(listener, "__qualname__", listener),
                    )

    def _drop_listeners(self, listeners: list[tuple[str, Callable[..., Any]]]) -> None:
        for key, listener in listeners:
            self.app.events.remove_listener(key, listener)

    def _setup_node(self, node: MountedModule) -> None:
        """``__setup__`` now; at start-up its ``__mount__`` waits for ``before_mount``."""
        if node.module is not None:
            module_options = {k: v for k, v in node.options.items()}
            # documented: custom mount options can be read from __mntopt__ in the module
            node.module.__mntopt__ = module_options  # type: ignore[attr-defined]
            for name, hook in misspelled_hooks(node.module):
                logger.warning(
                    "%s defines %s, which is no hook and never runs; did you mean %s?", node.module.__name__, name, hook
                )
        self._run_hook(node, "__setup__")
        if self._deferred is not None:
            # NOTE: queued when its __setup__ returns, so the modules it mounted
            # come first: the route order is the one of setup-then-mount at once.
            self._deferred.append(node)

    def _mount_routes(self, node: MountedModule) -> None:
        self._run_hook(node, "__mount__")

    def _mount_node(self, node: MountedModule) -> None:
        """``__setup__`` then ``__mount__`` at once (a reload, a mount made after start-up)."""
        self._setup_node(node)
        self._mount_routes(node)

    def start(self, before_mount: Callable[[], Any] | None = None) -> None:
        """Per worker start-up in two passes: every ``__setup__`` (the root
        package's, the modules they mount, the modules queued before start-up),
        then ``before_mount()``, then every ``__mount__``.  So a listener that a
        ``__setup__`` registers for ``before_mount`` hears it, as the docs show."""
        self.started = True
        stale, self._stale_listeners = self._stale_listeners, []
        self._drop_listeners(stale)
        self._before_mount_done = False
        self._deferred = []
        try:
            self._setup_node(self.root)
            for path, module, options in list(self._pending):
                self.mount(path, module, options)
        finally:
            queued, self._deferred = self._deferred, None
        if before_mount is not None:
            before_mount()
        self._before_mount_done = True
        for node in queued:
            self._mount_routes(node)
        self._run_mounted(self.root)
        if not self.app.router.rules:
            hooks = [
                f"{node.module.__name__}.{name}"
                for node in self.root.walk()
                if node.module is not None
                for name in ("__setup__", "__mount__")
                if node.hook(name)
            ]
            logger.warning(
                "%r has no routes after start-up, so every URL answers 404 (hooks that ran: %s)",
                self.app,
                ", ".join(hooks) or "none",
            )

    def _run_mounted(self, top: MountedModule) -> None:
        for node in top.walk():
            self._run_hook(node, "__mounted__")

    # -- unmounting ----------------------------------------------------------------
    def _umount_tree(
        self, top: MountedModule, keep: set[Any] | frozenset[Any] = frozenset(), drop_listeners: bool = True
    ) -> None:
        """Unmount ``top`` and what it mounted.  Their listeners are dropped now
        (a reload), or with ``drop_listeners=False`` (shutdown: ``umounted`` is
        still to be heard) at the next start."""
        context = self.app.make_context()
        for node in reversed(top.walk()):
            hook = node.hook("__umounted__") or node.hook(OLD_HOOK_NAMES["__umounted__"])
            if hook is not None:
                try:
                    call_hook(hook, context, self.app, node.options)
                except Exception:
                    logger.exception("%s of %r failed", hook.__name__, node)
            for rule in list(node.rules):
                if rule not in keep:
                    self.app.unroute_rule(rule)
            node.rules = [rule for rule in node.rules if rule in keep]
            if drop_listeners:
                self._drop_listeners(node.listeners)
            else:
                self._stale_listeners.extend(node.listeners)
            node.listeners = []

    def shutdown(self) -> None:
        if self.started:
            self._umount_tree(self.root, keep=self._import_rules, drop_listeners=False)
            self.root.children = []
            self.started = False

    def reload(self, module: ModuleType) -> ModuleType:
        """Unmount ``module`` (and what it mounted), reload it, mount it again."""
        nodes = [
            node for node in self.root.walk() if node.module is not None and node.module.__name__ == module.__name__
        ]
        if not nodes:
            raise ValueError(f"module {module.__name__} is not mounted on this app")
        for node in nodes:
            self._umount_tree(node)
        _FORMS.clear()  # it would keep the old hooks, and their module's globals, alive
        fresh = importlib.reload(module)
        for node in nodes:
            node.module = fresh
            node.children = []
            parent = node.parent or self.root
            self._stack.append(parent)
            try:
                self._mount_node(node)
            finally:
                self._stack.pop()
            self._run_mounted(node)
        return fresh

    # -- lookups -------------------------------------------------------------------
    def module_files(self) -> dict[str, ModuleType]:
        """Source file (real path) -> module, for every module mounted with
        ``app.mount`` (the root package, whose hooks made the app, is not one)."""
        files: dict[str, ModuleType] = {}
        for node in self.root.walk()[1:]:
            path = getattr(node.module, "__file__", None)
            if node.module is not None and path and path.endswith(".py"):
                files[os.path.realpath(path)] = node.module
        return files

    def watch_paths(self) -> list[str]:
        paths: list[str] = []
        for node in self.root.walk():
            path = getattr(node.module, "__file__", None)
            if path:
                paths.append(os.path.dirname(path) if path.endswith("__init__.py") else path)
        return sorted(set(paths))
