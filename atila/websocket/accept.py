"""The 101 answer of a WebSocket route, as a pipeline Response.

Returning it from the handshake route lets the pipeline do what it does for
every answer first (``context.response`` headers such as the Set-Cookie of a
session ``onopen`` wrote are merged in); its :meth:`send` then writes the 101
head and hands the connection to the WebSocket session.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from skitai.config import Limits
from skitai.contract import Responder

from ..responses.base import Response, RunInThread

if TYPE_CHECKING:
    from skitai.websocket.handshake import Handshake

    from .channel import WebSocket

__all__ = ["WebSocketAccept"]


class WebSocketAccept(Response):
    __slots__ = ("shake", "ws", "limits")

    #: never one ``respond`` call: the head is followed by the hand-off
    one_write = False

    def __init__(self, shake: "Handshake", ws: "WebSocket", limits: Limits) -> None:
        super().__init__(101, b"", list(shake.headers))
        self.shake = shake
        self.ws = ws
        self.limits = limits

    def prepare(self, context: Any) -> None:
        """Nothing to render: the head is the handshake's."""

    async def send(self, responder: Responder, run_in_thread: RunInThread) -> None:
        from skitai.websocket.connection import accept_factory
        from skitai.websocket.session import WebSocketSession

        protocol = self.shake.protocol
        assert protocol is not None
        ws = self.ws
        session = WebSocketSession(protocol, ws, self.limits, asyncio.get_running_loop(), ws.route.timeout)
        # NOTE: a 101 carries no body; fields only the pipeline adds to every
        # answer (a content type) would be noise the client must ignore.
        headers = [(name, value) for name, value in self.headers if name.lower() != "content-type"]
        responder.start(101, headers)
        responder.upgrade(accept_factory(session, ws.route.app.engine))
