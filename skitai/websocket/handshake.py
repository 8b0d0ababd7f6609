"""The opening handshake (RFC 6455 4.2): is this request a valid WebSocket
upgrade, and what does the 101 answer carry.

websockets' ``ServerProtocol.accept`` does the checks and negotiates
permessage-deflate and subprotocols; this module only translates between our
:class:`skitai.contract.Request` and its request/response objects, and picks
the status for a refusal:

- no ``Upgrade: websocket`` / ``Connection: upgrade`` at all (a plain GET):
  426 Upgrade Required with ``Upgrade: websocket``;
- a ``Sec-WebSocket-Version`` other than 13: 426 with
  ``Sec-WebSocket-Version: 13`` (RFC 6455 4.4);
- anything else malformed (missing or bad key): 400 naming the field.

The accepted ``ServerProtocol`` is returned already OPEN: the engine writes
the 101 head itself, and the same object then parses the frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from websockets.datastructures import Headers as WSHeaders
from websockets.extensions.permessage_deflate import enable_server_permessage_deflate
from websockets.http11 import Request as WSRequest
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.typing import Subprotocol

from ..config import Limits
from ..contract import HeaderList, Request

__all__ = ["Handshake", "accept", "is_upgrade_request"]

#: the 101 fields the engine writes itself (Cycle adds ``connection: upgrade``)
_ENGINE_FIELDS = frozenset({"date", "connection", "server"})
_TEXT = ("content-type", "text/plain; charset=utf-8")
_H2_KEY = "AAAAAAAAAAAAAAAAAAAAAA=="


@dataclass
class Handshake:
    """The answer to an upgrade request: 101 with ``protocol``, or a refusal."""

    status: int
    headers: HeaderList
    body: bytes = b""
    protocol: ServerProtocol | None = None
    detail: str = ""
    subprotocol: str | None = field(default=None)

    @property
    def accepted(self) -> bool:
        return self.status == 101


def is_upgrade_request(request: Request) -> bool:
    """True when the client asked for a WebSocket at all (Upgrade: websocket)."""
    upgrade = request.headers.get("upgrade")
    return upgrade is not None and upgrade.strip().lower() == "websocket"


def accept(
    request: Request,
    limits: Limits,
    subprotocols: Sequence[str] | None = None,
) -> Handshake:
    """Check ``request`` as a WebSocket opening handshake.

    Example::

        shake = accept(request, Limits())
        if shake.accepted:
            responder.start(101, shake.headers)
    """
    headers = request.headers
    if not is_upgrade_request(request):
        return _refuse(
            426,
            "this URL is a WebSocket endpoint: send a WebSocket upgrade request "
            "(Upgrade: websocket, Connection: Upgrade)",
            [("Upgrade", "websocket")],
        )
    version = headers.get("sec-websocket-version")
    if version is not None and version.strip() != "13":
        return _refuse(
            426,
            f"unsupported Sec-WebSocket-Version {version!r}: this server speaks 13 (RFC 6455)",
            [("Sec-WebSocket-Version", "13"), ("Upgrade", "websocket")],
        )
    extensions = enable_server_permessage_deflate(None) if limits.ws_compression else None
    protocol = ServerProtocol(
        extensions=extensions,
        subprotocols=[Subprotocol(name) for name in subprotocols] if subprotocols else None,
        max_size=limits.ws_max_message_size,
        state=State.OPEN,
    )
    target = request.raw_path.decode("latin-1") + ("?" + request.query if request.query else "")
    raw = list(headers.raw)
    version = f"HTTP/{request.version}"
    if request.state.get("extended_connect"):
        # RFC 8441 5: over HTTP/2 there is no key to prove (the stream is the
        # proof) and the version is not websockets' business; its checks want
        # an HTTP/1.1 upgrade, the HTTP/2 stream drops what only that needs
        version = "HTTP/1.1"
        if "sec-websocket-key" not in headers:
            raw.append(("Sec-WebSocket-Key", _H2_KEY))
    ws_request = WSRequest(target, WSHeaders(raw), request.method, version)
    response = protocol.accept(ws_request)
    if response.status_code != 101:
        detail = (response.body or b"").decode("utf-8", "replace").strip() or response.reason_phrase
        extra = [(name, value) for name, value in response.headers.raw_items() if name.lower() in ("upgrade", "allow")]
        return _refuse(response.status_code, detail, extra)
    fields = [(name, value) for name, value in response.headers.raw_items() if name.lower() not in _ENGINE_FIELDS]
    return Handshake(101, fields, protocol=protocol, subprotocol=protocol.subprotocol)


def _refuse(status: int, detail: str, extra: HeaderList) -> Handshake:
    return Handshake(status, [_TEXT, *extra], detail.encode("utf-8"), detail=detail)
