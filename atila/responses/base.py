"""Response: a status, headers and a body the engine knows how to write.

Handlers return many kinds of values (documented under "All available return types");
:mod:`atila.responses.render` turns each into a ``Response``.  A response is
sent in one of two ways, chosen by its body:

* bytes: one ``responder.respond(status, headers, body)`` call (PERF: the
  protocol writes head and body together; this is the path benchmarks take);
* anything else (iterators, async iterators, file-like objects): ``start`` the
  head, ``write`` each chunk with back-pressure, ``end``.

Subclasses with special bodies (files, queues, proxies) override :meth:`send`.
"""

from __future__ import annotations

import inspect
from http import HTTPStatus
from typing import Any, AsyncIterator, Awaitable, Callable, Iterable

from skitai.contract import HeaderList, Responder

__all__ = ["Response", "parse_status", "RunInThread"]

RunInThread = Callable[..., Awaitable[Any]]

_STATUS_CACHE: dict[Any, tuple[int, str]] = {}
_CHUNK = 64 * 1024


def parse_status(status: Any) -> tuple[int, str]:
    """``404``, ``"404"``, ``"404 Not Found"`` or ``HTTPStatus.NOT_FOUND`` -> ``(404, "Not Found")``.

    Raises:
        ValueError: not a status between 100 and 599.
    """
    cached = _STATUS_CACHE.get(status)
    if cached is not None:
        return cached
    if isinstance(status, HTTPStatus):
        code, reason = int(status), status.phrase
    elif isinstance(status, int) and not isinstance(status, bool):
        code, reason = status, ""
    elif isinstance(status, str):
        head, _, reason = status.strip().partition(" ")
        if not head.isdigit():
            raise ValueError(f"HTTP status must look like '404 Not Found', got {status!r}")
        code, reason = int(head), reason.strip()
    else:
        raise ValueError(f"HTTP status must be an int or a string like '404 Not Found', got {status!r}")
    if not 100 <= code <= 599:
        raise ValueError(f"HTTP status out of range: {status!r}")
    if not reason:
        try:
            reason = HTTPStatus(code).phrase
        except ValueError:
            reason = "Unknown"
    result = (code, reason)
    if len(_STATUS_CACHE) < 512:
        _STATUS_CACHE[status] = result
    return result


class Response:
    """What a handler answers.

    ``status`` None means "whatever ``context.response`` says" (200 unless the
    handler called ``context.response.set_status``).

    Example:
        >>> Response(201, b"made", [("Content-Type", "text/plain")]).status
        201
    """

    __slots__ = ("status", "headers", "body")

    #: True when a bytes ``body`` is the whole answer (subclasses that send
    #: something else, files or streams, say False)
    one_write = True

    def __init__(self, status: Any = None, body: Any = b"", headers: HeaderList | None = None) -> None:
        self.status: int | None = None if status is None else parse_status(status)[0]
        self.headers: HeaderList = list(headers) if headers else []
        self.body = body

    # -- header helpers --------------------------------------------------------
    def get_header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def set_header(self, name: str, value: str) -> None:
        lowered = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != lowered]
        self.headers.append((name, value))

    def set_default_header(self, name: str, value: str) -> None:
        if self.get_header(name) is None:
            self.headers.append((name, value))

    # -- negotiation and sending -------------------------------------------------
    def prepare(self, context: Any) -> None:
        """Adapt to the request (content negotiation) just before sending."""

    async def send(self, responder: Responder, run_in_thread: RunInThread) -> None:
        """Write this response through ``responder``.

        ``run_in_thread`` runs blocking reads (sync generators, files) off the loop.
        """
        status = self.status or 200
        body = self.body
        if isinstance(body, (bytes, bytearray, memoryview)):
            responder.respond(status, self.headers, bytes(body))
            return
        if isinstance(body, str):
            responder.respond(status, self.headers, body.encode("utf-8"))
            return
        responder.start(status, self.headers)
        try:
            async for chunk in iterate_body(body, run_in_thread):
                if responder.closed:
                    break
                if chunk:
                    await responder.write(chunk)
        finally:
            close_body(body)
        responder.end()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status}>"


def encode_chunk(chunk: Any) -> bytes:
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, str):
        return chunk.encode("utf-8")
    if isinstance(chunk, (bytearray, memoryview)):
        return bytes(chunk)
    raise TypeError(f"a streamed body may yield str or bytes, not {type(chunk).__name__}")


_DONE = object()


def _next_or_done(iterator: Any) -> Any:
    return next(iterator, _DONE)


async def iterate_body(body: Any, run_in_thread: RunInThread) -> AsyncIterator[bytes]:
    """Chunks of any streamable body: async iterators on the loop, sync
    iterators and file-like objects in the thread pool (they may block)."""
    if hasattr(body, "__aiter__"):
        async for chunk in body:
            yield encode_chunk(chunk)
        return
    if hasattr(body, "read"):
        while True:
            data = await run_in_thread(body.read, _CHUNK)
            if not data:
                return
            yield encode_chunk(data)
    if inspect.isgenerator(body) or hasattr(body, "__next__"):
        iterator: Any = body
    elif isinstance(body, Iterable):
        iterator = iter(body)
    else:
        raise TypeError(f"cannot send a body of type {type(body).__name__}")
    if isinstance(body, (list, tuple)):
        for chunk in iterator:
            yield encode_chunk(chunk)
        return
    while True:
        chunk = await run_in_thread(_next_or_done, iterator)
        if chunk is _DONE:
            return
        yield encode_chunk(chunk)


def close_body(body: Any) -> None:
    """Release what a body holds (``close()`` is called when consumed or
    when the client goes away)."""
    # NOTE: async generators have no sync close; one left mid-way is finalized
    # by the loop's asyncgen hooks.
    close = getattr(body, "close", None)
    if close is not None and not inspect.iscoroutinefunction(close):
        close()
