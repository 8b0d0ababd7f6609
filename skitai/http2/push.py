"""Server push from ``Link: <uri>; rel=preload`` response fields.

``context.response.hint_promise(uri)`` (and any WSGI/ASGI app that sets the same
field) says "this page will need ``uri``".  Over HTTP/1.1 the field is only a
hint to the browser; over HTTP/2, when the client allows push, the engine
promises ``uri`` (PUSH_PROMISE) and answers it on its own stream as if the client
had asked with GET.  ``nopush`` in the field keeps the hint and skips the push;
only paths on this server (``/...``) are pushed.
"""

from __future__ import annotations

import re
from typing import Iterable

__all__ = ["preload_paths", "COPIED_FIELDS"]

_LINK = re.compile(r"<([^>]*)>([^,]*)")
#: request fields a pushed request inherits from the request that caused it
COPIED_FIELDS = frozenset({"user-agent", "accept-encoding", "accept-language", "cookie", "authorization"})


def preload_paths(headers: Iterable[tuple[str, str]], limit: int) -> list[str]:
    """The same-origin paths of ``rel=preload`` links without ``nopush``, in order,
    without duplicates, at most ``limit``."""
    paths: list[str] = []
    for name, value in headers:
        if len(name) != 4 or name.lower() != "link":
            continue
        for target, params in _LINK.findall(str(value)):
            if not _is_preload(params) or not target.startswith("/") or target.startswith("//"):
                continue
            if target not in paths:
                paths.append(target)
                if len(paths) >= limit:
                    return paths
    return paths


def _is_preload(params: str) -> bool:
    rel = False
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        key = key.strip().lower()
        if key == "rel":
            rel = "preload" in value.strip().strip('"').lower().split()
        elif key == "nopush":
            return False
    return rel
