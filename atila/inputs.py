"""``context.Input()``: ``msg = yield context.Input()`` in ``WS_COROUTINE``
handlers, ``data = yield context.Input(n)`` in ``input_stream=True`` routes.

Yielding one asks the runner for the next client message (None once the
socket has closed), or the route's driver (:mod:`atila.coroutines`) for up
to ``n`` more bytes of the request body (``b""`` at its end).
"""

from __future__ import annotations

__all__ = ["Input"]


class Input:
    """A request for the next message or body bytes; ``size`` bounds a body
    read (WebSocket messages are whole, so it is ignored there)."""

    __slots__ = ("size",)

    def __init__(self, size: int = -1) -> None:
        self.size = size

    def __repr__(self) -> str:
        return "Input()"
