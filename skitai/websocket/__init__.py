"""WebSocket (RFC 6455) for the engine: handshake, session, connection, registry.

The framing is websockets' sans-I/O layer; :mod:`.session` is
transport-independent (bytes in, bytes out through a carrier) and
:mod:`.connection` is its asyncio adapter for HTTP/1.1 upgrades.  Frameworks
(Atila's ``@app.websocket``) build on these; importing this package needs the
``websockets`` distribution (``pip install skitai-atila[websocket]``), the flags in
:mod:`.specs` do not.
"""

from __future__ import annotations

from .specs import (
    WS_CHANNEL,
    WS_COROUTINE,
    WS_FAST,
    WS_GROUPCHAT,
    WS_NOTHREAD,
    WS_NQ,
    WS_SESSION,
    WS_SIMPLE,
    WS_STREAM,
    WS_THREAD,
    WS_THREADSAFE,
    WebSocketSpec,
)

__all__ = [
    "WebSocketSpec",
    "WS_CHANNEL",
    "WS_SIMPLE",
    "WS_GROUPCHAT",
    "WS_SESSION",
    "WS_COROUTINE",
    "WS_STREAM",
    "WS_THREAD",
    "WS_NOTHREAD",
    "WS_NQ",
    "WS_FAST",
    "WS_THREADSAFE",
]
