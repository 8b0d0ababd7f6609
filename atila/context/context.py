"""``context`` (``was`` in older docs): what every handler, hook and event
listener receives first.

One per request, created for nothing (PERF: four slot assignments); the
request view, the response head and every extension are built on first
access.  A context without a request serves hooks and events (``__setup__``,
``@app.on("mounted")``): ``context.request`` is then None and the rest works.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import sys
from typing import TYPE_CHECKING, Any, Callable

from skitai.logs import request_id

from ..compat import ContextAliases
from ..responses.api import API, Fault
from ..responses.api import API as APIResponse
from ..responses.base import Response
from ..responses.errors import HttpError
from ..responses.files import File, Static
from ..responses.proxy import ProxyPass
from ..responses.queue import Queue
from ..security.surface import ContextSecurity
from .extensions import bind_method
from .request import Request
from .resources import ResourcesMixin
from .response import ResponseHead

if TYPE_CHECKING:
    from ..app import Atila

__all__ = ["Context"]

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "fail": logging.ERROR,
    "critical": logging.CRITICAL,
}


class Context(ContextSecurity, ContextAliases, ResourcesMixin):
    """The request context.

    Example:
        >>> @app.route("/documents/<int:doc_id>")
        ... def get_document(context, doc_id):
        ...     return context.API(url=context.urlfor(get_document, doc_id))
    """

    __slots__ = ("app", "_req", "_rule", "_params", "_request", "_response", "__dict__")

    HttpError = HttpError

    def __init__(self, app: Atila, req: Any = None, rule: Any = None, params: dict[str, Any] | None = None) -> None:
        self.app = app
        self._req = req
        self._rule = rule
        self._params = params
        self._request: Request | None = None
        self._response: ResponseHead | None = None

    # -- request and response ----------------------------------------------------
    @property
    def request(self) -> Request | None:
        request = self._request
        if request is None and self._req is not None:
            request = self._request = Request(self._req, self, self._rule, self._params)
        return request

    @property
    def response(self) -> ResponseHead:
        if self._response is None:
            self._response = ResponseHead()
        return self._response

    @property
    def env(self) -> dict[str, Any]:
        request = self.request
        return request.env if request is not None else {}

    # -- the app's own extensions (app.register_context) -----------------------------
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.extension(name, owner=self)

    def extension(self, name: str, owner: Any) -> Any:
        """Resolve an extension name for ``owner`` (this context or its request)
        and keep it on the owner so the next access is a plain attribute."""
        found = self.app.context_extensions.get(name) if self.app is not None else None
        on_request = owner is not self
        if found is None or (found.scope == "request" and not on_request) or (found.scope == "context" and on_request):
            where = "context.request" if on_request else "context"
            raise AttributeError(f"{where} has no attribute {name!r}")
        if found.kind == "object":
            return found.value
        if found.kind == "method":
            return bind_method(found.value, self)
        cache = self.__dict__
        key = "\0ext:" + name
        if key not in cache:
            cache[key] = found.value(self)
        value = cache[key]
        owner.__dict__[name] = value
        return value

    # -- apps and shared state ------------------------------------------------------
    @property
    def apps(self) -> Any:
        """Apps mounted on the same engine, by name (``was.apps["tfserver"]``)."""
        return self.app.apps

    @property
    def g(self) -> Any:
        """The dict-like shared by every app of this worker (``was.g`` in older apps)."""
        return self.app.shared_g

    # -- logging --------------------------------------------------------------------
    def log(self, message: Any, category: str = "info") -> None:
        """An error-log line at ``category``'s level, with this request's id."""
        self.app.logger.log(_LEVELS.get(category, logging.INFO), "%s", message, extra=self._log_extra())

    def traceback(self, id: str = "") -> None:
        """Log the exception being handled, with its traceback."""
        info = sys.exc_info()
        label = f" [{id}]" if id else ""
        self.app.logger.error(
            "exception%s", label, exc_info=info if info[0] is not None else None, extra=self._log_extra()
        )

    def _log_extra(self) -> dict[str, Any] | None:
        request = self.request
        raw = getattr(request, "_req", None) if request is not None else None
        return {"request_id": request_id(raw)} if raw is not None and hasattr(raw, "state") else None

    # -- URLs -----------------------------------------------------------------------
    def urlfor(self, target: Any, *args: Any, **kwargs: Any) -> str:
        return self.app.urlfor(target, *args, **kwargs)

    def partial(self, target: Any, **overrides: Any) -> str:
        """``target``'s URL from this request's values with some replaced."""
        current = self.request.ARGS if self.request is not None else {}
        return self.app.urlfor_partial(target, current, **overrides)

    def basepath(self, target: Any) -> str:
        return self.app.basepath(target)

    def static(self, path: str) -> str:
        return self.app.static_url(path)

    def media(self, path: str) -> str:
        return self.app.media_url(path)

    # -- calling other routes and emitting -----------------------------------------
    def pipe(self, target: Any, **kwargs: Any) -> Any:
        """Call another route's handler in-process with this context (documented
        under "Piping"); its parameters are bound and validated like a request's.

        An ``async def`` target is awaited for a ``def`` caller (which runs in a
        worker thread) and returned as an awaitable to an ``async def`` caller.
        """
        result = self.app.pipeline.call_route(self, target, kwargs)
        if inspect.isawaitable(result):
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                loop = self.app.loop
                if loop is None:
                    return asyncio.run(_await(result))
                return asyncio.run_coroutine_threadsafe(_await(result), loop).result()
        return result

    def emit(self, name: Any, *args: Any, broadcast: bool = False, **kwargs: Any) -> int:
        """Tell the app's listeners (with this context); ``broadcast=True`` also
        tells them in every other worker and host (docs/scaling.md)."""
        if broadcast:
            from ..cluster import publish_event
            from ..events.bus import event_key

            publish_event(self.app, event_key(name), args, kwargs)
        return self.app.events.emit_with(self, name, *args, **kwargs)

    def broadcast(self, name: Any, *args: Any, **kwargs: Any) -> int:
        """Tell every app of this worker (``was.broadcast`` in older apps)."""
        return int(self.app.broadcast(name, *args, **kwargs))

    # -- responses ------------------------------------------------------------------
    def render(self, template: str, /, *dicts: Any, **variables: Any) -> str:
        """Render a Jinja2 template; variables come as dicts and/or keywords
        (``render("index.html", {"choice": 2}, product="Apples")``)."""
        return self.app.templates.render(self, template, *dicts, **variables)

    def render_or_API(self, template: str, *args: Any, **data: Any) -> Any:
        """HTML for browsers, the same data as an API answer for API clients."""
        request = self.request
        if (
            request is not None
            and request.acceptables
            and request.acceptables[0] in ("text/html", "application/xhtml+xml")
        ):
            if args and isinstance(args[-1], dict):
                data = {**args[-1], **data}
            return self.render(template, **data)
        return API(*args, **data)

    def API(self, *args: Any, **data: Any) -> API:
        return API(*args, **data)

    def jstream(self, obj: Any, key: str | None = None) -> APIResponse:
        """The documented JSON answer: ``obj``, or ``{key: obj}``."""
        return API({key: obj} if key else obj)

    def Fault(self, *args: Any, **data: Any) -> Fault:
        return Fault(*args, **data)

    def File(self, path: str, mimetype: str | None = None, filename: str | None = None) -> File:
        return File(path, mimetype, filename)

    def Static(self, url: str, mimetype: str | None = None) -> Static:
        return Static(url, self.app.statics, mimetype)

    def Queue(self, producer: Callable[..., Any], *args: Any, **kwargs: Any) -> Queue:
        return Queue(producer, *args, **kwargs)

    def Input(self, size: int = -1) -> Any:
        """``msg = yield context.Input()`` in a ``WS_COROUTINE`` handler: the next
        message; ``data = yield context.Input(n)`` in an ``input_stream=True``
        route: up to ``n`` bytes of the request body."""
        from ..inputs import Input

        return Input(size)

    def ProxyPass(self, upstream: str, path: str | None = None, timeout: float = 3.0) -> ProxyPass:
        return ProxyPass(upstream, path, timeout)

    def redirect(self, url: str, status: Any = 302, headers: list[tuple[str, str]] | None = None) -> Response:
        """Send the client to ``url`` (status 301, 302, 303, 307 or 308)."""
        body = f'<html><body>Redirecting to <a href="{_attr(url)}">{_attr(url)}</a></body></html>'.encode()
        out = [("Location", url), ("Content-Type", "text/html; charset=utf-8"), *(headers or [])]
        return Response(status, body, out)

    def __repr__(self) -> str:
        return f"<Context {self.app!r} {self._req!r}>"


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


async def _await(awaitable: Any) -> Any:
    return await awaitable
