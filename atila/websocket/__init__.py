"""WebSocket routes for Atila apps: ``@app.websocket`` and ``context.websocket``.

See ``docs/websocket.md``.  The engine side (handshake, frames, keep-alive,
back-pressure) is :mod:`skitai.websocket`; this package decides how messages
reach handlers (:mod:`.runners`) and what handlers see (:mod:`.channel`).
"""

from __future__ import annotations

from .channel import Sent, WebSocket
from .inputs import Input
from .route import WebSocketRoute, websocket_decorator

__all__ = ["WebSocket", "WebSocketRoute", "Sent", "Input", "websocket_decorator"]
