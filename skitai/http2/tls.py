"""TLS for the listening port, with ALPN offering h2 and http/1.1.

``skitai.enable_ssl(certfile, keyfile, passphrase)`` (the original engine's
name) or ``skitai.run(certfile=..., keyfile=..., passphrase=...)`` turn it on;
the port then speaks TLS only.  A client that offers h2 in ALPN gets HTTP/2, one
that offers only http/1.1 (or no ALPN) gets HTTP/1.1, on the same port.
"""

from __future__ import annotations

import asyncio
import os
import ssl
from typing import Any, Callable

__all__ = ["server_context", "check_files", "Negotiator", "negotiated_h2", "ALPN"]

ALPN = ["h2", "http/1.1"]


def check_files(certfile: str, keyfile: str | None) -> None:
    """Raise FileNotFoundError naming the missing file (before any worker starts)."""
    for kind, path in (("certificate", certfile), ("key", keyfile)):
        if path is not None and not os.path.isfile(path):
            raise FileNotFoundError(f"TLS {kind} file not found: {path}")


def server_context(certfile: str, keyfile: str | None = None, passphrase: str | None = None) -> ssl.SSLContext:
    """A server context: TLS 1.2+, the default cipher choice, ALPN h2 + http/1.1.

    Raises ``ssl.SSLError`` (wrong passphrase, key not matching the certificate)
    or FileNotFoundError with the file named.
    """
    check_files(certfile, keyfile)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # RFC 9113 9.2.2: no TLS compression, no renegotiation
    context.options |= ssl.OP_NO_COMPRESSION | getattr(ssl, "OP_NO_RENEGOTIATION", 0)
    context.load_cert_chain(certfile, keyfile, passphrase)
    context.set_alpn_protocols(ALPN)
    return context


class Negotiator(asyncio.Protocol):
    """Stands in until the TLS handshake is done, then hands the connection to
    the protocol ALPN chose."""

    def __init__(self, h1_factory: Callable[[], Any], h2_factory: Callable[[], Any]) -> None:
        self.h1_factory = h1_factory
        self.h2_factory = h2_factory

    def connection_made(self, transport: Any) -> None:
        protocol = self.h2_factory() if negotiated_h2(transport) else self.h1_factory()
        transport.set_protocol(protocol)
        protocol.connection_made(transport)


def negotiated_h2(transport: Any) -> bool:
    """True when TLS ALPN chose h2 for this connection."""
    ssl_object = transport.get_extra_info("ssl_object")
    return ssl_object is not None and ssl_object.selected_alpn_protocol() == "h2"
