"""A bare RSGI app for granian: the ceiling of a Python handler on a Rust server.

RSGI (granian's own interface) hands the handler a scope and a protocol object
with ``response_bytes``: one call answers, no message dicts, no ASGI events.
It answers ``/plaintext`` and ``/json`` like :mod:`native` does on Skitai (the
JSON body serialized per request with the standard library), so the two are
the like-for-like pair of "the fastest thing each server can run".
"""

from __future__ import annotations

import json
from typing import Any

from payloads import MESSAGE, PLAINTEXT

__all__ = ["app"]

_TEXT = [("content-type", "text/plain; charset=utf-8")]
_JSON = [("content-type", "application/json")]


async def app(scope: Any, protocol: Any) -> None:
    path = scope.path
    if path == "/plaintext":
        protocol.response_bytes(200, _TEXT, PLAINTEXT)
    elif path == "/json":
        protocol.response_bytes(200, _JSON, json.dumps(MESSAGE).encode())
    else:
        protocol.response_bytes(404, _TEXT, b"Not Found")
