"""Every old spelling Atila still answers to, in one place.

Apps written against the older documentation keep running: the names below
forward to the current API and nothing else in the framework defines an alias.
New code should use the names they point to.  The list:

==============================  ===============================================
old name                        current name
==============================  ===============================================
``app.register``                ``app.register_context``
``app.build_url``               ``app.urlfor``
``app.on_broadcast``            ``app.on`` (a broadcast is an event like any other)
``app.test_params``,            ``app.inspect``
``app.require``, ``app.spec``
``app.depends``                 ``app.run_before``
``app.password_handler``        ``app.password_provider``
``context.Error``,              ``context.HttpError`` / ``atila.HttpError``
``atila.Error``
``context.ab``                  ``context.urlfor``
``context.urlpatch``            ``context.partial``
``context.proxypass``           ``context.ProxyPass``
``context.mkjwt`` / ``dejwt``   ``context.encode_jwt`` / ``decode_jwt``
``context.mkott`` / ``deott``   ``context.encode_ott`` / ``decode_ott``
``context.rvott``               ``context.revoke_ott``
``context.csrf_verify``         ``context.verify_csrf``
``request.routed_function``     ``request.routed``
``request.args``                ``request.ARGS``
``request.command``             ``request.method.lower()``
``request.get_scheme()``        ``request.scheme``
``request.get_body()``          ``request.body``
``response.with_explain``       ``response.throw``
``response.hint_promise(uri)``  ``response.append_header("Link", "<uri>; rel=preload")``
``was`` (argument, template)    ``context``; ``atila.was`` is the module of old imports
``__umount__`` (module hook)    ``__umounted__``
``atila.request_failed`` ...    ``atila.Event.FAILED_REQUEST`` ... (:data:`EVENT_NAMES`)
==============================  ===============================================

The aliases reach the classes as mixins (:class:`AppAliases`,
:class:`ContextAliases`, :class:`RequestAliases`, :class:`ResponseHeadAliases`),
so they are declared attributes that ``help()``, IDEs and mypy see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .events.names import LEGACY_ALIASES, Event
from .responses.errors import HttpError

__all__ = [
    "AppAliases",
    "ContextAliases",
    "RequestAliases",
    "ResponseHeadAliases",
    "Error",
    "CONTEXT_NAMES",
    "OLD_CONTEXT_NAME",
    "OLD_HOOK_NAMES",
    "EVENT_NAMES",
]

#: ``atila.Error``: the old name of :class:`atila.HttpError`
Error = HttpError

#: the context's old name, as a hook argument and a template variable
OLD_CONTEXT_NAME = "was"
#: what the first argument of a hook may be called when it is the context
CONTEXT_NAMES = frozenset({"context", OLD_CONTEXT_NAME})
#: module hook -> its old name, looked up when the module lacks the new one
OLD_HOOK_NAMES = {"__umounted__": "__umount__"}


class AppAliases:
    """Old names on :class:`atila.Atila`."""

    def register(self: Any, name: str, value: Any, kind: str = "auto", scope: str = "context") -> None:
        """Old name of ``register_context``."""
        self.register_context(name, value, kind, scope)

    def build_url(self: Any, target: Any, *args: Any, **kwargs: Any) -> str:
        """Old name of ``urlfor``."""
        return str(self.urlfor(target, *args, **kwargs))

    def on_broadcast(self: Any, name: Any) -> Any:
        """Old name of ``on``: a broadcast reaches the listeners of its event."""
        return self.on(name)

    def test_params(self: Any, *args: Any, **spec: Any) -> Any:
        """Old name of ``inspect``."""
        return self.inspect(*args, **spec)

    require = spec = test_params

    def depends(self: Any, *funcs: Callable[..., Any]) -> Any:
        """Old name of ``run_before``."""
        return self.run_before(*funcs)

    def password_handler(self: Any, func: Callable[..., Any]) -> Any:
        """Old name of ``password_provider``."""
        return self.password_provider(func)


class ContextAliases:
    """Old names on :class:`atila.Context`."""

    __slots__ = ()

    Error = HttpError

    def ab(self: Any, target: Any, *args: Any, **kwargs: Any) -> str:
        """Old name of ``urlfor``."""
        return str(self.urlfor(target, *args, **kwargs))

    def urlpatch(self: Any, target: Any, **overrides: Any) -> str:
        """Old name of ``partial``."""
        return str(self.partial(target, **overrides))

    def proxypass(self: Any, upstream: str, path: str | None = None, timeout: float = 3.0) -> Any:
        """Old name of ``ProxyPass``."""
        return self.ProxyPass(upstream, path, timeout)

    def mkjwt(self: Any, claims: dict[str, Any], algorithm: str = "HS256") -> str:
        """Old name of ``encode_jwt``."""
        return str(self.encode_jwt(claims, algorithm))

    def dejwt(self: Any, token: str | None = None) -> dict[str, Any]:
        """Old name of ``decode_jwt``."""
        return dict(self.decode_jwt(token))

    def mkott(self: Any, obj: Any, timeout: float = 3600, key: str | None = None) -> str:
        """Old name of ``encode_ott``."""
        return str(self.encode_ott(obj, timeout, key))

    def deott(self: Any, token: str | None, key: str | None = None) -> Any:
        """Old name of ``decode_ott``."""
        return self.decode_ott(token, key)

    def rvott(self: Any, token: str | None) -> None:
        """Old name of ``revoke_ott``."""
        self.revoke_ott(token)

    def csrf_verify(self: Any) -> bool:
        """Old name of ``verify_csrf``."""
        return bool(self.verify_csrf())


class RequestAliases:
    """Old names on ``context.request``."""

    __slots__ = ()

    @property
    def routed_function(self: Any) -> Any:
        """Old name of ``routed``."""
        return self.routed

    @property
    def args(self: Any) -> Any:
        """Old name of ``ARGS``."""
        return self.ARGS

    @property
    def command(self: Any) -> str:
        """The method in lower case (old spelling of ``method``)."""
        return str(self.method).lower()

    def get_scheme(self: Any) -> str:
        """Old name of ``scheme``."""
        return str(self.scheme)

    def get_body(self: Any) -> bytes:
        """Old name of ``body``."""
        return bytes(self.body)


class ResponseHeadAliases:
    """Old names on ``context.response``."""

    __slots__ = ()

    def with_explain(self: Any, status: Any = "200 OK", detail: str = "") -> None:
        """Old name of ``throw``."""
        self.throw(status, detail)

    def hint_promise(self: Any, uri: str) -> None:
        """A preload hint for ``uri`` (RFC 8288 ``Link``); once meant for HTTP/2 push."""
        self.append_header("Link", f"<{uri}>; rel=preload")


# -- the lower-case event constants (``@app.on(atila.request_failed)``) ------------------
app_starting: Event = LEGACY_ALIASES["app_starting"]
app_started: Event = LEGACY_ALIASES["app_started"]
app_restarting: Event = LEGACY_ALIASES["app_restarting"]
app_restarted: Event = LEGACY_ALIASES["app_restarted"]
app_mounted: Event = LEGACY_ALIASES["app_mounted"]
app_unmounting: Event = LEGACY_ALIASES["app_unmounting"]
request_starting: Event = LEGACY_ALIASES["request_starting"]
request_success: Event = LEGACY_ALIASES["request_success"]
request_finished: Event = LEGACY_ALIASES["request_finished"]
request_failed: Event = LEGACY_ALIASES["request_failed"]
request_tearing_down: Event = LEGACY_ALIASES["request_tearing_down"]
template_rendering: Event = LEGACY_ALIASES["template_rendering"]

#: the constants above, re-exported by ``atila`` and ``atila.events``
EVENT_NAMES = [
    "app_starting",
    "app_started",
    "app_restarting",
    "app_restarted",
    "app_mounted",
    "app_unmounting",
    "request_starting",
    "request_success",
    "request_finished",
    "request_failed",
    "request_tearing_down",
    "template_rendering",
]
__all__ += EVENT_NAMES
