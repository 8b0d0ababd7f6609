"""In-memory requests and responders, for testing mounts without sockets.

``call_mount`` runs one request through a mount exactly as the engine would
(synchronous answer, awaitable, or NOT_FOUND) and returns what was answered.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any
from urllib.parse import unquote_to_bytes

from ..body import EMPTY_BODY, bytes_body
from ..contract import NOT_FOUND, HeaderList, Headers, Mount, Request, UpgradeFactory

__all__ = ["MemoryResponder", "make_request", "call_mount"]


class MemoryResponder:
    """Records one answer.  ``body`` holds everything written, HEAD included."""

    def __init__(self) -> None:
        self.status: int | None = None
        self.headers: HeaderList = []
        self.chunks: list[bytes] = []
        self.started = False
        self.ended = False
        self.closed = False
        self.upgraded: UpgradeFactory | None = None

    def respond(self, status: int, headers: HeaderList, body: bytes = b"") -> None:
        self.start(status, headers)
        if body:
            self.chunks.append(bytes(body))
        self.ended = True

    def start(self, status: int, headers: HeaderList) -> None:
        if self.started:
            raise RuntimeError("response already started")
        self.started = True
        self.status = status
        self.headers = list(headers)

    async def write(self, data: bytes) -> None:
        if not self.started:
            raise RuntimeError("write before start")
        self.chunks.append(bytes(data))

    async def sendfile(self, file: Any, offset: int, count: int) -> None:
        file.seek(offset)
        self.chunks.append(file.read(count))

    def end(self) -> None:
        self.ended = True

    def upgrade(self, protocol_factory: UpgradeFactory) -> None:
        self.upgraded = protocol_factory

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


def make_request(
    method: str = "GET",
    target: str = "/",
    headers: HeaderList | None = None,
    body: bytes = b"",
    script_name: str = "",
) -> Request:
    raw_path, _, query = target.encode("latin-1").partition(b"?")
    path = unquote_to_bytes(raw_path).decode("utf-8", "surrogateescape")
    fields = [(k.lower(), v) for k, v in (headers or [])]
    if not any(k == "host" for k, _ in fields):
        fields.append(("host", "testserver"))
    request = Request(
        method.upper(),
        raw_path,
        path,
        query.decode("latin-1"),
        "1.1",
        Headers(fields),
        "http",
        ("127.0.0.1", 50000),
        ("127.0.0.1", 80),
        bytes_body(body) if body else EMPTY_BODY,
    )
    request.script_name = script_name
    request.path_info = path[len(script_name) :]
    return request


def call_mount(mount: Mount, request: Request) -> MemoryResponder | None:
    """Run ``mount.handle`` to completion; None means the mount said NOT_FOUND."""
    responder = MemoryResponder()
    result = mount.handle(request, responder)
    if result is NOT_FOUND:
        return None
    if inspect.isawaitable(result):
        asyncio.run(_await(result))
    return responder


async def _await(awaitable: Any) -> None:
    await awaitable
