"""Answers that wait for tasks: ``task.then(callback)``, ``context.Map``,
``context.Mapped``, ``render_or_Map``, ``context.ThreadPass``.

The handler returns at once (its thread goes back to the pool); the engine
awaits the tasks on the loop, then builds the answer from their results.  A
task's exception, or its timeout (504), becomes the error answer as if the
handler had raised it.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

from ..responses.base import Response, RunInThread
from ..responses.render import to_response

__all__ = ["Deferred"]


class Deferred(Response):
    __slots__ = ("context", "waiting", "finish")

    one_write = False

    def __init__(self, context: Any, waiting: Any, finish: Callable[[], Any]) -> None:
        super().__init__(None, b"", None)
        self.context = context
        self.waiting = waiting
        self.finish = finish

    async def result(self, run_in_thread: RunInThread | None = None) -> Any:
        await self.waiting.settle()
        if run_in_thread is None:
            value = self.finish()
        else:
            value = await run_in_thread(self.finish)
        if inspect.isawaitable(value):
            value = await value
        return value

    async def send(self, responder: Any, run_in_thread: RunInThread) -> None:
        value = await self.result(run_in_thread)
        response = value if isinstance(value, Response) else to_response(value)
        # NOTE: the pipeline put the handler's context.response head on this
        # object; it passes to the real answer with the same precedence
        if response.status is None and self.status is not None:
            response.status = self.status
        if self.headers:
            names = {name.lower() for name, _ in self.headers if name.lower() != "set-cookie"}
            response.headers = [(k, v) for k, v in response.headers if k.lower() not in names] + self.headers
        if type(response) is not Response:
            response.prepare(self.context)
        await response.send(responder, run_in_thread)

    def __await__(self) -> Any:
        return self.result().__await__()
