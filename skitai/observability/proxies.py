"""Trusted proxy headers: the real client address and scheme behind a proxy.

``X-Forwarded-For``, ``X-Forwarded-Proto`` and ``Forwarded`` (RFC 7239) say who
the client is, but anyone can send them.  They are believed only when the peer
that connected is one of the configured proxies (``skitai.run(...,
trusted_proxies=["127.0.0.1", "10.0.0.0/8"])``); from any other peer they are
ignored and the peer's own address stands.

With several proxies in a row, the address list is read from the right,
skipping trusted proxies, and the first untrusted address is the client: a
client cannot pick its own address by sending a forged header through them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from ..contract import Request

__all__ = ["TrustedProxies"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """The configured proxy networks and how to read their headers.

    Raises:
        ValueError: at start-up, for an entry that is not an address or a network,
            naming the ``trusted_proxies`` setting.
    """

    def __init__(self, entries: Iterable[str] | str) -> None:
        if isinstance(entries, str):
            entries = [part for part in entries.split(",") if part.strip()]
        networks: list[Network] = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
            except ValueError:
                raise ValueError(
                    f"trusted_proxies: {entry!r} is not an IP address or network (e.g. '10.0.0.0/8')"
                ) from None
        self.networks = tuple(networks)

    def __bool__(self) -> bool:
        return bool(self.networks)

    def trusts(self, address: str | None) -> bool:
        if not address:
            return False
        try:
            ip = ipaddress.ip_address(address.strip("[]"))
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def apply(self, request: Request) -> None:
        """Replace ``request.client``/``scheme`` from the proxy's headers when the peer is trusted.

        The peer stays in ``request.state["peer"]``.
        """
        peer = request.client
        if peer is None or not self.trusts(peer[0]):
            return
        headers = request.headers
        chain, proto = _forwarded(headers.getall("forwarded"))
        if not chain:
            chain = [part.strip() for value in headers.getall("x-forwarded-for") for part in value.split(",")]
            proto = (headers.get("x-forwarded-proto") or "").split(",")[0].strip().lower() or None
        client = None
        for address in reversed(chain):
            address = _strip_port(address)
            if not _is_ip(address):
                break  # "unknown", an obfuscated name or garbage: stop believing the chain here
            client = address
            if not self.trusts(address):
                break
        request.state["peer"] = peer
        if client is not None:
            request.client = (client, 0)
        if proto in ("http", "https"):
            request.scheme = proto


def _forwarded(values: list[str]) -> tuple[list[str], str | None]:
    """``for=`` addresses (in order) and the first ``proto=`` of ``Forwarded`` fields."""
    chain: list[str] = []
    proto: str | None = None
    for value in values:
        for element in value.split(","):
            for pair in element.split(";"):
                name, _, item = pair.strip().partition("=")
                item = item.strip().strip('"')
                if name.lower() == "for":
                    chain.append(item)
                elif name.lower() == "proto" and item and proto is None:
                    proto = item.lower()  # the first hop's: what the client used
    return chain, proto


def _strip_port(address: str) -> str:
    address = address.strip()
    if address.startswith("["):
        return address[1:].split("]", 1)[0]
    if address.count(":") == 1:
        return address.split(":", 1)[0]
    return address


def _is_ip(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True
