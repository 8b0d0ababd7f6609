"""A real Starlette app served through ASGIMount (lifespan, routes, streaming, files)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mount_helpers import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    StreamingResponse,
)
from starlette.routing import Route

from skitai.mounts.asgi import ASGIMount
from skitai.testing import MemoryResponder, make_request


@pytest.fixture
def starlette_app(tmp_path: Path) -> tuple[Starlette, list[str]]:
    events: list[str] = []
    document = tmp_path / "doc.txt"
    document.write_bytes(b"document body")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, str]]:
        events.append("startup")
        yield {"greeting": "hi from lifespan"}
        events.append("shutdown")

    async def home(request: Request) -> PlainTextResponse:
        return PlainTextResponse(request.state.greeting)

    async def item(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "id": request.path_params["item_id"],
                "url": str(request.url_for("item", item_id=5)),
                "root_path": request.scope["root_path"],
            }
        )

    async def upload(request: Request) -> JSONResponse:
        data = await request.json()
        return JSONResponse({"sum": sum(data)})

    async def stream(request: Request) -> StreamingResponse:
        async def numbers() -> AsyncIterator[bytes]:
            for number in range(3):
                yield f"{number};".encode()

        return StreamingResponse(numbers(), media_type="text/plain")

    async def doc(request: Request) -> FileResponse:
        return FileResponse(document)

    app = Starlette(
        lifespan=lifespan,
        routes=[
            Route("/", home),
            Route("/items/{item_id:int}", item, name="item"),
            Route("/upload", upload, methods=["POST"]),
            Route("/stream", stream),
            Route("/doc", doc),
        ],
    )
    return app, events


def serve(app: Starlette, requests: list[Any], prefix: str = "") -> list[MemoryResponder]:
    mount = ASGIMount(prefix, app)

    async def main() -> list[MemoryResponder]:
        await mount.startup(Engine(strict=True))
        responders = []
        for request in requests:
            responder = MemoryResponder()
            await asyncio.wait_for(mount.handle(request, responder), 10)
            responders.append(responder)
        await mount.shutdown()
        return responders

    return asyncio.run(main())


def test_lifespan_runs_and_state_reaches_requests(starlette_app: Any) -> None:
    app, events = starlette_app
    [responder] = serve(app, [make_request(target="/")])
    assert (responder.status, responder.body) == (200, b"hi from lifespan")
    assert events == ["startup", "shutdown"]


def test_route_at_prefix_uses_root_path(starlette_app: Any) -> None:
    app, _ = starlette_app
    [responder] = serve(app, [make_request(target="/api/items/7", script_name="/api")], "/api")
    assert responder.status == 200
    assert json.loads(responder.body) == {"id": 7, "url": "http://testserver/api/items/5", "root_path": "/api"}


def test_not_found(starlette_app: Any) -> None:
    app, _ = starlette_app
    [responder] = serve(app, [make_request(target="/missing")])
    assert responder.status == 404


def test_json_request_body(starlette_app: Any) -> None:
    app, _ = starlette_app
    body = b"[1, 2, 3, 4]"
    request = make_request(
        "POST", "/upload", body=body, headers=[("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    [responder] = serve(app, [request])
    assert json.loads(responder.body) == {"sum": 10}


def test_streaming_response(starlette_app: Any) -> None:
    app, _ = starlette_app
    [responder] = serve(app, [make_request(target="/stream")])
    assert responder.status == 200
    assert responder.body == b"0;1;2;"
    assert responder.ended


def test_file_response(starlette_app: Any) -> None:
    app, _ = starlette_app
    [responder] = serve(app, [make_request(target="/doc")])
    assert (responder.status, responder.body) == (200, b"document body")
    assert responder.header("content-length") == "13"
