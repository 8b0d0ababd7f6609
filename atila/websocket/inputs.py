"""``context.Input()`` for ``WS_COROUTINE`` handlers: ``msg = yield context.Input()``.

Yielding one asks the runner for the next client message (None once the
socket has closed).
"""

from __future__ import annotations

__all__ = ["Input"]


class Input:
    """A request for the next message; ``size`` is accepted for the request-
    streaming spelling ``context.Input(n)`` and ignored (messages are whole)."""

    __slots__ = ("size",)

    def __init__(self, size: int = -1) -> None:
        self.size = size

    def __repr__(self) -> str:
        return "Input()"
