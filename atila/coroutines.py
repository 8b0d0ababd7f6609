"""Generator routes: ``coroutine=True`` and ``input_stream=True``.

A generator route talks to its driver by yielding:

======================  ==============================================
a task (anything with   resumed with the task once its work is done
``add_done_callback``)  (``task = yield context.Thread(...)``; ``task.fetch()``)
an awaitable            resumed with its result
``context.Input(n)``    resumed with up to ``n`` bytes of the request body,
                        ``b""`` at its end (``input_stream=True`` routes)
str or bytes            a chunk of the answer: the response starts streaming
======================  ==============================================

Its return value is the answer when it never yielded a chunk (rendered like
any handler's value), else the last chunk.

Why the first step runs in the thread pool and the rest on the loop: the
code before the first yield is ordinary sync code (the route is a ``def``),
after it the route has chosen to cooperate ("do no blocking work after the
first yield; yield ``context.Thread`` for it").  Back-pressure: the stream is
an async iterator the response pulls one chunk at a time, each written with
``await responder.write``, so a slow client pauses the generator; nothing is
run ahead of the socket.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, AsyncIterator, Awaitable, Callable, Generator

from .inputs import Input
from .responses.base import Response

__all__ = ["drive", "is_generator_route"]

Step = tuple[bool, Any]
RunInThread = Callable[..., Awaitable[Any]]

_TEXT = [("Content-Type", "text/plain; charset=utf-8")]
_OCTETS = [("Content-Type", "application/octet-stream")]
#: what ``context.Input()`` without a size reads at most
_INPUT_CHUNK = 65536


def is_generator_route(func: Callable[..., Any], options: dict[str, Any]) -> bool:
    """True for a ``def`` generator routed with ``coroutine=True`` or
    ``input_stream=True`` (decided once per route)."""
    return inspect.isgeneratorfunction(func) and bool(options.get("coroutine") or options.get("input_stream"))


def _step(gen: Generator[Any, Any, Any], value: Any, error: BaseException | None = None) -> Step:
    """``(True, returned)`` or ``(False, yielded)``."""
    try:
        return False, (gen.throw(error) if error is not None else gen.send(value))
    except StopIteration as stop:
        return True, stop.value


async def drive(context: Any, gen: Generator[Any, Any, Any], run_in_thread: RunInThread, input_stream: bool) -> Any:
    """Run ``gen`` until it returns (its value) or yields its first chunk (a
    streamed :class:`Response` that goes on from there)."""
    done, item = await run_in_thread(_step, gen, None)
    while not done:
        if isinstance(item, (str, bytes, bytearray, memoryview)):
            kind = _TEXT if isinstance(item, str) else _OCTETS
            return Response(None, _Stream(gen, _stream(context, gen, item, input_stream)), kind)
        try:
            reply = await resolve(context, item, input_stream)
        except Exception as exc:
            done, item = _step(gen, None, exc)
        else:
            done, item = _step(gen, reply)
    return item


class _Stream:
    """The streamed body: pulled chunk by chunk; ``close()`` (called when the
    response ends or the client goes away) closes the route's generator at once,
    so its ``finally`` blocks run then, not whenever the async side is collected."""

    __slots__ = ("gen", "chunks")

    def __init__(self, gen: Generator[Any, Any, Any], chunks: AsyncIterator[Any]) -> None:
        self.gen = gen
        self.chunks = chunks

    def __aiter__(self) -> AsyncIterator[Any]:
        return self.chunks

    def close(self) -> None:
        self.gen.close()


async def _stream(context: Any, gen: Generator[Any, Any, Any], first: Any, input_stream: bool) -> AsyncIterator[Any]:
    try:
        yield first
        done, item = _step(gen, None)
        while not done:
            if isinstance(item, (str, bytes, bytearray, memoryview)):
                yield item
                done, item = _step(gen, None)
                continue
            try:
                reply = await resolve(context, item, input_stream)
            except Exception as exc:
                done, item = _step(gen, None, exc)
            else:
                done, item = _step(gen, reply)
        if item is not None:
            yield item
    finally:
        # NOTE: a client gone mid-stream closes the generator (its finally blocks run)
        gen.close()


async def resolve(context: Any, item: Any, input_stream: bool) -> Any:
    """What the generator is resumed with for a yielded ``item``.

    Raises:
        TypeError: something a generator route cannot yield (named).
        RuntimeError: ``context.Input()`` on a route without ``input_stream=True``.
    """
    if type(item) is Input:
        if not input_stream:
            raise RuntimeError(
                "context.Input() reads the request body as it arrives: route this handler with input_stream=True"
            )
        size = item.size if item.size > 0 else _INPUT_CHUNK
        data: bytes = await context._req.body.read(size)
        return data
    if hasattr(item, "add_done_callback"):
        await _done(item)
        return item
    if inspect.isawaitable(item):
        return await item
    raise TypeError(
        f"a coroutine route may yield str or bytes chunks, tasks, awaitables or "
        f"context.Input(n), not {type(item).__name__}"
    )


async def _done(task: Any) -> None:
    """Wait for a task, a ``concurrent.futures`` or an asyncio future, whichever
    thread finishes it."""
    done = getattr(task, "done", None)
    if done is not None and done():
        return
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()

    def wake(*_: Any) -> None:
        loop.call_soon_threadsafe(_release, waiter)

    task.add_done_callback(wake)
    await waiter


def _release(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
