"""The fastest native path: a Skitai mount answering with one ``respond`` call.

It implements :class:`skitai.contract.Mount` directly (no ASGI scope, no
messages, no coroutine): ``handle`` looks the path up in a dict and calls
``responder.respond`` synchronously.  This is the floor under any framework on
Skitai, compared with uvicorn + Starlette.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from payloads import MESSAGE, PLAINTEXT

from skitai.contract import Engine, HeaderList, Request, Responder

__all__ = ["NativeMount", "app"]

_TEXT: HeaderList = [("content-type", "text/plain; charset=utf-8")]
_JSON: HeaderList = [("content-type", "application/json")]


def _plaintext(responder: Responder) -> None:
    responder.respond(200, _TEXT, PLAINTEXT)


def _json(responder: Responder) -> None:
    responder.respond(200, _JSON, json.dumps(MESSAGE).encode())


class NativeMount:
    """A :class:`skitai.contract.Mount` serving ``/plaintext`` and ``/json``."""

    priority = 10
    body_limit: int | None = None

    def __init__(self) -> None:
        self.prefix = ""
        self.name: str | None = "native"
        self.routes = {"/plaintext": _plaintext, "/json": _json}

    def __skitai_mount__(
        self, prefix: str, pref: Any = None, name: str | None = None, module: Any = None, **options: Any
    ) -> list[Any]:
        """The loader hook ``skitai.mount`` calls: this object is the mount."""
        self.prefix = prefix.rstrip("/")
        return [self]

    def handle(self, request: Request, responder: Responder) -> None:
        route = self.routes.get(request.path_info)
        if route is None:
            responder.respond(404, _TEXT, b"Not Found")
        else:
            route(responder)

    async def startup(self, engine: Engine) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def watch_paths(self) -> Iterable[str]:
        return ()


app = NativeMount()
