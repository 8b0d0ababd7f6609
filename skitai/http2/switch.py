"""Where an HTTP/1.1 connection becomes an HTTP/2 one (plain TCP, one port).

Two ways, both called from a marked switch point in
:class:`skitai.http1.protocol.H1Protocol`:

- prior knowledge (RFC 9113 3.3): the connection's first bytes are the client
  preface ``PRI * HTTP/2.0...``, which the HTTP/1.1 parser reports;
  :func:`take_preface` hands the connection over;
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

__all__ = ["take_preface", "restore_preface", "upgrade_h2c", "PREFACE"]

_SWITCHING = b"HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: h2c\r\n\r\n"


def take_preface(h1: "H1Protocol", data: bytes) -> None:
    """Hand a connection that opened with the preface to HTTP/2.

    ``data`` is the read in which the HTTP/1.1 parser saw the preface: all of it
    and what followed, or (when the preface came in pieces) its end; the start
    the parser had already consumed is the preface's own, so it is restored.
    """
    transport = h1.transport
    data = restore_preface(data)
    h1.state.connection_closed(h1)
    h2 = H2Protocol(h1.state)
    transport.set_protocol(h2)
    h2.take_over(transport, data)


def restore_preface(data: bytes) -> bytes:
    """The connection's bytes from the preface on, given the read in which the
    HTTP/1.1 parser stopped on it.

    NOTE: the parser stops only once it has the whole 24-byte preface, so this
    read holds the preface's end (all of it when it came in one segment, as
    clients send it) and the frames after it; the bytes the parser consumed in
    earlier reads are the preface's own start.
    """
    index = data.find(PREFACE)
    if index >= 0:
        return data[index:]
    for consumed in range(1, len(PREFACE)):
        if data.startswith(PREFACE[consumed:]):
            return PREFACE[:consumed] + data
    return data  # not the preface after all: HTTP/2 answers GOAWAY PROTOCOL_ERROR


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
        cycle.respond(
            400,
            [("content-type", "text/plain; charset=utf-8")],
            b"Upgrade: h2c with a chunked body is not supported; send Content-Length or no Upgrade",
        )
        return True
    h2 = H2Protocol(h1.state)
    try:
        h2.codec.initiate_upgrade(settings[0])
    except ValueError as exc:
        cycle.keep_alive = False
        cycle.respond(400, [("content-type", "text/plain; charset=utf-8")], str(exc).encode("utf-8", "replace"))
        return True
    transport = h1.transport
    leftover = h1.take_upgrade_data()
    transport.write(_SWITCHING)
    h1.state.connection_closed(h1)
    transport.set_protocol(h2)
    h2.take_over_upgrade(transport, request, cycle.candidates, leftover, head.content_length or 0)
    transport.resume_reading()
    return True


def _tokens(value: str) -> list[str]:
    return [token.strip().lower() for token in value.split(",")]
