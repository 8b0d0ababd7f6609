"""PEP 3333 apps (Flask, Django, any WSGI callable) in the worker's thread pool.

The app runs in a thread because WSGI is blocking by definition; everything that
touches the connection (the responder) runs on the event loop.  The thread hands
work to the loop in one of three ways, cheapest first:

* the app returned a list/tuple of bytes (most frameworks do): the thread returns
  ``(status, headers, body)`` and the loop answers with one ``respond`` call;
* the app returned a ``wsgi.file_wrapper`` around a real file: the loop sends it
  with ``responder.sendfile`` (zero-copy where the protocol can);
* anything else is streamed: each chunk is sent with
  ``run_coroutine_threadsafe(...).result()``, so a slow client slows the app down
  (back-pressure) instead of making us buffer its output.
"""

from __future__ import annotations

import asyncio
import io
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..contract import Engine, HeaderList, KnowsWorkers, Request, Responder
from ..environ import request_environ
from ..errors import ClientGone, HTTPError
from .base import AppMount, answer_error, error_response

__all__ = ["FileWrapper", "WSGIInput", "WSGIMount", "build_environ"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

READ_CHUNK = 64 * 1024


class WSGIInput:
    """``wsgi.input``: a blocking, streaming reader over the request body.

    Reads come straight from ``body.read_sync`` (which waits on the loop for more
    bytes), so an upload is never buffered whole unless the app asks for it.  The
    body object stops at the end of the request, so no read can run into the
    next pipelined request.
    """

    __slots__ = ("_body", "_buffer", "_eof", "error")

    def __init__(self, body: Any) -> None:
        self._body = body
        self._buffer = bytearray()
        self._eof = False
        #: the engine's refusal of the body (413, 408, 400), kept even if the app
        #: swallows it, so the client still gets the right status
        self.error: HTTPError | None = None

    def _read(self, size: int) -> bytes:
        try:
            data: bytes = self._body.read_sync(size)
            return data
        except HTTPError as exc:
            self.error = exc
            raise

    def _fill(self) -> bool:
        """Append the next chunk to the buffer; False at the end of the body."""
        if self._eof:
            return False
        chunk = self._read(READ_CHUNK)
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            while self._fill():
                pass
            data = bytes(self._buffer)
            self._buffer.clear()
            return data
        # NOTE: a sized read returns ``size`` bytes unless the body ends first,
        # as gunicorn and waitress do: apps read(CONTENT_LENGTH) and trust it.
        while len(self._buffer) < size and self._fill():
            pass
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def readline(self, size: int | None = -1) -> bytes:
        limit = -1 if size is None else size
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0 and (limit < 0 or end < limit):
                cut = end + 1
                break
            if 0 <= limit <= len(self._buffer):
                cut = limit
                break
            if not self._fill():
                cut = len(self._buffer)
                break
        line = bytes(self._buffer[:cut])
        del self._buffer[:cut]
        return line

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        lines: list[bytes] = []
        total = 0
        while True:
            line = self.readline()
            if not line:
                return lines
            lines.append(line)
            total += len(line)
            if hint is not None and 0 < hint <= total:
                return lines

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line


class FileWrapper:
    """``wsgi.file_wrapper``: iterates a file in blocks, or lets the server sendfile it."""

    def __init__(self, filelike: Any, blksize: int = 8192) -> None:
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, "close"):
            self.close = filelike.close

    def __iter__(self) -> Iterator[bytes]:
        while True:
            block = self.filelike.read(self.blksize)
            if not block:
                return
            yield block

    def sendable(self) -> bool:
        """True when the wrapped object is a regular binary file with a descriptor."""
        filelike = self.filelike
        if not isinstance(filelike, (io.BufferedIOBase, io.RawIOBase)):
            return False
        try:
            return stat.S_ISREG(os.fstat(filelike.fileno()).st_mode)
        except (OSError, ValueError):
            return False


def build_environ(request: Request, multiprocess: bool) -> dict[str, Any]:
    """The PEP 3333 environ for one request."""
    environ = request_environ(request)
    environ.update(
        {
            "wsgi.version": (1, 0),
            "wsgi.input": WSGIInput(request.body),
            # NOTE: the body object ends at the end of the request, so apps (Werkzeug)
            # may read a chunked upload to EOF without a Content-Length.
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": multiprocess,
            "wsgi.run_once": False,
            "wsgi.file_wrapper": FileWrapper,
        }
    )
    return environ


def parse_status(status: Any) -> int:
    if not isinstance(status, str) or len(status) < 3 or not status[:3].isdigit():
        raise TypeError(f"WSGI status must be a str like '200 OK', got {status!r}")
    code = int(status[:3])
    if not 100 <= code <= 999:
        raise ValueError(f"WSGI status out of range: {status!r}")
    return code


def check_headers(headers: Any) -> HeaderList:
    if not isinstance(headers, list):
        raise TypeError(f"WSGI response headers must be a list, got {type(headers).__name__}")
    for item in headers:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], str)):
            raise TypeError(f"WSGI response header must be a (str, str) tuple, got {item!r}")
    return list(headers)


# Outcomes the thread hands back to the loop.
RESPOND, SENDFILE, STREAMED = 0, 1, 2


class WSGICall:
    """One request's run of the app; ``run`` executes in a worker thread."""

    __slots__ = ("app", "environ", "head_sent", "headers", "loop", "method", "responder", "status")

    def __init__(
        self, app: WSGIApp, environ: dict[str, Any], responder: Responder, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.app = app
        self.environ = environ
        self.responder = responder
        self.loop = loop
        self.method = environ["REQUEST_METHOD"]
        self.status: int | None = None
        self.headers: HeaderList = []
        self.head_sent = False

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info is not None:
            try:
                if self.head_sent:
                    # PEP 3333: too late to change the response; let the error end it.
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.status is not None:
            raise RuntimeError("start_response called a second time without exc_info")
        self.status = parse_status(status)
        self.headers = check_headers(headers)
        return self.write

    def write(self, data: bytes) -> None:
        """The legacy ``write()`` callable returned by ``start_response``."""
        if self.status is None:
            raise RuntimeError("write() called before start_response")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"WSGI write() needs bytes, got {type(data).__name__}")
        if data:
            self._send(bytes(data))

    def _send(self, data: bytes) -> None:
        responder = self.responder
        if responder.closed:
            raise ClientGone("client closed the connection")
        if self.head_sent:
            coro = responder.write(data)
        else:
            self.head_sent = True
            coro = self._start_and_write(data)
        asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    async def _start_and_write(self, data: bytes) -> None:
        assert self.status is not None
        self.responder.start(self.status, self.headers)
        await self.responder.write(data)

    def run(self) -> tuple[int, Any]:
        result = self.app(self.environ, self.start_response)
        keep_open = False
        try:
            if isinstance(result, (list, tuple)):
                return self._collect(result)
            if isinstance(result, FileWrapper) and not self.head_sent and self.method != "HEAD" and result.sendable():
                self._require_status()
                keep_open = True  # the loop closes it after sending
                return SENDFILE, result
            for chunk in result:
                if chunk:
                    self._require_status()
                    self._send(chunk)
            self._require_status()
            return (STREAMED, None) if self.head_sent else (RESPOND, b"")
        finally:
            close = getattr(result, "close", None)
            if close is not None and not keep_open:
                close()

    def _collect(self, result: list[bytes] | tuple[bytes, ...]) -> tuple[int, Any]:
        self._require_status()
        try:
            body = b"".join(result)
        except TypeError:
            raise TypeError("WSGI app body items must be bytes (PEP 3333), not str") from None
        if self.head_sent:  # write() was used before returning
            if body:
                self._send(body)
            return STREAMED, None
        return RESPOND, body

    def _require_status(self) -> None:
        if self.status is None:
            raise RuntimeError("WSGI app returned a body without calling start_response")


class WSGIMount(AppMount):
    """A WSGI callable mounted on a URL prefix.

    Example:
        >>> from flask import Flask
        >>> mount = WSGIMount("/flask", Flask(__name__))
    """

    def __init__(self, prefix: str, app: WSGIApp, name: str | None = None, body_limit: int | None = None) -> None:
        super().__init__(prefix, app, name, body_limit)
        self._multiprocess = False

    def handle(self, request: Request, responder: Responder) -> Any:
        return self._serve(request, responder)

    async def _serve(self, request: Request, responder: Responder) -> None:
        loop = asyncio.get_running_loop()
        call = WSGICall(self.app, build_environ(request, self._multiprocess), responder, loop)
        try:
            if self._engine is not None:
                kind, payload = await self._engine.run_in_thread(call.run)
            else:
                kind, payload = await loop.run_in_executor(None, call.run)
        except ClientGone:
            return
        except Exception as exc:
            if responder.started or call.head_sent:
                raise  # the engine closes the connection: the response is cut short
            answer_error(
                responder, exc, self._engine, f"WSGI app {self.app!r} failed on {request.method} {request.path!r}"
            )
            return
        status = call.status
        assert status is not None
        if kind == RESPOND:
            refused = call.environ["wsgi.input"].error
            if refused is not None and status == 500:
                # NOTE: frameworks turn any exception, our 413 included, into a 500;
                # the client's fault must not look like the server's.
                responder.respond(*error_response(refused))
                return
            responder.respond(status, call.headers, payload)
        elif kind == SENDFILE:
            await self._sendfile(responder, status, call.headers, payload)
        else:
            responder.end()

    async def _sendfile(self, responder: Responder, status: int, headers: HeaderList, wrapper: FileWrapper) -> None:
        file = wrapper.filelike
        try:
            offset = file.tell()
            remaining = max(os.fstat(file.fileno()).st_size - offset, 0)
            declared = next((v for k, v in headers if k.lower() == "content-length"), None)
            if declared is not None and declared.strip().isdigit():
                count = min(int(declared), remaining)
            else:
                count = remaining
                headers = headers + [("Content-Length", str(count))]
            responder.start(status, headers)
            await responder.sendfile(file, offset, count)
            responder.end()
        finally:
            close = getattr(wrapper, "close", None)
            if close is not None:
                close()

    async def startup(self, engine: Engine) -> None:
        await super().startup(engine)
        # an engine that does not say how many workers it has is one process
        self._multiprocess = isinstance(engine, KnowsWorkers) and engine.workers > 1
