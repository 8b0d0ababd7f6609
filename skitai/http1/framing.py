"""Sans-I/O HTTP/1.1 response framing (the request side is :mod:`.codec`).

:func:`whole_head` and :func:`stream_head` turn a status and the app's header
fields into the head bytes and say how the body is delimited
(:func:`body_framing`, the names below); :func:`error_response` is the whole
answer to a request refused before any mount saw it; the chunk helpers frame a
chunked body.  No sockets, loop or clock here (the caller passes the ``Date``
field in), so every rule is tested bytes in, bytes out.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Iterable

__all__ = [
    "status_line",
    "frame_headers",
    "frame_headers_cached",
    "body_framing",
    "whole_head",
    "stream_head",
    "error_response",
    "frame_chunk",
    "chunk_head",
    "NO_BODY",
    "CONTENT_LENGTH",
    "CHUNKED",
    "UNTIL_CLOSE",
    "SWITCHING",
    "CONTINUE",
    "CHUNK_END",
    "LAST_CHUNK",
]

# How a response body is delimited (RFC 9112 6.3), in the order they are decided.
#: the status has no body (1xx, 204, 304): nothing after the head
NO_BODY = "no-body"
#: 101 Switching Protocols: after the head the connection is the new protocol's
SWITCHING = "switching"
#: the app gave a Content-Length: exactly that many bytes follow
CONTENT_LENGTH = "content-length"
#: HTTP/1.1 without a length: chunked transfer coding
CHUNKED = "chunked"
#: HTTP/1.0 without a length: the body ends when the connection closes
UNTIL_CLOSE = "until-close"

#: statuses that never carry a body (RFC 9110 6.4.1, 15.2)
_NO_BODY_STATUS = frozenset({204, 304}) | frozenset(range(100, 200))

#: the interim answer to ``Expect: 100-continue`` (RFC 9110 10.1.1)
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
#: after each chunk's data, and the end of a chunked body (no trailers)
CHUNK_END = b"\r\n"
LAST_CHUNK = b"0\r\n\r\n"

# The response fields the engine owns or checks.  Hop-by-hop ``Connection`` and
# ``Keep-Alive`` are the engine's to write (RFC 9112 9.6).
_R_LENGTH, _R_CODING, _R_CONNECTION, _R_KEEP_ALIVE = range(1, 5)
_RESPONSE_FIELDS = {
    "content-length": _R_LENGTH,
    "transfer-encoding": _R_CODING,
    "connection": _R_CONNECTION,
    "keep-alive": _R_KEEP_ALIVE,
}

_STATUS_LINES: dict[tuple[str, int], bytes] = {}

# PERF: an app answers with the same few header lists and sizes again and
# again, so the framing of each is kept: ``frame_headers`` by the fields (as a
# tuple), ``whole_head`` by everything but the engine's ``Date`` preamble.
# Measured with timeit on the busy 2-core machine: frame_headers 3.4 -> 0.7 us,
# whole_head 5.2 -> 2.0 us per response.  Both caches hold at most _CACHE_MAX entries and
# start over when full, so per-request values (cookies, ETags) cost a miss,
# never memory.
_CACHE_MAX = 1024
_FRAMED: dict[tuple[Any, ...], tuple[str, int | None, bool, bool]] = {}
_WHOLE: dict[tuple[Any, ...], tuple[bytes, bytes, bool]] = {}


def status_line(version: str, status: int) -> bytes:
    """``b"HTTP/1.1 200 OK\\r\\n"``, cached (PERF: no formatting per response)."""
    key = (version, status)
    line = _STATUS_LINES.get(key)
    if line is None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Unknown"
        line = f"HTTP/{version} {status} {phrase}\r\n".encode("latin-1")
        _STATUS_LINES[key] = line
    return line


def frame_headers(headers: Iterable[tuple[str, Any]]) -> tuple[str, int | None, bool, bool]:
    """Join app header fields into one block, refusing CR, LF and NUL anywhere.

    Returns (block, content_length or None, has_transfer_encoding, close).
    Hop-by-hop ``Connection``/``Keep-Alive`` fields are left out, and an app's
    ``Connection: close`` is reported as ``close``.  Raises ValueError when a
    field would split the response (uvicorn CVE-2020-7695).
    """
    lines = []
    length: int | None = None
    has_te = False
    close = False
    for name, value in headers:
        if type(value) is not str:
            value = str(value)
        kind = _RESPONSE_FIELDS.get(name.lower())
        if kind is not None:
            if kind == _R_LENGTH:
                length = int(value)
            elif kind == _R_CODING:
                has_te = True
            else:  # _R_CONNECTION, _R_KEEP_ALIVE
                close = close or "close" in value.lower()
                continue
        lines.append(f"{name}: {value}\r\n")
    block = "".join(lines)
    count = len(lines)
    if block.count("\r") != count or block.count("\n") != count or "\x00" in block:
        raise ValueError("CR, LF or NUL in a response header")
    return block, length, has_te, close


def frame_headers_cached(headers: Iterable[tuple[str, Any]]) -> tuple[str, int | None, bool, bool]:
    """:func:`frame_headers`, remembered for header lists of ``str`` fields."""
    key = tuple(headers)
    try:
        framed = _FRAMED.get(key)
    except TypeError:  # an unhashable value
        return frame_headers(key)
    if framed is None:
        framed = frame_headers(key)
        # NOTE: only str fields are kept: 1 == True would share an entry, "1" never
        # equals a non-str, so a hit always means the same text
        if all(type(name) is str and type(value) is str for name, value in key):
            if len(_FRAMED) >= _CACHE_MAX:
                _FRAMED.clear()
            _FRAMED[key] = framed
    return framed


def body_framing(status: int, version: str, length: int | None) -> str:
    """How the body of a response is delimited: one of the framing names above."""
    if status == 101:
        return SWITCHING
    if status in _NO_BODY_STATUS:
        return NO_BODY
    if length is not None:
        return CONTENT_LENGTH
    if version == "1.1":
        return CHUNKED
    return UNTIL_CLOSE


def _head(status: int, block: str, keep_alive: bool, version: str, preamble: bytes) -> bytes:
    """Status line, the engine's fields, the app's, then ``Connection`` (RFC 9112
    9.3: HTTP/1.1 persists unless closed, HTTP/1.0 only when told)."""
    line, tail = _head_parts(status, block, keep_alive, version)
    return b"".join((line, preamble, tail))


def _head_parts(status: int, block: str, keep_alive: bool, version: str) -> tuple[bytes, bytes]:
    """The head around the engine's preamble: (status line, the rest)."""
    if status == 101:
        connection = "connection: upgrade\r\n"
    elif not keep_alive:
        connection = "connection: close\r\n"
    elif version == "1.0":
        connection = "connection: keep-alive\r\n"
    else:
        connection = ""
    return status_line("1.1", status), (block + connection + "\r\n").encode("latin-1")


def whole_head(
    status: int,
    block: str,
    length: int | None,
    has_te: bool,
    size: int,
    *,
    head_only: bool,
    version: str,
    keep_alive: bool,
    preamble: bytes,
) -> tuple[bytes, bool]:
    """Frame a response whose whole body (``size`` bytes) is known.

    ``block``, ``length`` and ``has_te`` come from :func:`frame_headers`;
    ``preamble`` is the engine's own fields (``Date``, ``Server``).  Returns the
    head and whether the body goes out after it (not for HEAD, not for a status
    without a body).  Raises ValueError when the app's framing fields contradict
    its body.
    """
    key = (status, block, length, has_te, size, head_only, version, keep_alive)
    cached = _WHOLE.get(key)
    if cached is None:
        cached = _whole_parts(status, block, length, has_te, size, head_only, version, keep_alive)
        if len(_WHOLE) >= _CACHE_MAX:
            _WHOLE.clear()
        _WHOLE[key] = cached
    line, tail, send = cached
    return b"".join((line, preamble, tail)), send


def _whole_parts(
    status: int,
    block: str,
    length: int | None,
    has_te: bool,
    size: int,
    head_only: bool,
    version: str,
    keep_alive: bool,
) -> tuple[bytes, bytes, bool]:
    if has_te or (length is not None and length != size and not head_only):
        raise ValueError("app set framing headers that do not match its body")
    if status in _NO_BODY_STATUS:
        send = False
    else:
        send = size > 0 and not head_only
        if length is None and (size or not head_only):
            # NOTE: an empty answer to HEAD says nothing about the GET body's size
            # (Werkzeug answers HEAD of a stream with no body), and RFC 9110 8.6
            # forbids a Content-Length that differs from the GET one: omit it.
            block += f"content-length: {size}\r\n"
    return (*_head_parts(status, block, keep_alive, version), send)


def stream_head(
    status: int,
    block: str,
    length: int | None,
    has_te: bool,
    *,
    head_only: bool,
    version: str,
    keep_alive: bool,
    closing: bool,
    preamble: bytes,
) -> tuple[bytes, str, bool]:
    """Frame the head of a streamed response.

    Returns (head, framing, keep_alive): the body framing tells the caller how to
    write what follows, and ``keep_alive`` whether the connection may carry
    another request afterwards (an HTTP/1.0 body ends with the close; ``closing``
    is the server shutting down).  Raises ValueError when the app set
    Transfer-Encoding itself.
    """
    if has_te:
        raise ValueError("apps must not set Transfer-Encoding; the engine frames bodies")
    framing = body_framing(status, version, length)
    if framing is SWITCHING:
        keep_alive = True
    elif framing is CHUNKED:
        if not head_only:
            block += "transfer-encoding: chunked\r\n"
    elif framing is UNTIL_CLOSE:
        keep_alive = False
    if closing:
        keep_alive = False
    return _head(status, block, keep_alive, version, preamble), framing, keep_alive


def error_response(status: int, detail: str, preamble: bytes) -> bytes:
    """The whole answer to a request the protocol refused before any mount saw
    it (broken framing, a limit): plain text, and the connection closes."""
    body = detail.encode("utf-8", "replace")
    head = (f"content-type: text/plain; charset=utf-8\r\ncontent-length: {len(body)}\r\nconnection: close\r\n").encode(
        "latin-1"
    )
    return b"".join((status_line("1.1", status), head, preamble, b"\r\n", body))


def chunk_head(size: int) -> bytes:
    """The size line of a chunk whose data is written separately (sendfile)."""
    return b"%x\r\n" % size


def frame_chunk(data: bytes) -> bytes:
    """One chunk of a chunked body (RFC 9112 7.1)."""
    return b"%x\r\n%b\r\n" % (len(data), data)
