"""uvicorn + FastAPI: the second framework baseline, same routes as the Atila app.

FastAPI validates ``id: int`` and ``detail: str | None`` from the signature and
serializes the returned dict itself, which is the work its users get by default.
``create_app("sync")`` uses ``def`` handlers (run in FastAPI's thread pool).
"""

from __future__ import annotations

from typing import Any, Callable

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from payloads import FILLER_ROUTES, MESSAGE, PLAINTEXT, starlette_path, user_payload

__all__ = ["create_app"]


def _async_endpoints() -> dict[str, Callable[..., Any]]:
    async def plaintext() -> PlainTextResponse:
        return PlainTextResponse(PLAINTEXT)

    async def json() -> dict[str, Any]:
        return MESSAGE

    async def filler() -> PlainTextResponse:
        return PlainTextResponse(b"filler")

    async def user(id: int, detail: str | None = None) -> dict[str, Any]:
        return user_payload(id, detail)

    return {"plaintext": plaintext, "json": json, "filler": filler, "user": user}


def _sync_endpoints() -> dict[str, Callable[..., Any]]:
    def plaintext() -> PlainTextResponse:
        return PlainTextResponse(PLAINTEXT)

    def json() -> dict[str, Any]:
        return MESSAGE

    def filler() -> PlainTextResponse:
        return PlainTextResponse(b"filler")

    def user(id: int, detail: str | None = None) -> dict[str, Any]:
        return user_payload(id, detail)

    return {"plaintext": plaintext, "json": json, "filler": filler, "user": user}


def create_app(handlers: str = "async") -> FastAPI:
    """A FastAPI app with ``/plaintext``, ``/json``, 20 filler routes, then
    ``/users/{id}``; ``handlers`` is ``"async"`` or ``"sync"``."""
    if handlers not in ("async", "sync"):
        raise ValueError(f"handlers must be 'async' or 'sync', got {handlers!r}")
    endpoints = _async_endpoints() if handlers == "async" else _sync_endpoints()
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.add_api_route("/plaintext", endpoints["plaintext"], methods=["GET"])
    app.add_api_route("/json", endpoints["json"], methods=["GET"])
    for index, template in enumerate(FILLER_ROUTES):
        # NOTE: the filler handlers take no parameters; FastAPI ignores path
        # parameters a handler does not ask for, so one handler fits all templates.
        app.add_api_route(starlette_path(template), endpoints["filler"], methods=["GET"], name=f"filler{index}")
    app.add_api_route("/users/{id}", endpoints["user"], methods=["GET"])
    return app
