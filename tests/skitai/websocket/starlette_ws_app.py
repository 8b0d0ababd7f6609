"""A Starlette app with WebSocket routes, mounted on Skitai (ASGI websocket scopes)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

import skitai


async def echo(websocket: WebSocket) -> None:
    await websocket.accept(subprotocol="chat" if "chat" in websocket.scope["subprotocols"] else None)
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("text") is not None:
            await websocket.send_text("asgi: " + message["text"])
        else:
            await websocket.send_bytes(message["bytes"])


async def refuse(websocket: WebSocket) -> None:
    await websocket.close(code=1008)


async def closes(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("bye")
    await websocket.close(code=4000, reason="done")


app = Starlette(
    routes=[WebSocketRoute("/ws", echo), WebSocketRoute("/refuse", refuse), WebSocketRoute("/closes", closes)]
)

if __name__ == "__main__":
    skitai.mount("/asgi", app)
    skitai.run(port=5000)
