"""The worker's accept loop: past max_connections it stops accepting (the kernel
backlog holds new clients) and resumes when connections close."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from skitai.config import Config, Limits
from skitai.logs import Logs
from skitai.mounts.table import MountTable
from skitai.server import Server

pytestmark = pytest.mark.process


class Hello:
    prefix = ""
    priority = 10
    body_limit = None
    name = None

    def handle(self, request: Any, responder: Any) -> None:
        responder.respond(200, [("content-type", "text/plain")], b"hi")

    async def startup(self, engine: Any) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def watch_paths(self) -> list[str]:
        return []


async def started(config: Config) -> tuple[Server, socket.socket, int]:
    """A Server serving Hello on a fresh 127.0.0.1 port."""
    server = Server(config, MountTable([Hello()]), Logs(config))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    await server.start([listener])
    return server, listener, listener.getsockname()[1]


async def get(port: int, timeout: float) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        return await asyncio.wait_for(reader.read(4096), timeout)
    finally:
        writer.close()


def test_back_pressure_at_max_connections() -> None:
    async def scenario() -> tuple[bool, bytes]:
        server, listener, port = await started(Config(access_log=False, limits=Limits(max_connections=2)))
        held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(2)]
        while len(server.connections) < 2:
            await asyncio.sleep(0.01)
        try:
            await get(port, 0.5)
            served_while_full = True
        except TimeoutError:
            served_while_full = False
        for _, writer in held:
            writer.close()
        answer = await get(port, 5.0)
        await server.shutdown(1.0)
        listener.close()
        return served_while_full, answer

    served_while_full, answer = asyncio.run(scenario())
    assert not served_while_full
    assert answer.startswith(b"HTTP/1.1 200 OK")


def test_shutdown_stops_accepting_and_closes_idle_connections() -> None:
    async def scenario() -> tuple[bytes, bool]:
        server, listener, port = await started(Config(access_log=False))
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        first = await asyncio.wait_for(reader.read(4096), 5)
        await server.shutdown(1.0)
        closed = await asyncio.wait_for(reader.read(4096), 5) == b""
        writer.close()
        listener.close()
        return first, closed

    first, closed = asyncio.run(scenario())
    assert first.startswith(b"HTTP/1.1 200") and closed


def test_request_on_an_idle_connection_during_shutdown_is_answered_then_closed() -> None:
    async def scenario() -> tuple[bytes, bool]:
        server, listener, port = await started(Config(access_log=False))
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\nhi"), 5)
        stopping = asyncio.create_task(server.shutdown(5.0))
        while not server._stopping:
            await asyncio.sleep(0)
        # the keep-alive client sends its next request just as the drain begins
        writer.write(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        second = await asyncio.wait_for(reader.read(4096), 5)
        closed = await asyncio.wait_for(reader.read(4096), 5) == b""
        await stopping
        writer.close()
        listener.close()
        return second, closed

    second, closed = asyncio.run(scenario())
    assert second.startswith(b"HTTP/1.1 200") and b"connection: close" in second.lower() and closed
