"""ASGI ``websocket`` scopes (Starlette ``WebSocketRoute``, FastAPI
``@app.websocket``, raw apps) over the engine's WebSocket session.

The handshake is checked before the app runs (a malformed upgrade never
reaches it); the app then gets ``websocket.connect`` and answers with
``websocket.accept`` (the 101 goes out, with its subprotocol and headers) or
``websocket.close`` (403), or a denial response
(``websocket.http.response.*``, the ASGI extension).  After the accept the
app's ``receive`` pulls messages from an :class:`~skitai.websocket.inbox.Inbox`
and ``send`` waits while the client is slow, so the same limits, keep-alive,
back-pressure and close codes apply as for Atila routes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable

from ..config import Limits
from ..contract import Engine, Request, Responder
from ..websocket.connection import accept_factory
from ..websocket.handshake import Handshake, accept
from ..websocket.inbox import Inbox
from ..websocket.messages import Message
from ..websocket.session import WebSocketSession
from .asgi import connection_scope

__all__ = ["serve_websocket"]

log = logging.getLogger(__name__)

ASGIMessage = dict[str, Any]
_EXTENSIONS: dict[str, dict[str, Any]] = {"websocket.http.response": {}}
_TEXT = [("content-type", "text/plain; charset=utf-8")]


class ASGIWebSocket:
    """One websocket scope: the app's ``receive``/``send`` and the session's handler."""

    def __init__(
        self, request: Request, responder: Responder, shake: Handshake, limits: Limits, engine: Engine | None
    ) -> None:
        self.request = request
        self.responder = responder
        self.shake = shake
        self.limits = limits
        self.engine = engine
        self.loop = asyncio.get_running_loop()
        self.inbox = Inbox(self.loop, limits.ws_max_queue)
        self.session: WebSocketSession | None = None
        self.connected = False  # websocket.connect delivered
        self.accepted = False
        self.finished = False  # refused, or closed by either side
        self.close_code = 1006
        self.close_reason = ""
        self._denial: tuple[int, list[tuple[str, str]]] | None = None
        #: sent between the accept and the hand-off (a responder may hand off later)
        self._pending: list[Message] = []
        self._closing: tuple[int, str] | None = None

    # -- the session's handler --------------------------------------------------------
    def on_open(self, session: WebSocketSession) -> None:
        self.session = self.inbox.session = session
        pending, self._pending = self._pending, []
        for message in pending:
            session.send(message)
        if self._closing is not None:
            session.close(*self._closing)

    def on_message(self, message: Message) -> None:
        self.inbox.put(message)

    def on_close(self, code: int, reason: str) -> None:
        self.close_code, self.close_reason = code, reason
        self.finished = True
        self.inbox.close()

    # -- ASGI ------------------------------------------------------------------------
    async def receive(self) -> ASGIMessage:
        if not self.connected:
            self.connected = True
            return {"type": "websocket.connect"}
        if not self.accepted:
            if self.finished:
                return {"type": "websocket.disconnect", "code": self.close_code, "reason": self.close_reason}
            raise RuntimeError("ASGI websocket receive() before websocket.accept")
        message = await self.inbox.get()
        if message is None:
            return {"type": "websocket.disconnect", "code": self.close_code, "reason": self.close_reason}
        if isinstance(message, str):
            return {"type": "websocket.receive", "text": message}
        return {"type": "websocket.receive", "bytes": message}

    async def send(self, message: ASGIMessage) -> None:
        kind = message["type"]
        if kind == "websocket.send":
            if not self.accepted or self.finished:
                raise OSError("websocket is not open")  # ASGI: send after close raises
            text = message.get("text")
            data: Message = text if text is not None else bytes(message.get("bytes") or b"")
            session = self.session
            if session is None:
                self._pending.append(data)
                return
            session.send(data)
            await session.drain()
        elif kind == "websocket.accept":
            self._accept(message)
        elif kind == "websocket.close":
            self._close(int(message.get("code") or 1000), str(message.get("reason") or ""))
        elif kind == "websocket.http.response.start":
            self._denial = (int(message["status"]), _decode(message.get("headers", ())))
        elif kind == "websocket.http.response.body":
            self._deny(bytes(message.get("body", b"")), bool(message.get("more_body", False)))
        else:
            raise RuntimeError(f"unexpected ASGI message type {kind!r} in a websocket scope")

    def _accept(self, message: ASGIMessage) -> None:
        if self.accepted or self.finished:
            raise RuntimeError("websocket.accept sent twice or after a close")
        protocol = self.shake.protocol
        assert protocol is not None
        headers = list(self.shake.headers)
        subprotocol = message.get("subprotocol")
        if subprotocol:
            protocol.subprotocol = subprotocol
            headers.append(("Sec-WebSocket-Protocol", str(subprotocol)))
        reserved = {name.lower() for name, _ in headers}
        headers += [
            (name, value) for name, value in _decode(message.get("headers", ())) if name.lower() not in reserved
        ]
        self.accepted = True
        session = WebSocketSession(protocol, self, self.limits, self.loop)
        self.responder.start(101, headers)
        self.responder.upgrade(accept_factory(session, self.engine))

    def _close(self, code: int, reason: str) -> None:
        if not self.accepted:
            if not self.finished:
                self.finished = True
                self.responder.respond(403, _TEXT, b"WebSocket connection refused by the application")
            return
        if self.session is not None:
            self.session.close(code, reason)
        else:
            self._closing = (code, reason)

    def _deny(self, body: bytes, more: bool) -> None:
        if self.accepted or self._denial is None:
            raise RuntimeError("websocket.http.response.body without a denial response start")
        if self.finished:
            return
        status, headers = self._denial
        if more:
            raise RuntimeError("streamed websocket denial responses are not supported; send one body")
        self.finished = True
        self.responder.respond(status, headers, body)


def _decode(headers: Any) -> list[tuple[str, str]]:
    return [(bytes(k).decode("latin-1"), bytes(v).decode("latin-1")) for k, v in headers]


def _limits(engine: Engine | None) -> Limits:
    limits = getattr(getattr(engine, "config", None), "limits", None)
    return limits if isinstance(limits, Limits) else Limits()


async def serve_websocket(
    app: Callable[..., Any], request: Request, responder: Responder, state: dict[str, Any], engine: Engine | None
) -> None:
    """Run ``app`` for one WebSocket upgrade request."""
    limits = _limits(engine)
    shake = accept(request, limits)
    if not shake.accepted:
        responder.respond(shake.status, shake.headers, shake.body)
        return
    offered = request.headers.get("sec-websocket-protocol") or ""
    scope = connection_scope(request, "websocket", "wss" if request.scheme == "https" else "ws")
    scope["subprotocols"] = [name.strip() for name in offered.split(",") if name.strip()]
    scope["state"] = state.copy()
    scope["extensions"] = _EXTENSIONS
    ws = ASGIWebSocket(request, responder, shake, limits, engine)
    try:
        await app(scope, ws.receive, ws.send)
    except Exception:
        log.exception("ASGI websocket app %r failed on %s", app, request.path)
        if ws.session is not None:
            ws.session.fail(1011, "internal error")
        elif not responder.started:
            responder.respond(500, _TEXT, b"Internal Server Error")
        return
    if not responder.started:
        # returned without accepting: refused (ASGI: a close before accept is a 403)
        responder.respond(403, _TEXT, b"WebSocket connection refused by the application")
    elif ws.session is not None:
        ws.session.close(1000, "")
