"""The Atila app object: settings, router, hooks, events, templates.

It is also what Skitai mounts: ``__skitai_mount__`` hands the engine the app
itself as a :class:`skitai.contract.Mount`, and ``handle`` is the request
pipeline (:mod:`atila.pipeline`).  The hooks loader (:mod:`atila.mounting`)
runs the life-cycle hooks at ``startup``.

Example::

    app = Atila(__name__)

    @app.route("/")
    def index(context):
        return "Hello, World"

    app.run(5000)
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import os
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Iterable, TypeVar

from skitai.preference import AttrDict

from . import cluster, route_header
from .compat import AppAliases
from .context.context import Context
from .context.extensions import ContextExtensions
from .context.request import Request
from .context.shared import AppsView, SharedState, Store
from .decorators import HookDecorators
from .events.bus import EventBus, EventHub, event_key
from .events.names import Event
from .mounting import HookLoader, MountedModule
from .pipeline import REQUEST_EVENT_KEYS, Pipeline, RequestHooks
from .routing import BuildError, Router, Rule
from .routing.options import check_route_options
from .security import install as install_security
from .security.decorators import SecurityDecorators

if TYPE_CHECKING:
    from .templates import Templates

__all__ = ["Atila"]

F = TypeVar("F", bound=Callable[..., Any])


class Atila(HookDecorators, SecurityDecorators, AppAliases):
    """A web app made of routes and life-cycle hooks.

    Args:
        import_name: the app's module name (``__name__``); its folder holds
            ``templates/`` and ``static/``.
    """

    #: mount protocol: apps are tried after static folders on the same prefix
    priority = 10

    def __init__(self, import_name: str, **settings: Any) -> None:
        self.import_name = import_name
        module = sys.modules.get(import_name)
        file = getattr(module, "__file__", None)
        self.home = os.path.dirname(os.path.abspath(file)) if file else os.getcwd()
        self.prefix = ""
        self.name: str | None = None
        self.body_limit: int | None = None
        self.config = AttrDict()
        self.debug = False
        self.use_reloader = False
        self.securekey: str | None = None
        self.session_timeout: int | None = None
        self.max_client_body_size: int | None = None
        self.access_control_allow_origin: list[str] | None = None
        self.access_control_max_age: int | None = None
        #: app-wide authentication scheme (``"basic"``, ``"digest"``, ``"bearer"``)
        self.authenticate: str | None = None
        #: the realm of authentication challenges (default: the app's name)
        self.realm: str | None = None
        #: ``{username: password}`` for basic and digest authentication
        self.users: dict[str, Any] | None = None
        #: another spelling of ``securekey``
        self.secret_key: str | None = None
        self.statics: list[tuple[str, str]] = []
        self.base_modules: list[ModuleType] = []
        self.override_modules: list[ModuleType] = []
        self.logger = logging.getLogger(f"atila.app.{import_name}")
        self.router = Router()
        self.router_needs_content_type = False
        self.request_hooks = RequestHooks()
        self.error_handlers: dict[int | None, Callable[..., Any]] = {}
        self.context_extensions = ContextExtensions()
        #: ``(request, rule, allow) -> headers`` for automatic OPTIONS answers (CORS)
        self.preflight: Callable[..., list[tuple[str, str]]] | None = None
        self.store = Store()
        self.g = Store()
        self.engine: Any = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._shared: SharedState | None = None
        self._rule_modules: dict[Rule, MountedModule] = {}
        self._http_client: Any = None
        self._templates: Templates | None = None
        self._maintainer: Any = None
        self.hooks = HookLoader(self)
        self.pipeline = Pipeline(self)
        # PERF: the engine calls app.handle directly, no method hop in between.
        self.handle = self.pipeline.handle
        self.events = EventBus(None, context_factory=self.make_context, logger=self.logger)
        self.events.on_change = self._listeners_changed
        #: ``func(app)`` (or ``async def``) run at the end of :meth:`startup`, for extensions
        self.startup_hooks: list[Callable[[Any], Any]] = []
        for key, value in settings.items():
            setattr(self, key, value)
        self._install_extensions()

    def _install_extensions(self) -> None:
        """Framework parts living elsewhere add their context values, decorator
        handlers and start-up checks through an ``install(app)`` function."""
        install_security(self)
        # ecosystem hook: atila.openapi adds /openapi.json and /docs at start-up
        from .openapi import install as install_openapi

        install_openapi(self)

    def __repr__(self) -> str:
        return f"<Atila {self.import_name} at {self.prefix or '/'}>"

    # -- mounting on the engine ---------------------------------------------------
    def __skitai_mount__(
        self, prefix: str, pref: Any = None, name: str | None = None, module: ModuleType | None = None, **options: Any
    ) -> list[Any]:
        """Called by ``skitai.mount``: take the mount point, the preferences and
        the hooks package; the app itself is the mount."""
        self.prefix = prefix.rstrip("/")
        self.name = name or self.name or self.import_name.rsplit(".", 1)[-1]
        if pref is not None:
            self.apply_pref(pref)
        if module is not None:
            self.hooks.set_root_module(module)
        subscribe = options.pop("subscribe", None)
        if subscribe:
            self.events.subscribe(*([subscribe] if isinstance(subscribe, str) else subscribe))
        limit = self.max_client_body_size or self.config.get("MAX_UPLOAD_SIZE")
        self.body_limit = int(limit) if limit else None
        # ecosystem hook: static folders of pref.extends/pref.overrides packages
        from .collaboration import static_mounts

        return [self, *static_mounts(self)]

    def apply_pref(self, pref: Any) -> None:
        attributes = pref.attributes() if hasattr(pref, "attributes") else {}
        for key, value in attributes.items():
            if value is not None or not hasattr(self, key):
                setattr(self, key, value)
        self.config.update(getattr(pref, "config", None) or {})
        self.statics = list(getattr(pref, "statics", None) or [])
        self.base_modules = list(getattr(pref, "base_modules", None) or [])
        self.override_modules = list(getattr(pref, "override_modules", None) or [])

    async def startup(self, engine: Any) -> None:
        """Per worker: join the engine's shared state, run the hooks (life cycle 2)."""
        self.engine = engine
        self.loop = asyncio.get_running_loop()
        self.debug = bool(self.debug or getattr(engine, "debug", False))
        self.pipeline.describe_routes = route_header.enabled(self)
        self._shared = self._find_shared(engine)
        self.events.name = self.name
        self.events.attach(self._shared.hub)
        self.events.bind_loop(self.loop)
        cluster.join(self)
        self.hooks.start(before_mount=functools.partial(self.events.emit, Event.BEFORE_MOUNT))
        # ecosystem hook: pref.overrides/pref.extends packages' services, after the app's own
        from .collaboration import mount_collaborators

        mount_collaborators(self)
        self.events.emit(Event.MOUNTED)
        self.events.emit(Event.MOUNTED_OR_RELOADED)
        if self._maintainer is not None and self._maintainer.jobs:
            self._maintainer.start(
                self.make_context, base_interval=self.config.get("MAINTAIN_INTERVAL"), run_in_thread=self.run_in_thread
            )
        for hook in self.startup_hooks:
            result = hook(self)
            if inspect.isawaitable(result):
                await result

    def after_startup(self, func: F) -> F:
        """Run ``func(app)`` once the app has started in a worker (hooks ran,
        routes are known); extensions use it for start-up checks."""
        self.startup_hooks.append(func)
        return func

    def _find_shared(self, engine: Any) -> SharedState:
        for mount in getattr(engine, "mounts", ()) or ():
            shared = getattr(mount, "_shared", None)
            if mount is not self and isinstance(shared, SharedState):
                return shared
        return SharedState(EventHub())

    async def shutdown(self) -> None:
        """Life cycle 4: ``before_umount``, ``__umounted__`` hooks, ``umounted``."""
        self.events.emit(Event.BEFORE_UMOUNT)
        if self._maintainer is not None:
            await self._maintainer.stop()
        self.hooks.shutdown()
        self.events.emit(Event.UMOUNTED)
        await self.events.wait_pending(timeout=5)
        if self._http_client is not None:
            client, self._http_client = self._http_client, None
            await client.aclose()

    # -- ASGI --------------------------------------------------------------------------
    @functools.cached_property
    def asgi(self) -> Any:
        """This app as an ASGI 3 application (``uvicorn main:app.asgi``)."""
        from .asgi import ASGIAdapter

        return ASGIAdapter(self)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """The app is itself an ASGI app, so ``uvicorn main:app`` works."""
        await self.asgi(scope, receive, send)

    def not_found(self, request: Any, responder: Any) -> Any:
        return self.pipeline.not_found(request, responder)

    def watch_paths(self) -> Iterable[str]:
        module = sys.modules.get(self.import_name)
        paths = list(self.hooks.watch_paths())
        file = getattr(module, "__file__", None)
        if file:
            paths.append(file)
        return sorted(set(paths))

    def reload_targets(self) -> list[str]:
        """Files ``--devel`` may reload in place (optional mount protocol): the
        modules mounted with ``app.mount``.  The module that defines the app,
        the package given to ``skitai.mount`` and the launch script are left
        out: their code made the app object itself, so only a restart reloads them."""
        made_by = {sys.modules.get(self.import_name), self.hooks.root.module, sys.modules.get("__main__")}
        files = [getattr(module, "__file__", None) for module in made_by]
        fixed = {os.path.realpath(file) for file in files if file}
        return sorted(path for path in self.hooks.module_files() if path not in fixed)

    def reload(self, path: str) -> None:
        """Reload the mounted module whose source is ``path`` (optional mount
        protocol); a file no longer mounted (a reload just before dropped it) is
        left alone.  Errors of the module's code propagate."""
        module = self.hooks.module_files().get(os.path.realpath(path))
        if module is not None:
            self.reload_module(module)

    def reload_module(self, module: ModuleType) -> ModuleType:
        """Re-run ``module``'s hooks after reloading it (the devel reloader calls this)."""
        self.events.emit(Event.BEFORE_RELOAD)
        fresh = self.hooks.reload(module)
        self.pipeline.forget()
        self.events.emit(Event.RELOADED)
        self.events.emit(Event.MOUNTED_OR_RELOADED)
        return fresh

    def run(self, port: int = 5000, **options: Any) -> None:
        """Serve this app alone on ``port`` (``skitai.mount('/', app)`` + ``skitai.run``)."""
        import skitai

        skitai.mount("/", self)
        skitai.run(port=port, **options)

    def test_client(self, point: str = "/", approot: str | None = ".", **options: Any) -> Any:
        """An in-process client (:mod:`atila.testing`)."""
        from .testing import AppTestClient

        return AppTestClient(self, point, approot, **options)

    def run_in_thread(self, func: Callable[..., Any], *args: Any) -> Any:
        """Run blocking work in the worker's thread pool."""
        if self.engine is not None:
            return self.engine.run_in_thread(func, *args)
        return asyncio.get_running_loop().run_in_executor(None, functools.partial(func, *args))

    # -- contexts, shared state ----------------------------------------------------
    def make_context(self) -> Context:
        """A context without a request, for hooks, events and jobs."""
        return Context(self)

    @property
    def shared_g(self) -> Store:
        if self._shared is None:
            self._shared = SharedState(EventHub())
        return self._shared.g

    @property
    def apps(self) -> AppsView:
        return AppsView(self)

    def register_context(self, name: str, value: Any, kind: str = "auto", scope: str = "context") -> None:
        """Add ``context.<name>``: an object, a method (a function taking the
        context first) or, with ``kind="property"``, a per-request lazy value."""
        if hasattr(Context, name) or hasattr(Request, name):
            raise ValueError(f"context.{name} is built in; register the extension under another name")
        self.context_extensions.register(name, value, kind, scope)

    # -- module mounting -------------------------------------------------------------
    def mount(
        self, *targets: Any, ns: str | None = None, authenticate: Any = None, debug_only: bool = False, **options: Any
    ) -> None:
        """Mount service modules: ``app.mount("/api", module, ...)`` or
        ``app.mount(module)`` (on "/"); their ``__setup__``/``__mount__`` run now
        when called from a hook, else at start-up.  ``options`` reach the module
        as ``mntopt``/``__mntopt__`` and ``context.request.routable["mntopt"]``."""
        path = "/"
        if targets and isinstance(targets[0], str):
            path, targets = targets[0], targets[1:]
        if not targets:
            raise TypeError("app.mount needs at least one module")
        options.update(
            {
                key: value
                for key, value in (("ns", ns), ("authenticate", authenticate), ("debug_only", debug_only))
                if value
            }
        )
        for module in targets:
            self.hooks.mount(path, module, dict(options))

    def module_of(self, rule: Rule) -> MountedModule | None:
        return self._rule_modules.get(rule)

    def mount_options_of(self, rule: Rule) -> dict[str, Any]:
        module = self._rule_modules.get(rule)
        return dict(module.options) if module is not None else {}

    # -- routing ------------------------------------------------------------------------
    def route(
        self,
        path: str,
        methods: list[str] | str | None = None,
        content_types: list[str] | None = None,
        name: str | None = None,
        **options: Any,
    ) -> Callable[[F], F]:
        """Route ``path`` (relative to the module's mount path) to the decorated
        handler; stack several on one function for several paths."""

        def decorator(func: F) -> F:
            self.add_route(path, func, methods, content_types, name, options)
            return func

        return decorator

    def add_route(
        self,
        path: str,
        func: Callable[..., Any],
        methods: Any = None,
        content_types: Any = None,
        name: str | None = None,
        options: dict[str, Any] | None = None,
    ) -> Rule:
        if not isinstance(path, str):
            raise TypeError(f"route path must be a str, got {path!r}")
        module = self.hooks.current
        if path and not path.startswith("/"):
            # NOTE: relative to the module's mount path like "" (the mount path
            # itself): "items/<id>" is "<mount>/items/<id>", never "<mount>items/<id>".
            path = "/" + path
        options = check_route_options(path, dict(options or {}))
        for key in ("authenticate",):
            if key not in options and module.options.get(key):
                options[key] = module.options[key]
        full = module.path + path
        rule = Rule(full, func, methods, content_types, name or "", options)
        self.hooks.note_rule(rule)
        namespace = ".".join(node.namespace for node in module.chain() if node.namespace) or None
        self.router.add(rule, namespace)
        if rule.content_types:
            self.router_needs_content_type = True
        self._rule_modules[rule] = module
        module.rules.append(rule)
        return rule

    def unroute(self, func_or_name: Callable[..., Any] | str) -> None:
        """Remove every route of a handler or route name."""
        for rule in self.router.remove(func_or_name):
            self._forget_rule(rule)

    def unroute_rule(self, rule: Rule) -> None:
        self.router.remove_rule(rule)
        self._forget_rule(rule)

    def _forget_rule(self, rule: Rule) -> None:
        self.hooks.forget_rule(rule)
        module = self._rule_modules.pop(rule, None)
        if module is not None and rule in module.rules:
            module.rules.remove(rule)
        self.pipeline.forget()

    def find_rules(self, target: Callable[..., Any] | str) -> list[Rule]:
        """Rules for a handler or a name: ``"index"``, ``"ns.index"`` or the
        handler's module path inside the app (``"sub.pages.toc"``)."""
        rules = self.router.find(target)
        if rules or not isinstance(target, str) or "." not in target:
            if not rules:
                raise BuildError(f"no route named {target!r}")
            return rules
        module_path, _, short = target.rpartition(".")
        for rule in self.router.find(short):
            owner = getattr(rule.func, "__module__", "") or ""
            if owner == module_path or owner.endswith("." + module_path):
                rules.append(rule)
        if not rules:
            raise BuildError(f"no route named {target!r}")
        return rules

    def _build_target(self, target: Any) -> Any:
        if isinstance(target, str) and target.startswith("/"):
            return target
        rule = self.find_rules(target)[0]
        return rule.name if isinstance(target, str) else target

    def urlfor(self, target: Callable[..., Any] | str, *args: Any, **kwargs: Any) -> str:
        """The URL of a route (with the mount point): by handler, by name, or
        ``"app:route"`` for another app mounted on the same engine."""
        if isinstance(target, str) and ":" in target and not target.startswith("/"):
            app_name, _, route = target.partition(":")
            other = self.apps.get(app_name)
            if other is None or not hasattr(other, "urlfor"):
                raise BuildError(f"no Atila app named {app_name!r} is mounted")
            return str(other.urlfor(route, *args, **kwargs))
        built = self.router.build(self._build_target(target), *args, **kwargs)
        if isinstance(target, str) and target.startswith("/"):
            return built
        url = self.prefix + built
        # NOTE: route "" at the root mount is the URL "/" (a request target is never empty).
        return url if url.startswith("/") else "/" + url

    def urlfor_partial(self, target: Any, current: Any, **overrides: Any) -> str:
        return self.prefix + self.router.build_partial(self._build_target(target), current, **overrides)

    def basepath(self, target: Any) -> str:
        return self.prefix + self.router.basepath(self._build_target(target))

    def static_url(self, path: str) -> str:
        base = self.statics[0][0] if self.statics else self.config.get("STATIC_URL", "/static")
        return base.rstrip("/") + "/" + path.lstrip("/")

    def media_url(self, path: str) -> str:
        base = self.config.get("MEDIA_URL") or (self.statics[-1][0] if len(self.statics) > 1 else "/media")
        return base.rstrip("/") + "/" + path.lstrip("/")

    # -- websocket (atila/websocket/, docs/websocket.md) ----------------------------------
    def websocket(
        self,
        spec: int = 0,
        timeout: float | None = 60,
        onopen: Callable[..., Any] | None = None,
        onclose: Callable[..., Any] | None = None,
        **options: Any,
    ) -> Callable[[F], F]:
        """Make the route below a WebSocket endpoint: ``spec`` is ``skitai.WS_*``
        flags, ``timeout`` the idle seconds before the server closes,
        ``onopen(context)`` / ``onclose(context)`` run once per connection."""
        from .websocket import websocket_decorator

        return websocket_decorator(self, spec, timeout, onopen, onclose, **options)

    @functools.cached_property
    def websocket_backend(self) -> Any:
        """Where ``websocket_send`` finds clients (this worker's, for now)."""
        from skitai.websocket.registry import LocalBackend

        return LocalBackend()

    def websocket_send(self, client_id: str, message: Any) -> bool:
        """Push ``message`` to a connected client from any route or thread,
        whichever worker (or host) holds it; False (never an exception) when
        that client has gone (for a client of another worker: when that
        worker is not reachable)."""
        if not isinstance(client_id, str):
            return False
        from .websocket.channel import as_message

        message = as_message(message)
        if "websocket_backend" in self.__dict__ and self.websocket_backend.send(client_id, message):
            return True
        return cluster.route_websocket(self, client_id, message)

    def _relayed_websocket(self, payload: dict[str, Any]) -> None:
        cluster.relayed_websocket(self, payload)

    def _relayed_room(self, payload: dict[str, Any]) -> None:
        cluster.relayed_room(self, payload)

    # -- events, templates, jobs ------------------------------------------------------------
    def on(self, name: Any) -> Callable[[F], F]:
        """Listen to an event (``app.events.on`` is the same)."""
        return self.events.on(name)

    def _listeners_changed(self, key: str) -> None:
        # routes compile their request-event emitters only when someone listens
        if key in REQUEST_EVENT_KEYS:
            self.request_hooks.version += 1

    def emit(self, name: Any, *args: Any, broadcast: bool = False, **kwargs: Any) -> int:
        """Tell this app's listeners; with ``broadcast=True`` also the app's
        listeners in every other worker and host (arguments must be JSON)."""
        if broadcast:
            cluster.publish_event(self, event_key(name), args, kwargs)
        return self.events.emit(name, *args, **kwargs)

    def _relayed_event(self, payload: dict[str, Any]) -> None:
        cluster.relayed_event(self, payload)

    def emit_after(self, name: Any, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        return self.events.emit_after(name, *args, **kwargs)

    def broadcast(self, name: Any, *args: Any, **kwargs: Any) -> int:
        """Emit ``name`` to every app of this worker that listens."""
        hub = self.events.hub
        return hub.broadcast(name, *args, **kwargs) if hub is not None else self.emit(name, *args, **kwargs)

    def broadcast_after(self, name: Any, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        """Decorator: :meth:`broadcast` ``name`` once the function returns."""

        def decorator(func: F) -> F:
            @functools.wraps(func)
            def wrapper(*call_args: Any, **call_kwargs: Any) -> Any:
                result = func(*call_args, **call_kwargs)
                self.broadcast(name, *args, **kwargs)
                return result

            return wrapper  # type: ignore[return-value]

        return decorator

    def get_resource(self, *parts: str) -> str:
        """A path under the app's ``resources/`` folder."""
        return os.path.join(self.home, "resources", *parts)

    @property
    def templates(self) -> Templates:
        if self._templates is None:
            from .templates import Templates

            self._templates = Templates(self, events=self.events)
        return self._templates

    @property
    def jinja_env(self) -> Any:
        return self.templates.env

    def template_global(self, name: str | None = None) -> Callable[[F], F]:
        return self.templates.template_global(name)

    def template_filter(self, name: str | None = None) -> Callable[[F], F]:
        return self.templates.template_filter(name)

    def jinja_overlay(self, **options: Any) -> Any:
        return self.templates.jinja_overlay(**options)

    def maintain(self, interval: Any = 1, threading: bool = False) -> Any:
        if self._maintainer is None:
            from .tasks.maintain import Maintainer

            self._maintainer = Maintainer(self.logger)
        return self._maintainer.maintain(interval, threading)

    # -- upstreams ------------------------------------------------------------------------------
    def http_client(self) -> Any:
        """This app's pooled ``httpx.AsyncClient`` (ProxyPass), made on first use."""
        if self._http_client is None:
            import httpx

            self._http_client = httpx.AsyncClient(follow_redirects=False)
        return self._http_client

    def resolve_upstream(self, upstream: str) -> str:
        """``"@alias"`` -> its base URL via the engine's alias registry."""
        if not upstream.startswith("@"):
            return upstream
        resolve = getattr(self.engine, "resolve_alias", None)
        if resolve is None:
            raise ValueError(f"upstream alias {upstream!r} cannot be resolved: no alias registry")
        return str(resolve(upstream))
