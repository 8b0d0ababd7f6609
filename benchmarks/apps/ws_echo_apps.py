"""WebSocket echo servers for ``benchmarks/ws_echo.py``.

    python benchmarks/apps/ws_echo_apps.py skitai --port 8000      # Atila, WS_NOTHREAD and WS_STREAM
    python benchmarks/apps/ws_echo_apps.py uvicorn --port 8000     # raw ASGI on uvicorn websockets-sansio

Both answer ``/ws`` (and Skitai also ``/stream``) by echoing every message,
with permessage-deflate off (the clients do not offer it either), so the
numbers compare the servers, not zlib.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import skitai
from atila import Atila

app = Atila(__name__)


@app.route("/")
def index(context: Any) -> str:
    return "ok"


@app.route("/ws")
@app.websocket(skitai.WS_CHANNEL | skitai.WS_NOTHREAD, 0)
def ws(context: Any, message: Any) -> Any:
    return message


@app.route("/stream")
@app.websocket(skitai.WS_STREAM, 0)
async def stream(context: Any) -> None:
    websocket = context.websocket
    while True:
        message = await websocket.receive()
        if message is None:
            return
        await websocket.send(message)


async def asgi_echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The same echo as a raw ASGI app (what uvicorn serves)."""
    if scope["type"] == "lifespan":
        while True:
            event = await receive()
            if event["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif event["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] == "http":
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    while True:
        event = await receive()
        if event["type"] == "websocket.disconnect":
            return
        if event.get("text") is not None:
            await send({"type": "websocket.send", "text": event["text"]})
        else:
            await send({"type": "websocket.send", "bytes": event.get("bytes")})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("server", choices=["skitai", "uvicorn"])
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    if args.server == "skitai":
        sys.argv = sys.argv[:1]
        skitai.mount("/", app)
        skitai.run(port=args.port, address="127.0.0.1", workers=1, access_log=False, ws_compression=False)
    else:
        import uvicorn

        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        uvicorn.run(
            "ws_echo_apps:asgi_echo",
            host="127.0.0.1",
            port=args.port,
            ws="websockets-sansio",
            ws_per_message_deflate=False,
            access_log=False,
            log_level="warning",
            lifespan="on",
        )


if __name__ == "__main__":
    main()
