"""What every benchmarked app answers, defined once so all servers do the same work.

The JSON body is serialized per request with the standard library in the raw
ASGI, native and Starlette apps (``JSONResponse`` does the same); frameworks that
serialize differently (Atila, FastAPI) keep their own way, since that is part of
what is measured.
"""

from __future__ import annotations

import re

__all__ = [
    "PLAINTEXT",
    "MESSAGE",
    "FILLER_ROUTES",
    "user_payload",
    "starlette_path",
    "STATIC_NAME",
    "STATIC_SIZE",
]

PLAINTEXT = b"Hello, World!"
MESSAGE = {"message": "Hello, World!"}

#: the 64 KiB file of the ``static`` group, served from a temp folder at /static/
STATIC_NAME = "file64k.bin"
STATIC_SIZE = 64 * 1024

#: 20 routes registered before ``/users/<int:id>``: static and dynamic ones, in
#: Atila's template syntax (see :func:`starlette_path` for the Starlette form).
#: None of them matches ``/users/1``, so a linear router tries them all.
FILLER_ROUTES = [
    "/",
    "/about",
    "/contact",
    "/pricing",
    "/blog",
    "/login",
    "/logout",
    "/api/documents",
    "/api/documents/<int:doc_id>",
    "/api/tokens",
    "/posts/<int:post_id>/comments",
    "/posts/<slug>",
    "/files/<path:rest>",
    "/tags/<name>/items/<int:item>",
    "/prices/<float:amount>",
    "/orders/<int:order_id>",
    "/orders/<int:order_id>/lines/<int:line>",
    "/<lang>/about",
    "/teams/<int:team_id>/members",
    "/search/<term>",
]


def user_payload(user_id: int, detail: str | None) -> dict[str, object]:
    """The answer of ``/users/<id>?detail=...``."""
    return {"id": user_id, "name": f"user{user_id}", "detail": detail == "yes"}


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def starlette_path(template: str) -> str:
    """``/a/<int:x>/<y>`` -> ``/a/{x:int}/{y}`` (Starlette and FastAPI syntax)."""

    def convert(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2)
        return f"{{{name}:{kind}}}" if kind else f"{{{name}}}"

    return _PARAM.sub(convert, template)
