"""Handlers of relayed messages by topic, shared by every relay.

A failing handler is logged and the next one runs: a message from another
worker must never take the receiving thread down.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from .interface import Handler

__all__ = ["Subscribers", "encode", "decode"]

logger = logging.getLogger("skitai.state")


class Subscribers:
    def __init__(self) -> None:
        self._handlers: dict[str, tuple[Handler, ...]] = {}
        self._lock = threading.Lock()

    def add(self, topic: str, handler: Handler) -> None:
        with self._lock:
            current = self._handlers.get(topic, ())
            if handler not in current:
                self._handlers[topic] = (*current, handler)

    def dispatch(self, topic: str, payload: dict[str, Any]) -> None:
        for handler in self._handlers.get(topic, ()):
            try:
                handler(payload)
            except Exception:
                logger.exception("handler %r of relayed %r failed", handler, topic)


def encode(origin: str, topic: str, payload: dict[str, Any]) -> bytes:
    """Raises TypeError naming the topic when ``payload`` is not JSON."""
    try:
        return json.dumps({"o": origin, "t": topic, "p": payload}, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{topic!r} crosses workers as JSON, and this payload is not JSON: {exc}") from None


def decode(raw: bytes) -> tuple[str, str, dict[str, Any]] | None:
    try:
        message = json.loads(raw)
        origin, topic, payload = message["o"], message["t"], message["p"]
    except (ValueError, KeyError, TypeError):
        logger.error("dropped a malformed relayed message (%d bytes)", len(raw))
        return None
    if not isinstance(topic, str) or not isinstance(payload, dict):
        return None
    return str(origin), topic, payload
