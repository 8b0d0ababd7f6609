"""uvicorn + Starlette: the framework baseline, same routes as the Atila app.

``create_app("async")`` uses ``async def`` endpoints, ``create_app("sync")``
plain ``def`` ones (Starlette runs those in its thread pool), so both handler
styles are compared like for like.  ``static_dir`` adds ``/static`` served by
``StaticFiles`` for the static-file group.
"""

from __future__ import annotations

from typing import Any, Callable

from payloads import FILLER_ROUTES, MESSAGE, PLAINTEXT, starlette_path, user_payload
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

__all__ = ["create_app"]


def _async_endpoints() -> dict[str, Callable[..., Any]]:
    async def plaintext(request: Request) -> Response:
        return PlainTextResponse(PLAINTEXT)

    async def json(request: Request) -> Response:
        return JSONResponse(MESSAGE)

    async def filler(request: Request) -> Response:
        return PlainTextResponse(request.url.path)

    async def user(request: Request) -> Response:
        return JSONResponse(user_payload(request.path_params["id"], request.query_params.get("detail")))

    return {"plaintext": plaintext, "json": json, "filler": filler, "user": user}


def _sync_endpoints() -> dict[str, Callable[..., Any]]:
    def plaintext(request: Request) -> Response:
        return PlainTextResponse(PLAINTEXT)

    def json(request: Request) -> Response:
        return JSONResponse(MESSAGE)

    def filler(request: Request) -> Response:
        return PlainTextResponse(request.url.path)

    def user(request: Request) -> Response:
        return JSONResponse(user_payload(request.path_params["id"], request.query_params.get("detail")))

    return {"plaintext": plaintext, "json": json, "filler": filler, "user": user}


def create_app(handlers: str = "async", static_dir: str | None = None) -> Starlette:
    """A Starlette app with ``/plaintext``, ``/json``, 20 filler routes, then
    ``/users/{id:int}``; ``handlers`` is ``"async"`` or ``"sync"``."""
    if handlers not in ("async", "sync"):
        raise ValueError(f"handlers must be 'async' or 'sync', got {handlers!r}")
    endpoints = _async_endpoints() if handlers == "async" else _sync_endpoints()
    routes: list[BaseRoute] = [
        Route("/plaintext", endpoints["plaintext"]),
        Route("/json", endpoints["json"]),
    ]
    routes += [Route(starlette_path(template), endpoints["filler"]) for template in FILLER_ROUTES]
    routes.append(Route("/users/{id:int}", endpoints["user"]))
    if static_dir is not None:
        from starlette.staticfiles import StaticFiles

        routes.insert(0, Mount("/static", StaticFiles(directory=static_dir)))
    return Starlette(routes=routes)
