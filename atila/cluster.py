"""An app's link to the cross-worker state backend (``skitai.state``).

The backend is chosen by the server's configuration (one worker, one host,
many hosts through Redis); apps reach it only through here, at the moment of
each call, because they are made before the workers fork and the backend is
started in each worker after:

- :func:`join`: when the app starts in a worker, ``app.store`` goes to the
  backend's values and the app subscribes to relayed events and websocket
  messages;
- :func:`publish_event`: ``app.emit(name, ..., broadcast=True)``;
- :func:`route_websocket`: ``app.websocket_send`` to a client another worker holds;
- :func:`publish_room`: a ``WS_GROUPCHAT`` message to the room's members elsewhere;
- :class:`SharedRevocations`: revoked one-time tokens and used digest answers.

Everything relayed is JSON (event arguments too): a TypeError naming the event
says when it is not.  The plain request path never comes here.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from skitai import state
from skitai.state.node import node_id

__all__ = [
    "join",
    "publish_event",
    "route_websocket",
    "publish_room",
    "SharedRevocations",
    "EVENT_TOPIC",
    "WEBSOCKET_TOPIC",
    "ROOM_TOPIC",
]

EVENT_TOPIC = "atila.event"
WEBSOCKET_TOPIC = "atila.websocket"
ROOM_TOPIC = "atila.room"
logger = logging.getLogger("atila.cluster")


def join(app: Any) -> None:
    cluster = state.current()
    if cluster.scope != "process":
        app.store.share(cluster.values(f"store:{app.name}"))
    cluster.relay.subscribe(EVENT_TOPIC, app._relayed_event)
    cluster.relay.subscribe(WEBSOCKET_TOPIC, app._relayed_websocket)
    cluster.relay.subscribe(ROOM_TOPIC, app._relayed_room)


def publish_event(app: Any, key: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Tell the app's copies in every other worker (they emit it to their listeners)."""
    state.current().relay.publish(EVENT_TOPIC, {"app": app.name, "e": key, "a": list(args), "k": kwargs})


def relayed_event(app: Any, payload: dict[str, Any]) -> None:
    if payload.get("app") != app.name or not isinstance(payload.get("e"), str):
        return
    args, kwargs = payload.get("a") or [], payload.get("k") or {}
    if isinstance(args, list) and isinstance(kwargs, dict):
        app.events.emit(payload["e"], *args, **kwargs)


def _pack(message: str | bytes) -> dict[str, Any]:
    if isinstance(message, bytes):
        return {"b": base64.b64encode(message).decode("ascii")}
    return {"s": message}


def _unpack(packed: Any) -> str | bytes | None:
    if isinstance(packed, dict):
        if isinstance(packed.get("s"), str):
            return str(packed["s"])
        if isinstance(packed.get("b"), str):
            return base64.b64decode(packed["b"])
    return None


def route_websocket(app: Any, client_id: str, message: str | bytes) -> bool:
    """Send through the worker named by the id's prefix; False when that worker
    is not reachable (or the id is ours: the client has gone)."""
    node = client_id.partition("-")[0]
    if not node or node == node_id():
        return False
    payload = {"app": app.name, "id": client_id, "m": _pack(message)}
    return state.current().relay.send(node, WEBSOCKET_TOPIC, payload)


def relayed_websocket(app: Any, payload: dict[str, Any]) -> None:
    if payload.get("app") != app.name or "websocket_backend" not in app.__dict__:
        return
    client_id, message = payload.get("id"), _unpack(payload.get("m"))
    if isinstance(client_id, str) and message is not None:
        app.websocket_backend.send(client_id, message)


def publish_room(app: Any, room: str | None, message: str | bytes) -> None:
    if room is not None and state.current().scope != "process":
        state.current().relay.publish(ROOM_TOPIC, {"app": app.name, "room": room, "m": _pack(message)})


def relayed_room(app: Any, payload: dict[str, Any]) -> None:
    if payload.get("app") != app.name or "websocket_backend" not in app.__dict__:
        return
    room, message = payload.get("room"), _unpack(payload.get("m"))
    if isinstance(room, str) and message is not None:
        app.websocket_backend.broadcast(room, message)


class SharedRevocations:
    """A one-time token revocation store backed by whichever backend serves now."""

    def revoke(self, token_id: str, until: float) -> None:
        state.current().revocations.revoke("ott", token_id, until)

    def is_revoked(self, token_id: str) -> bool:
        return state.current().revocations.is_revoked("ott", token_id)


def claim_digest_answer(ident: str, until: float) -> bool:
    """True the first time a digest answer (nonce, count, client nonce) is seen."""
    return state.current().revocations.claim("digest", ident, until)
