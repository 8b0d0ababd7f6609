"""WebSocket (RFC 6455) for the engine: handshake, session, connection, registry.

The framing is websockets' sans-I/O layer; :mod:`.session` is
transport-independent (bytes in, bytes out through a carrier) and
:mod:`.connection` is its asyncio adapter for HTTP/1.1 upgrades.  Frameworks
(Atila's ``@app.websocket``) build on these; importing this package needs the
``websockets`` distribution (``pip install skitai-atila[websocket]``), the flags in
:mod:`.specs` do not.
"""

from __future__ import annotations

from . import specs as _specs
from .specs import *  # noqa: F403  (the flags, named once in specs.__all__)
from .specs import WebSocketSpec

__all__ = ["WebSocketSpec"]
__all__ += _specs.__all__
