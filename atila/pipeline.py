"""One request, top to bottom.

::

    handle            router.match -> 404 passes (NOT_FOUND), 301/405/415/OPTIONS answered
      _serve          read the body (on the loop) when there is one
        _run_*        before hooks -> bind parameters -> handler -> after hooks
                      (failed hooks on error, teardown always); ``def`` handlers run
                      this in the worker's thread pool, ``async def`` on the loop
        render        return value -> Response, merged with ``context.response``
        errors        any skitai.errors.HTTPError (HttpError, ParamError,
                      SecurityError, engine limits) -> its status, anything
                      else -> 500 (traceback only in debug)
        respond       one ``responder.respond`` for bytes bodies, streaming otherwise

PERF: per-route work happens once, in :class:`Endpoint` (compiled on a route's
first request and again only when app hooks change); a GET to an ``async def``
handler is one coroutine, no task, no thread hop.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import sys
from functools import partial
from typing import Any, Callable, Generator, TypeVar

from skitai.contract import NOT_FOUND
from skitai.errors import ClientGone, HTTPError

from .context.context import Context
from .coroutines import drive, is_generator_route
from .events.names import Event
from .marks import attach, attached
from .mounting import call_hook
from .responses.api import JSON_TYPE, UnencodableValue, dumps_json
from .responses.base import Response
from .responses.errors import HttpError, error_response, make_error_info
from .responses.render import HTML_TYPE, to_response
from .route_header import describe_route
from .rpc import protocol_for

__all__ = ["Pipeline", "Endpoint", "RequestHooks", "attach", "attached", "REQUEST_EVENT_KEYS"]

logger = logging.getLogger("atila.pipeline")
F = TypeVar("F", bound=Callable[..., Any])

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_TEXT = [("Content-Type", "text/plain; charset=utf-8")]
#: the fields to_response gives a str and a dict (see _respond_plain)
_HTML_FIELD = ("Content-Type", HTML_TYPE)
_JSON_FIELD = ("Content-Type", JSON_TYPE)
_REQUEST_EVENTS = (Event.BEFORE_REQUEST, Event.FINISH_REQUEST, Event.FAILED_REQUEST, Event.TEARDOWN_REQUEST)
#: listener keys whose change makes routes recompile (their emitters come and go)
REQUEST_EVENT_KEYS = frozenset(event.value for event in _REQUEST_EVENTS)


class RequestHooks:
    """App-wide request hooks (documented under "Registering Per Request Calling Functions")."""

    def __init__(self) -> None:
        self.before: list[Callable[..., Any]] = []
        self.finish: list[Callable[..., Any]] = []
        self.failed: list[Callable[..., Any]] = []
        self.teardown: list[Callable[..., Any]] = []
        self.version = 0

    def add(self, kind: str, func: F) -> F:
        getattr(self, kind).append(func)
        self.version += 1
        return func


class Endpoint:
    """Everything one route needs per request, decided once."""

    __slots__ = (
        "rule",
        "func",
        "is_async",
        "spec",
        "takes_nothing",
        "inspectors",
        "before",
        "after",
        "wrapup",
        "error",
        "teardown",
        "finish",
        "failed",
        "input_stream",
        "module",
        "version",
        "simple",
        "events",
        "fast",
        "coroutine",
    )

    def __init__(self, app: Any, rule: Any) -> None:
        hooks: RequestHooks = app.request_hooks
        module = app.module_of(rule)
        chain = module.chain() if module is not None else []
        self.rule = rule
        self.func = rule.func
        self.is_async = inspect.iscoroutinefunction(rule.func)
        self.spec = rule.spec
        self.takes_nothing = not self.spec.names and not self.spec.var_keyword
        self.inspectors = attached(rule.func, "inspect")
        self.module = module
        # app hooks, then module __request__ outermost first, then the route's own
        #: app hooks (callables) and module hooks (``(hook, node)`` pairs)
        self.before: list[Any] = [*hooks.before]
        self.before += [(h, node) for node in chain if (h := node.hook("__request__"))]
        self.before += attached(rule.func, "before")
        self.after = attached(rule.func, "after")
        inner_first = chain[::-1]
        self.wrapup = [(h, node) for node in inner_first if (h := node.hook("__wrapup__"))]
        self.error = [(h, node) for node in inner_first if (h := node.hook("__error__"))]
        self.teardown: list[Any] = [(h, node) for node in inner_first if (h := node.hook("__teardown__"))]
        self.teardown += hooks.teardown
        self.finish = list(hooks.finish)
        self.failed = list(hooks.failed)
        self.input_stream = bool(rule.options.get("input_stream"))
        #: a generator route (coroutine=True / input_stream=True): atila/coroutines.py drives it
        self.coroutine = is_generator_route(rule.func, rule.options)
        self.version = hooks.version
        # request events ("Request Life Cycle Events" in the docs) cost nothing unless listened to
        bus = app.events
        self.events = bus if any(bus.listeners(event) for event in _REQUEST_EVENTS) else None
        self.simple = not (
            self.before
            or self.after
            or self.wrapup
            or self.error
            or self.teardown
            or self.finish
            or self.failed
            or self.inspectors
            or self.events
        )
        #: answered by Pipeline._serve_fast when the request has no body
        self.fast = self.simple and self.is_async and not self.input_stream


class Pipeline:
    """The request path of one app; ``app.handle`` is :meth:`handle`."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._endpoints: dict[Any, Endpoint] = {}
        #: answer ``X-Atila-Route`` to local clients asking (decided at start-up, :mod:`.route_header`)
        self.describe_routes = False

    def forget(self) -> None:
        """Drop compiled endpoints (routes or hooks changed)."""
        self._endpoints = {}

    def endpoint(self, rule: Any) -> Endpoint:
        endpoint = self._endpoints.get(rule)
        if endpoint is None or endpoint.version != self.app.request_hooks.version:
            endpoint = self._endpoints[rule] = Endpoint(self.app, rule)
        return endpoint

    # -- entry -------------------------------------------------------------------
    def handle(self, request: Any, responder: Any) -> Any:
        # -- RPC branch (atila/rpc) -------------------------------------------------
        # A POST typed text/xml, application/json(-rpc) or application/grpc is a
        # remote call answered by the route its method names; any other request
        # pays this one compare.
        if request.method == "POST" and (rpc := protocol_for(request)) is not None:
            return rpc(self, request, responder)
        # -- end of the RPC branch ----------------------------------------------------
        app = self.app
        content_type = request.headers.get("content-type") if app.router_needs_content_type else None
        match = app.router.match(request.path_info, request.method, content_type)
        if match.status != 200:
            if match.status == 404 and request.path_info == "/" and not request.script_name:
                # NOTE: at the root mount "" and "/" name the same URL (a request
                # target is never empty), so route "" answers "/" there.
                match = app.router.match("", request.method, content_type)
        if match.status != 200:
            if match.status == 404:
                return NOT_FOUND
            return self._not_routed(request, responder, match)
        rule = match.rule
        endpoint = self._endpoints.get(rule)
        if endpoint is None or endpoint.version != app.request_hooks.version:
            endpoint = self.endpoint(rule)
        context = Context(app, request, rule, match.kwargs)
        if self.describe_routes:
            describe_route(app, request, rule, context.response)
        if request.body.length == 0:
            if endpoint.fast:
                return self._serve_fast(context, endpoint, responder)
            # NOTE: outside a running loop (an in-memory harness drives the result
            # later) the job could not be started here: the coroutine path waits.
            # (a generator route is driven by atila/coroutines.py through _serve)
            if not endpoint.is_async and not endpoint.coroutine and asyncio._get_running_loop() is not None:
                return self._serve_in_thread(context, endpoint, responder)
        return self._serve(context, endpoint, responder)

    def not_found(self, request: Any, responder: Any) -> Any:
        """The engine's last resort for a path no mount answered."""
        return self._send_error(Context(self.app, request), HttpError(404), responder)

    def _not_routed(self, request: Any, responder: Any, match: Any) -> Any:
        status = match.status
        if status == 301:
            location = request.script_name + match.location
            if request.query:
                location += "?" + request.query
            responder.respond(301, [("Location", location), *_TEXT], b"")
            return None
        allow = [("Allow", ", ".join(match.allow))] if match.allow else []
        context = Context(self.app, request, match.rule, match.kwargs)
        if status == 204:
            try:
                extra = self.app.preflight(request, match.rule, match.allow) if self.app.preflight else []
            except HTTPError as exc:  # a preflight from an origin or method CORS refuses
                return self._send_error(context, exc, responder)
            responder.respond(204, allow + list(extra), b"")
            return None
        detail = (
            f"{request.method} is not allowed here"
            if status == 405
            else f"content type {request.headers.get('content-type')!r} is not accepted here"
        )
        return self._send_error(context, HttpError(status, detail, headers=allow), responder)

    # -- one routed request ---------------------------------------------------------
    async def _serve_fast(self, context: Context, endpoint: Endpoint, responder: Any) -> None:
        """PERF: ``_serve`` + ``_answer`` + ``_run_async`` in one coroutine, for an
        ``async def`` route without hooks answering a request without a body (most
        GETs): two coroutine frames fewer per request."""
        try:
            kwargs = self.bind(context, endpoint)
            result = await endpoint.func(context, **kwargs) if kwargs else await endpoint.func(context)
            plain = _plain_answer(context, result)
            if plain is None:
                response = _finalize(context, result)
        except Exception as exc:
            await self._send_error(context, exc, responder)
            return
        if plain is not None:
            responder.respond(200, *plain)
            return
        await self._send(context, response, responder)

    def _serve_in_thread(self, context: Context, endpoint: Endpoint, responder: Any) -> asyncio.Future[None]:
        """PERF: a ``def`` handler answering a request without a body, with no
        coroutine and no Task: the thread's future gets a callback that answers,
        and the engine waits on ``answered``.  (Through ``_serve`` the request
        became a Task suspended on the thread's future, stepped once more when
        it resolved; benchmarks/cpu.py A/B: 130 -> 109 us of server CPU per
        sync plaintext request.)"""
        job = asyncio.ensure_future(self.app.run_in_thread(self._run_sync, context, endpoint))
        answered: asyncio.Future[None] = job.get_loop().create_future()
        job.add_done_callback(partial(self._thread_done, context, responder, answered))
        return answered

    def _thread_done(
        self, context: Context, responder: Any, answered: asyncio.Future[None], job: asyncio.Future[Any]
    ) -> None:
        """On the loop, once the handler returned: answer, then resolve ``answered``."""
        if job.cancelled():
            answered.cancel()
            return
        failure = job.exception()
        if failure is not None and not isinstance(failure, Exception):
            answered.set_exception(failure)  # KeyboardInterrupt, SystemExit: the engine's, as from any handler
            return
        status, plain, rest = 200, None, None
        if failure is None:
            try:
                result = job.result()
                plain = _plain_answer(context, result)
                if plain is None:
                    response = _finalize(context, result)
                    if type(response.body) is bytes and response.one_write:
                        status, plain = response.status or 200, (response.headers, response.body)
                    else:
                        rest = self._send(context, response, responder)
            except Exception as exc:
                failure = exc
        if plain is not None:
            # as ``_send`` answers: what respond raises is the engine's to report
            try:
                responder.respond(status, *plain)
            except BaseException as exc:
                answered.set_exception(exc)
            else:
                answered.set_result(None)
            return
        if rest is None:
            rest = self._send_error(context, failure, responder)  # type: ignore[arg-type]
        # a streamed body or an error page: the rare path gets its Task
        job.get_loop().create_task(rest).add_done_callback(partial(_pass_on, answered))

    async def _serve(self, context: Context, endpoint: Endpoint, responder: Any) -> None:
        try:
            await self._answer(context, endpoint, responder)
        finally:
            request = context._request
            if request is not None and request._files:
                request.cleanup()

    async def _answer(self, context: Context, endpoint: Endpoint, responder: Any) -> None:
        app = self.app
        try:
            request = context._req
            if request.method in _BODY_METHODS and not endpoint.input_stream and request.body.length != 0:
                await context.request.load_body()  # type: ignore[union-attr]
            if endpoint.is_async:
                result = await self._run_async(context, endpoint)
            else:
                result = await app.run_in_thread(self._run_sync, context, endpoint)
            # -- generator-route branch (atila/coroutines.py) --
            if endpoint.coroutine and inspect.isgenerator(result):
                result = await drive(context, result, app.run_in_thread, endpoint.input_stream)
            response = _finalize(context, result)
        except Exception as exc:
            await self._send_error(context, exc, responder)
            return
        await self._send(context, response, responder)

    async def _send(self, context: Context, response: Response, responder: Any) -> None:
        body = response.body
        if type(body) is bytes and response.one_write:
            responder.respond(response.status or 200, response.headers, body)
            return
        try:
            await response.send(responder, self.app.run_in_thread)
        except ClientGone:
            return
        except Exception as exc:
            if responder.started:
                # NOTE: the head is out, so no error page can follow; the engine
                # cuts the connection for this error (no last chunk), and the client
                # sees a truncated body instead of one that looks complete.
                raise
            await self._send_error(context, exc, responder)

    # -- handler with hooks: one sequence, two drivers ---------------------------------
    async def _run_async(self, context: Context, endpoint: Endpoint) -> Any:
        """On the loop: awaits what each step of the sequence returns."""
        if endpoint.simple:
            kwargs = self.bind(context, endpoint)
            return await endpoint.func(context, **kwargs) if kwargs else await endpoint.func(context)
        steps = self._steps(context, endpoint)
        value: Any = None
        error: Exception | None = None
        while True:
            done, step = _advance(steps, value, error)
            if done:
                return step
            try:
                value, error = await _maybe_await(step), None
            except Exception as exc:
                value, error = None, exc

    def _run_sync(self, context: Context, endpoint: Endpoint) -> Any:
        """In a worker thread: resolves what each step returns (an awaitable a
        sync hook returned runs on the loop)."""
        if endpoint.simple:
            return self._resolve(endpoint.func(context, **self.bind(context, endpoint)))
        steps = self._steps(context, endpoint)
        value: Any = None
        error: Exception | None = None
        while True:
            done, step = _advance(steps, value, error)
            if done:
                return step
            try:
                value, error = self._resolve(step), None
            except Exception as exc:
                value, error = None, exc

    def _steps(self, context: Context, endpoint: Endpoint) -> Generator[Any, Any, Any]:
        """The hook sequence of one request, written once (docs/atila/lifecycle.md).

        Each ``yield`` hands a call's return value to the driver, which resolves
        it (awaits it on the loop, or in a thread runs it to completion) and
        sends the result back, or throws the call's exception in.
        """
        events = endpoint.events
        try:
            if events is not None:
                events.emit_with(context, Event.BEFORE_REQUEST)
            result = None
            for hook in endpoint.before:
                result = yield self._call_before(hook, context)
                if result is not None:
                    break
            else:
                result = yield endpoint.func(context, **self.bind(context, endpoint))
            for func in endpoint.after:
                yield func(context)
            for hook, node in endpoint.wrapup:
                changed = yield _call_node(hook, node, context, self.app, result)
                if changed is not None:
                    result = changed
            for func in endpoint.finish:
                yield func(context)
            if events is not None:
                events.emit_with(context, Event.FINISH_REQUEST)
            return result
        except Exception as exc:
            if events is not None:
                events.emit_with(context, Event.FAILED_REQUEST, sys.exc_info())
            handled = None
            for hook, node in endpoint.error:
                handled = (yield _call_node(hook, node, context, self.app, exc)) or handled
            for func in endpoint.failed:
                handled = (yield func(context, sys.exc_info())) or handled
            if handled is None:
                raise
            return handled
        finally:
            for item in endpoint.teardown:
                yield self._call_teardown(item, context)
            if events is not None:
                events.emit_with(context, Event.TEARDOWN_REQUEST)

    def _resolve(self, value: Any) -> Any:
        """In a worker thread: run an awaitable a sync hook returned on the loop."""
        if inspect.isawaitable(value):
            loop = self.app.loop
            if loop is None:
                return asyncio.run(_await(value))
            return asyncio.run_coroutine_threadsafe(_await(value), loop).result()
        return value

    def _call_before(self, hook: Any, context: Context) -> Any:
        if isinstance(hook, tuple):
            return _call_node(hook[0], hook[1], context, self.app)
        return hook(context)

    def _call_teardown(self, item: Any, context: Context) -> Any:
        try:
            if isinstance(item, tuple):
                return _call_node(item[0], item[1], context, self.app)
            return item(context)
        except Exception:
            self.app.logger.exception("teardown hook %r failed", item)
            return None

    # -- parameters -------------------------------------------------------------------------
    def bind(self, context: Context, endpoint: Endpoint) -> dict[str, Any]:
        """Handler keyword arguments: path values, query, body (documented order),
        checked by the route's ``@app.inspect`` rules and annotations."""
        req = context._req
        params = context._params or {}
        request = context._request
        loaded = request is not None and request._loaded
        if endpoint.takes_nothing:
            # NOTE: a handler without parameters ignores stray query values
            # (tracking parameters on a landing page); it reads ARGS if it cares.
            if endpoint.inspectors:
                self._inspect(context, endpoint, {})
            return {}
        spec = endpoint.spec
        if not req.query and not loaded and not endpoint.inspectors and spec.typed is None:
            # PERF: path values only (GET /users/7): nothing to merge or convert.
            if all(name in params for name in spec.required):
                return dict(params)
        request = context.request
        assert request is not None  # bind runs for routed requests only
        query = request.URL if req.query else None
        body = request.DATA if loaded else None
        kwargs: dict[str, Any] = endpoint.spec.bind(params, query, body)
        if endpoint.inspectors:
            self._inspect(context, endpoint, kwargs)
        request._bound = kwargs
        return kwargs

    def _inspect(self, context: Context, endpoint: Endpoint, kwargs: dict[str, Any]) -> None:
        request = context.request
        for inspector in endpoint.inspectors:
            scope = getattr(inspector, "scope", "ARGS")
            if scope == "ARGS":
                values = request.ARGS if request is not None else {}
                values.update(kwargs)
                inspector.check(values)
                for key in kwargs:
                    kwargs[key] = values[key]
            else:
                values = getattr(request, scope)
                if isinstance(values, dict):
                    inspector.check(values)
                    for key in kwargs.keys() & values.keys():
                        kwargs[key] = values[key]

    def call_route(self, context: Context, target: Any, values: dict[str, Any]) -> Any:
        """``context.pipe``: run another route's handler with ``values`` bound as
        its parameters (validated like a request's)."""
        rule = self.app.find_rules(target)[0]
        endpoint = self.endpoint(rule)
        kwargs = rule.spec.bind({}, values, None)
        if endpoint.inspectors:
            for inspector in endpoint.inspectors:
                inspector.check(kwargs)
        return rule.func(context, **kwargs)

    # -- errors -----------------------------------------------------------------------------
    async def _send_error(self, context: Context, exc: BaseException, responder: Any) -> None:
        if isinstance(exc, ClientGone) or responder.started:
            return
        response = self.error_response(context, exc)
        head = context._response
        if head is not None and head.headers:
            _carry_head(head.headers, response)
        try:
            if type(response) is not Response:
                response.prepare(context)
            await self._send_plain(response, responder)
        except Exception as failure:
            self.app.logger.error("error page failed", exc_info=failure)
            responder.respond(500, _TEXT, b"Internal Server Error")

    async def _send_plain(self, response: Response, responder: Any) -> None:
        if type(response.body) is bytes and response.one_write:
            responder.respond(response.status or 500, response.headers, response.body)
        else:
            await response.send(responder, self.app.run_in_thread)

    def error_response(self, context: Context, exc: BaseException) -> Response:
        """The response for a failed request (custom handler, or the default page)."""
        app = self.app
        headers: list[tuple[str, str]] = []
        extra = None
        exc_info = None
        if isinstance(exc, HTTPError):
            status, message, detail, headers, extra = exc.status, exc.reason, exc.detail, exc.headers, exc.extra()
        else:
            # NOTE: an answer with no JSON form names its key: the app's bug, told to its author
            detail = str(exc) if isinstance(exc, UnencodableValue) else ""
            status, message = 500, "Internal Server Error"
            exc_info = (type(exc), exc, exc.__traceback__)
            app.logger.error("%s failed", context._req, exc_info=exc_info)
        if status >= 500 and exc_info is None and app.debug:
            exc_info = (type(exc), exc, exc.__traceback__)
        request = context.request
        info = make_error_info(
            status,
            message,
            detail,
            url=request.uri if request is not None else "",
            debug=app.debug,
            exc_info=exc_info,
            extra=extra,
        )
        handler = app.error_handlers.get(status) or app.error_handlers.get(None)
        if handler is not None:
            try:
                result = handler(context, info)
                if not inspect.isawaitable(result):
                    response = result if isinstance(result, Response) else to_response(result)
                    if response.status is None:
                        response.status = status
                    for name, value in headers:
                        response.set_default_header(name, value)
                    return response
                if inspect.iscoroutine(result):
                    result.close()  # never awaited: close it so Python does not warn
                app.logger.error("error handler %r must be a def function", handler)
            except Exception:
                app.logger.exception("error handler %r failed", handler)
        accept = request.get_header("accept") if request is not None else None
        return error_response(info, accept, headers)


def _carry_head(head: list[tuple[str, str]], response: Response) -> None:
    """Keep on an error answer what the request's head gathered that must not be
    lost: cookies (a session or CSRF cookie just issued), CORS fields (a
    browser hides an error without them from the calling script) and the route
    a ``pytest --docs`` run asked about (its error examples belong to the route)."""
    present = {(name.lower(), value) for name, value in response.headers}
    for name, value in head:
        lowered = name.lower()
        carried = lowered in ("set-cookie", "vary", "x-atila-route") or lowered.startswith("access-control-")
        if carried and (lowered, value) not in present:
            response.headers.append((name, value))
            present.add((lowered, value))


def _call_node(hook: Callable[..., Any], node: Any, context: Any, app: Any, *extra: Any) -> Any:
    return call_hook(hook, context, app, node.options, *extra)


def _advance(steps: Generator[Any, Any, Any], value: Any, error: Exception | None) -> tuple[bool, Any]:
    """Resume the hook sequence with a step's result (or its exception):
    ``(True, result)`` when the sequence finished, else ``(False, next_step)``."""
    try:
        return False, (steps.throw(error) if error is not None else steps.send(value))
    except StopIteration as stop:
        return True, stop.value


def _pass_on(answered: asyncio.Future[None], task: asyncio.Future[None]) -> None:
    """``answered`` ends as ``task`` ended."""
    if task.cancelled():
        answered.cancel()
    elif task.exception() is not None:
        answered.set_exception(task.exception())  # type: ignore[arg-type]
    else:
        answered.set_result(None)


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


async def _await(value: Any) -> Any:
    return await value


def _plain_answer(context: Context, result: Any) -> tuple[list[tuple[str, str]], bytes] | None:
    """PERF: the headers and body of a 200 for a str or a dict/list returned
    with ``context.response`` untouched: what :func:`to_response` +
    :func:`_finalize` + ``_send`` would send, without building a Response
    (a few function calls and two objects fewer per request).  None: the
    caller takes the general path."""
    if context._response is not None:
        return None
    kind = type(result)
    if kind is str:
        return [_HTML_FIELD], result.encode("utf-8")
    if kind is dict or kind is list:
        return [_JSON_FIELD], dumps_json(result)
    return None


def _finalize(context: Context, result: Any) -> Response:
    """A handler's return value as the Response to send, with the head the
    handler set through ``context.response`` applied."""
    response = result if isinstance(result, Response) else to_response(result)
    if context._response is not None:
        context._response.apply(response)
    if type(response) is not Response:
        response.prepare(context)
    return response
