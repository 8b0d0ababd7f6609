"""Sans-I/O HTTP/1.1: request parsing and response framing.

Bytes go in through :meth:`RequestParser.feed`; parsed requests come out through
callbacks on a *handler* (``on_head``, ``on_body``, ``on_end``).  Responses go the
other way: :func:`whole_head` and :func:`stream_head` turn a status and the app's
header fields into the head bytes and say how the body is delimited
(:func:`body_framing`); :func:`error_response` is the whole answer to a broken
request.  No sockets, loop or clock here (the caller passes the ``Date`` field
in), so every framing rule, both ways, is tested by bytes in and bytes out.

httptools (llhttp, strict mode) does the tokenising and already refuses most
smuggling shapes (RFC 9112 6.3: CL with TE, bad chunk sizes, bare LF, obs-fold,
space before the colon).  What llhttp lets through is checked here: limits,
Host rules (RFC 9112 3.2), Content-Length syntax (digits only), TE in HTTP/1.0,
chunk-extension floods, and the request-target forms.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any, Iterable, Protocol
from urllib.parse import unquote_to_bytes

import httptools

from ..config import Limits
from ..errors import HTTPError

__all__ = [
    "RequestHead",
    "RequestParser",
    "ParserHandler",
    "HTTP2Preface",
    "status_line",
    "frame_headers",
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

_HOST_VALUE = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]{0,5})?$")
_DIGITS = re.compile(r"^[0-9]{1,18}$")
#: bytes of chunk-size line and CRLFs we tolerate per chunk, beyond its extension
_CHUNK_FRAMING = 40
_METHOD_TOKEN = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32}$")
# The request fields that decide framing.  PERF: every other field is skipped
# with one dict lookup; the kinds are small ints compared by value.
_HOST, _LENGTH, _CODING, _EXPECT, _UPGRADE = range(1, 6)
_FRAMING_FIELDS = {
    "host": _HOST,
    "content-length": _LENGTH,
    "transfer-encoding": _CODING,
    "expect": _EXPECT,
    "upgrade": _UPGRADE,
}
#: how a request says it is the HTTP/2 connection preface (RFC 9113 3.4)
_H2_PREFACE_LINE = b"PRI * HTTP/2.0"
#: largest piece handed to llhttp at once
_SLICE = 16 * 1024


class RequestHead:
    """What the parser knows once the header block is complete."""

    __slots__ = (
        "method",
        "raw_path",
        "path",
        "query",
        "version",
        "headers",
        "content_length",
        "chunked",
        "keep_alive",
        "expect_continue",
        "upgrade",
    )

    def __init__(self) -> None:
        self.method = ""
        self.raw_path = b"/"
        self.path = "/"
        self.query = ""
        self.version = "1.1"
        self.headers: list[tuple[str, str]] = []
        self.content_length: int | None = None
        self.chunked = False
        self.keep_alive = True
        self.expect_continue = False
        self.upgrade: str | None = None

    @property
    def has_body(self) -> bool:
        return self.chunked or bool(self.content_length)


class HTTP2Preface(HTTPError):
    """The client opened with the HTTP/2 connection preface (``PRI * HTTP/2.0``),
    which no HTTP/1.1 parser can read: a 505 unless the protocol hands the
    connection to an HTTP/2 implementation."""

    def __init__(self) -> None:
        super().__init__(
            505,
            "HTTP/2 is not enabled on this port: the client sent the HTTP/2 connection"
            " preface (PRI * HTTP/2.0); this port speaks HTTP/1.1",
        )


class ParserHandler(Protocol):
    def on_head(self, head: RequestHead) -> None:
        """A head is complete.  The handler may call ``limit_body`` (before the
        first body byte) and may raise ``HTTPError`` to refuse the request."""
        ...

    def on_body(self, data: bytes) -> None: ...

    def on_end(self) -> None: ...


class RequestParser:
    """Feeds httptools and enforces our limits; one instance per connection."""

    def __init__(self, handler: ParserHandler, limits: Limits) -> None:
        self.handler = handler
        self.limits = limits
        self._parser = httptools.HttpRequestParser(self)
        self._reset()
        #: True between the end of a head and the end of its message
        self.in_body = False
        self._body_bytes = 0
        self._fed_in_body = 0
        self._chunks = 0
        self._chunked = False
        self._body_limit = limits.max_body_size

    def _reset(self) -> None:
        self._url = b""
        self._headers: list[tuple[str, str]] = []
        self._header_bytes = 0
        self._head: RequestHead | None = None

    # -- input -----------------------------------------------------------------
    def feed(self, data: bytes) -> bytes | None:
        """Parse bytes.  Raises HTTPError for anything the client got wrong
        (:class:`HTTP2Preface` for an HTTP/2 client) and re-raises what a handler
        callback raised; no httptools exception leaves this method.

        Returns None, or, after the head of an Upgrade (or CONNECT) request, the
        bytes that followed it: they belong to the next protocol, not to HTTP/1.1.
        """
        if len(data) <= _SLICE:
            return self._feed(data)
        # NOTE: llhttp reports neither chunk extensions nor how far it got, so
        # large inputs go in slices and the chunked framing overhead is bounded
        # after each one (a 1 MiB extension is refused after a few slices).
        view = memoryview(data)
        for start in range(0, len(data), _SLICE):
            leftover = self._feed(bytes(view[start:start + _SLICE]))
            if leftover is not None:
                return leftover + data[start + _SLICE:]
        return None

    def limit_body(self, limit: int) -> None:
        """Set the body limit of the request whose head was just reported (the
        mounts that may answer it decide); a declared Content-Length above it is
        refused at once, before ``100 Continue`` could invite the body."""
        self._body_limit = limit
        head = self._head
        if head is not None and head.content_length is not None and head.content_length > limit:
            raise HTTPError(413, _too_large(limit))

    def _feed(self, data: bytes) -> bytes | None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            # one of our callbacks raised: hand on what it raised, not the wrapper
            cause = exc.__context__
            if cause is None:
                raise RuntimeError(f"HTTP parser callback failed: {exc}") from None
            raise cause from None
        except httptools.HttpParserUpgrade as exc:
            return data[exc.args[0]:] if exc.args else b""
        except httptools.HttpParserInvalidMethodError as exc:
            # RFC 9110 9.1: a well-formed method we do not know is 501, garbage is 400
            method = data.lstrip(b"\r\n").split(b" ", 1)[0]
            if _METHOD_TOKEN.match(method) and b" " in data:
                raise HTTPError(501, f"method {method.decode('ascii')} is not implemented") from None
            raise HTTPError(400, f"invalid method: {exc}") from None
        except httptools.HttpParserInvalidURLError as exc:
            raise HTTPError(400, f"invalid request target: {exc}") from None
        except httptools.HttpParserError as exc:
            if _is_http2_preface(data, exc):
                raise HTTP2Preface() from None
            raise HTTPError(_status_of(exc), f"malformed request: {exc}") from None
        if self._chunked:
            self._fed_in_body += len(data)
            overhead = self._fed_in_body - self._body_bytes
            allowed = (
                self._chunks * _CHUNK_FRAMING + self.limits.max_chunk_extension + self.limits.max_header_size + _SLICE
            )
            if overhead > allowed:
                raise HTTPError(400, "chunk extensions or trailers too large")
        return None

    # -- httptools callbacks ---------------------------------------------------
    def on_message_begin(self) -> None:
        self._reset()
        self._body_bytes = 0
        self._fed_in_body = 0
        self._chunks = 0
        self._chunked = False
        self._body_limit = self.limits.max_body_size

    def on_url(self, url: bytes) -> None:
        self._url += url
        if len(self._url) > self.limits.max_request_line:
            raise HTTPError(414, f"request target longer than {self.limits.max_request_line} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value) + 4
        if self._header_bytes > self.limits.max_header_size:
            raise HTTPError(431, f"header block larger than {self.limits.max_header_size} bytes")
        if len(self._headers) >= self.limits.max_headers:
            raise HTTPError(431, f"more than {self.limits.max_headers} header fields")
        # NOTE: llhttp (strict) already refuses non-token names and NUL/CTL in values.
        self._headers.append((name.decode("latin-1").lower(), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        parser = self._parser
        head = RequestHead()
        head.method = parser.get_method().decode("ascii")
        head.version = parser.get_http_version()
        head.headers = self._headers
        head.keep_alive = parser.should_keep_alive()
        self._parse_target(head, self._url)
        self._check_framing(head)
        self._head = head
        self._chunked = head.chunked
        self.in_body = head.has_body
        self.handler.on_head(head)

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        if self._body_bytes > self._body_limit:
            raise HTTPError(413, _too_large(self._body_limit))
        self.handler.on_body(body)

    def on_chunk_header(self) -> None:
        self._chunks += 1

    def on_message_complete(self) -> None:
        self.in_body = False
        self._chunked = False
        self.handler.on_end()

    # -- checks ----------------------------------------------------------------
    def _parse_target(self, head: RequestHead, url: bytes) -> None:
        if url.startswith(b"/"):
            raw_path, _, query = url.partition(b"?")
        elif url == b"*" and head.method == "OPTIONS":
            raw_path, query = b"*", b""
        else:
            try:
                parsed = httptools.parse_url(url)
            except httptools.HttpParserInvalidURLError:
                raise HTTPError(400, "invalid request target") from None
            if parsed.schema not in (b"http", b"https") or not parsed.host:
                raise HTTPError(400, "request target must be origin-form or absolute-form")
            raw_path, query = parsed.path or b"/", parsed.query or b""
        raw_path, _, _fragment = raw_path.partition(b"#")
        head.raw_path = raw_path
        head.path = unquote_to_bytes(raw_path).decode("utf-8", "surrogateescape")
        head.query = query.decode("latin-1")

    def _check_framing(self, head: RequestHead) -> None:
        hosts = 0
        lengths: list[str] = []
        codings: list[str] = []
        for name, value in head.headers:
            kind = _FRAMING_FIELDS.get(name)
            if kind is None:
                continue
            if kind == _HOST:
                hosts += 1
                if not _HOST_VALUE.match(value.strip()):
                    raise HTTPError(400, "invalid Host header")
            elif kind == _LENGTH:
                lengths.extend(v.strip(" \t") for v in value.split(","))
            elif kind == _CODING:
                codings.extend(v.strip(" \t").lower() for v in value.split(","))
            elif kind == _EXPECT:
                if value.strip(" \t").lower() == "100-continue":
                    head.expect_continue = True
                else:
                    raise HTTPError(417, f"unsupported expectation: {value.strip()}", close=False)
            else:  # _UPGRADE
                head.upgrade = value.strip()
        if hosts > 1:
            raise HTTPError(400, "more than one Host header")
        if hosts == 0 and head.version == "1.1":
            raise HTTPError(400, "missing Host header (RFC 9112 3.2)")
        if head.version not in ("1.1", "1.0"):
            raise HTTPError(505, f"HTTP/{head.version} is not supported")
        if codings:
            if head.version == "1.0":
                raise HTTPError(400, "Transfer-Encoding in an HTTP/1.0 request")
            if lengths:
                raise HTTPError(400, "both Content-Length and Transfer-Encoding")
            if codings[-1] != "chunked" or codings.count("chunked") != 1:
                raise HTTPError(400, "Transfer-Encoding must end in a single chunked")
            if len(codings) > 1:
                raise HTTPError(501, f"unsupported transfer coding: {codings[0]}")
            head.chunked = True
        elif lengths:
            if any(not _DIGITS.match(v) for v in lengths) or len(set(lengths)) != 1:
                raise HTTPError(400, "invalid Content-Length")
            head.content_length = int(lengths[0])


def _status_of(exc: Exception) -> int:
    text = str(exc).lower()
    if "content-length" in text and "overflow" in text:
        return 413
    return 400


def _is_http2_preface(data: bytes, exc: Exception) -> bool:
    """llhttp stops on ``PRI * HTTP/2.0`` with its own "Pause on PRI/Upgrade"."""
    return data.lstrip(b"\r\n").startswith(_H2_PREFACE_LINE) or "PRI/Upgrade" in str(exc)


def _too_large(limit: int) -> str:
    return (
        f"request body larger than {limit} bytes (the limit is the mount's"
        " pref.max_client_body_size, or skitai.run(max_body_size=...) for every mount)"
    )


# -- response framing ------------------------------------------------------------
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
    if status == 101:
        connection = "connection: upgrade\r\n"
    elif not keep_alive:
        connection = "connection: close\r\n"
    elif version == "1.0":
        connection = "connection: keep-alive\r\n"
    else:
        connection = ""
    return b"".join((status_line("1.1", status), preamble, (block + connection).encode("latin-1"), b"\r\n"))


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
    return _head(status, block, keep_alive, version, preamble), send


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
    head = (
        f"content-type: text/plain; charset=utf-8\r\ncontent-length: {len(body)}\r\nconnection: close\r\n"
    ).encode("latin-1")
    return b"".join((status_line("1.1", status), head, preamble, b"\r\n", body))


def chunk_head(size: int) -> bytes:
    """The size line of a chunk whose data is written separately (sendfile)."""
    return b"%x\r\n" % size


def frame_chunk(data: bytes) -> bytes:
    """One chunk of a chunked body (RFC 9112 7.1)."""
    return b"%x\r\n%b\r\n" % (len(data), data)
