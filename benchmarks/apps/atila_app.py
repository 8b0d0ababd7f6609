"""Atila: ``/plaintext``, ``/json``, 20 filler routes, then ``/users/<int:id>``.

The same routes as the Starlette and FastAPI apps, written as a user would
write them (return a str or a dict, take query values as arguments).
``create_app("sync")`` registers ``def`` handlers, which Atila runs in the
worker's thread pool; ``"async"`` registers ``async def`` ones, run on the loop.
"""

from __future__ import annotations

from typing import Any, Callable

from payloads import FILLER_ROUTES, MESSAGE, PLAINTEXT, user_payload

from atila import Atila

__all__ = ["create_app"]

_TEXT = PLAINTEXT.decode()


def _async_handlers() -> dict[str, Callable[..., Any]]:
    async def plaintext(context: Any) -> str:
        return _TEXT

    async def json(context: Any) -> dict[str, Any]:
        return MESSAGE

    async def filler(context: Any, **kwargs: Any) -> str:
        return "filler"

    # NOTE: no annotations on id/detail, as the documentation writes handlers: annotations
    # would switch on Atila's typed validation, which Starlette does not do.
    async def user(context, id, detail=None):  # type: ignore[no-untyped-def]
        return user_payload(id, detail)

    return {"plaintext": plaintext, "json": json, "filler": filler, "user": user}


def _sync_handlers() -> dict[str, Callable[..., Any]]:
    def plaintext(context: Any) -> str:
        return _TEXT

    def json(context: Any) -> dict[str, Any]:
        return MESSAGE

    def filler(context: Any, **kwargs: Any) -> str:
        return "filler"

    def user(context, id, detail=None):  # type: ignore[no-untyped-def]
        return user_payload(id, detail)

    return {"plaintext": plaintext, "json": json, "filler": filler, "user": user}


def create_app(handlers: str = "async") -> Atila:
    """An Atila app; ``handlers`` is ``"async"`` or ``"sync"``."""
    if handlers not in ("async", "sync"):
        raise ValueError(f"handlers must be 'async' or 'sync', got {handlers!r}")
    chosen = _async_handlers() if handlers == "async" else _sync_handlers()
    app = Atila(__name__)
    app.route("/plaintext")(chosen["plaintext"])
    app.route("/json")(chosen["json"])
    for index, template in enumerate(FILLER_ROUTES):
        app.route(template, name=f"filler{index}")(chosen["filler"])
    app.route("/users/<int:id>")(chosen["user"])
    return app
