"""A bare ASGI 3 app: the same callable runs on Skitai and on uvicorn.

It answers ``/plaintext`` and ``/json`` with one ``http.response.start`` and one
``http.response.body``, and handles ``lifespan`` so both servers start it the
same way.  Nothing here favours either server.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable

from payloads import MESSAGE, PLAINTEXT

__all__ = ["app"]

Message = dict[str, Any]

_TEXT_HEADERS = [(b"content-type", b"text/plain; charset=utf-8")]
_JSON_HEADERS = [(b"content-type", b"application/json")]


async def app(
    scope: dict[str, Any], receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    if path == "/plaintext":
        status, headers, body = 200, _TEXT_HEADERS, PLAINTEXT
    elif path == "/json":
        status, headers, body = 200, _JSON_HEADERS, json.dumps(MESSAGE).encode()
    else:
        status, headers, body = 404, _TEXT_HEADERS, b"Not Found"
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
