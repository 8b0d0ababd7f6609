"""``@app.websocket(spec, timeout=60, onopen=None, onclose=None)``.

Stacked under ``@app.route``, it turns the handler into a WebSocket endpoint.
What the router registers is a small ``async def`` *handshake* route: it runs
in the ordinary request pipeline (before-request hooks, sessions, cookies,
authentication and CSRF work as on any route; parameters of the URL are bound
and checked as usual), checks the upgrade, runs ``onopen`` and answers 101.
From then on :class:`~atila.websocket.channel.WebSocket` carries the
connection and a runner (:mod:`atila.websocket.runners`) feeds the handler.

A request that is not a WebSocket upgrade gets 426 (``Upgrade: websocket``),
a malformed one 400 naming the problem, never a 500.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, TypeVar

from skitai.config import Limits
from skitai.websocket.specs import MODELS, WebSocketSpec

from ..responses.errors import HttpError
from .accept import WebSocketAccept
from .channel import WebSocket
from .runners import RUNNERS, Runner

__all__ = ["WebSocketRoute", "websocket_decorator"]

F = TypeVar("F", bound=Callable[..., Any])

#: models whose handler runs once per message and takes the message second
_PER_MESSAGE = (WebSocketSpec.CHANNEL, WebSocketSpec.GROUPCHAT)


class WebSocketRoute:
    """What one ``@app.websocket`` decided, once, at decoration time.

    Raises:
        ValueError: two models in one spec (``WS_SESSION | WS_STREAM``).
        TypeError: a handler that does not fit its model (a ``WS_STREAM``
            handler that is not ``async def``, a ``WS_CHANNEL`` handler
            without a message parameter).
    """

    def __init__(
        self,
        app: Any,
        func: Callable[..., Any],
        spec: int,
        timeout: float | None,
        onopen: Callable[..., Any] | None,
        onclose: Callable[..., Any] | None,
        subprotocols: list[str] | None = None,
    ) -> None:
        flags = WebSocketSpec(int(spec or 0))
        models = [model for model in MODELS if model in flags]
        if len(models) > 1:
            names = " | ".join(f"WS_{model.name}" for model in models)
            raise ValueError(f"@app.websocket: {names} are different models; pick one")
        self.app = app
        self.func = func
        self.model = models[0] if models else WebSocketSpec.CHANNEL
        self.is_async = inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func)
        #: run handler steps in the thread pool (WS_THREAD, the default for ``def`` handlers)
        self.threaded = WebSocketSpec.NOTHREAD not in flags and not self.is_async
        self.timeout = float(timeout) if timeout else None
        self.onopen = onopen
        self.onclose = onclose
        self.subprotocols = subprotocols
        self.runner: type[Runner] = RUNNERS[self.model]
        self.runner.check(func)
        self.per_message = self.model in _PER_MESSAGE
        self.signature = _handshake_signature(func, self.per_message)

    def __repr__(self) -> str:
        return f"<WebSocketRoute WS_{self.model.name} {getattr(self.func, '__qualname__', self.func)!r}>"

    def limits(self) -> Limits:
        config = getattr(self.app.engine, "config", None)
        limits = getattr(config, "limits", None)
        return limits if isinstance(limits, Limits) else Limits()

    async def handshake(self, context: Any, values: dict[str, Any]) -> WebSocketAccept:
        """The route's answer to the upgrade request."""
        from skitai.websocket.handshake import accept

        limits = self.limits()
        shake = accept(context._req, limits, self.subprotocols)
        if not shake.accepted:
            extra = [(name, value) for name, value in shake.headers if name.lower() != "content-type"]
            raise HttpError(shake.status, shake.detail, headers=extra)
        ws = WebSocket(self, context, values, shake.subprotocol)
        context.__dict__["websocket"] = ws
        if self.onopen is not None:
            await ws.call(self.onopen, context)
        return WebSocketAccept(shake, ws, limits)


def _handshake_signature(func: Callable[..., Any], per_message: bool) -> inspect.Signature:
    """The handler's signature as the router should see it: without the message
    parameter (it comes from the socket, not the URL)."""
    signature = inspect.signature(func)
    params = list(signature.parameters.values())
    if per_message:
        positional = [
            index
            for index, param in enumerate(params)
            if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD)
        ]
        if len(positional) < 2:
            raise TypeError(
                f"{func.__qualname__}: a per-message websocket handler takes "
                "(context, message, ...); the message parameter is missing"
            )
        del params[positional[1]]
    return signature.replace(parameters=params)


def websocket_decorator(
    app: Any,
    spec: int = 0,
    timeout: float | None = 60,
    onopen: Callable[..., Any] | None = None,
    onclose: Callable[..., Any] | None = None,
    subprotocols: list[str] | None = None,
) -> Callable[[F], F]:
    """See the module docstring; ``subprotocols`` are offered to clients that ask."""

    def decorator(func: F) -> F:
        route = WebSocketRoute(app, func, spec, timeout, onopen, onclose, subprotocols)

        @functools.wraps(func)
        async def websocket_handshake(context: Any, **values: Any) -> WebSocketAccept:
            return await route.handshake(context, values)

        websocket_handshake.__signature__ = route.signature  # type: ignore[attr-defined]
        websocket_handshake.__atila_websocket__ = route  # type: ignore[attr-defined]
        return websocket_handshake  # type: ignore[return-value]

    return decorator
