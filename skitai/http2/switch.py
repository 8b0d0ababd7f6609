"""Where an HTTP/1.1 connection becomes an HTTP/2 one (plain TCP, one port).

Two ways, both called from a marked switch point in
:class:`skitai.http1.protocol.H1Protocol`:

- prior knowledge (RFC 9113 3.3): the connection's first bytes are the client
  preface ``PRI * HTTP/2.0...``; :func:`sniff` hands the connection over;
- ``Upgrade: h2c`` (RFC 7540 3.2): an HTTP/1.1 request asks to switch;
  :func:`upgrade_h2c` answers ``101`` and the request (its Content-Length body
  read first) is answered as stream 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .codec import PREFACE
from .protocol import H2Protocol

if TYPE_CHECKING:
    from ..http1.cycle import Cycle
    from ..http1.protocol import H1Protocol

__all__ = ["sniff", "upgrade_h2c", "PREFACE"]

_SWITCHING = b"HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: h2c\r\n\r\n"


def sniff(h1: "H1Protocol", data: bytes) -> bytes:
    """The bytes HTTP/1.1 should parse: none while the first bytes may still be
    the preface, none once the connection went to HTTP/2, else all seen so far."""
    seen = h1.h2_sniffed + data if h1.h2_sniffed else data
    if len(seen) < len(PREFACE) and PREFACE.startswith(seen):
        h1.h2_sniffed = seen
        return b""
    h1.h2_sniffing = False
    h1.h2_sniffed = b""
    if not seen.startswith(PREFACE):
        return seen
    transport = h1.transport
    h1.server.connection_closed(h1)
    h2 = H2Protocol(h1.server)
    transport.set_protocol(h2)
    h2.take_over(transport, seen)
    return b""


def upgrade_h2c(h1: "H1Protocol", cycle: "Cycle") -> bool:
    """Switch to HTTP/2 if ``cycle`` asks for h2c and may have it; True when
    the request was taken care of (switched, or refused with 400)."""
    head = cycle.head
    request = cycle.request
    if head.upgrade is None or "h2c" not in _tokens(head.upgrade) or request.scheme != "http":
        return False
    settings = request.headers.getall("http2-settings")
    if len(settings) != 1:
        return False  # not an h2c request after all: HTTP/1.1 answers it
    if head.chunked:
        # NOTE: the body would have to be de-chunked before the switch; the
        # HTTP/1.1 side cannot answer it either once it saw the Upgrade.
        cycle.keep_alive = False
        cycle.respond(400, [("content-type", "text/plain; charset=utf-8")],
                      b"Upgrade: h2c with a chunked body is not supported; send Content-Length or no Upgrade")
        return True
    h2 = H2Protocol(h1.server)
    try:
        h2.codec.initiate_upgrade(settings[0])
    except ValueError as exc:
        cycle.keep_alive = False
        cycle.respond(400, [("content-type", "text/plain; charset=utf-8")], str(exc).encode("utf-8", "replace"))
        return True
    transport = h1.transport
    leftover = h1.take_upgrade_data()
    transport.write(_SWITCHING)
    h1.server.connection_closed(h1)
    transport.set_protocol(h2)
    h2.take_over_upgrade(transport, request, cycle.candidates, leftover, head.content_length or 0)
    transport.resume_reading()
    return True


def _tokens(value: str) -> list[str]:
    return [token.strip().lower() for token in value.split(",")]

