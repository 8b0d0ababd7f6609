"""``context.Input()`` for ``WS_COROUTINE`` handlers; the class lives in
:mod:`atila.inputs` (``input_stream=True`` routes yield the same one, and
they must work without the ``websocket`` extra this package needs)."""

from __future__ import annotations

from ..inputs import Input

__all__ = ["Input"]
