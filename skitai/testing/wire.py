"""Drive the real HTTP/1.1 protocol over an in-memory transport.

Tests send raw bytes and read raw bytes back, exactly what a socket would carry,
without a port: keep-alive, pipelining, HEAD, 100-continue, header injection and
error paths are all checked this way in milliseconds.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..config import Config
from ..contract import Mount
from ..http1.protocol import H1Protocol
from ..mounts.table import MountTable
from ..server import Server
from .transport import InMemoryTransport

__all__ = ["MemoryTransport", "WireServer"]


class MemoryTransport(InMemoryTransport):
    def __init__(self, protocol: Any) -> None:
        super().__init__(protocol)
        self.output = bytearray()

    def _deliver(self, data: Any) -> None:
        self.output += data

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 8000)}.get(name, default)


class WireServer:
    """A started Server without sockets; ``exchange`` returns what was written back."""

    def __init__(self, mounts: list[Mount], config: Config | None = None, logs: Any = None) -> None:
        from ..logs import Logs

        self.config = config or Config(access_log=False)
        self.server = Server(self.config, MountTable(mounts), logs or Logs(self.config))
        self.transports: list[MemoryTransport] = []

    async def __aenter__(self) -> "WireServer":
        await self.server.start([])
        return self

    async def __aexit__(self, *exc: Any) -> None:
        # The test's clients are done: they hang up before the server stops, so the
        # drain does not hold idle connections open for their last call.
        for transport in self.transports:
            transport.close()
        await self.server.shutdown(1.0)

    def connect(self) -> tuple[H1Protocol, MemoryTransport]:
        protocol = H1Protocol(self.server.state)
        transport = MemoryTransport(protocol)
        self.transports.append(transport)
        protocol.connection_made(transport)
        return protocol, transport

    async def exchange(self, data: bytes, settle: float = 0.05, chunks: int = 1) -> tuple[bytes, bool]:
        """Send ``data`` on a new connection; return (bytes written back, closed?)."""
        protocol, transport = self.connect()
        step = max(1, len(data) // chunks)
        for start in range(0, len(data), step):
            if transport.closed:
                break
            protocol.data_received(data[start : start + step])
            await asyncio.sleep(0)
        await asyncio.sleep(settle)
        return bytes(transport.output), transport.closed
