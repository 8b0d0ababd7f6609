"""Sans-I/O HTTP/1.1 request parsing and response framing.

Bytes go in through :meth:`RequestParser.feed`; parsed requests come out through
callbacks on a *handler* (``on_head``, ``on_body``, ``on_end``).  No sockets, loop
or clock here, so every framing rule is tested by feeding bytes.

httptools (llhttp, strict mode) does the tokenising and already refuses most
smuggling shapes (RFC 9112 6.3: CL with TE, bad chunk sizes, bare LF, obs-fold,
space before the colon).  What llhttp lets through is checked here: limits,
Host rules (RFC 9112 3.2), Content-Length syntax (digits only), TE in HTTP/1.0,
chunk-extension floods, and the request-target forms.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any, Protocol
from urllib.parse import unquote_to_bytes

import httptools

from ..config import Limits
from ..errors import HTTPError

__all__ = ["RequestHead", "RequestParser", "ParserHandler", "status_line", "frame_headers"]

_HOST = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]{0,5})?$")
_DIGITS = re.compile(r"^[0-9]{1,18}$")
#: bytes of chunk-size line and CRLFs we tolerate per chunk, beyond its extension
_CHUNK_FRAMING = 40
_METHOD_TOKEN = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32}$")
#: the header fields that decide framing; everything else is skipped with one lookup
_FRAMING_FIELDS = {"host": 1, "content-length": 2, "transfer-encoding": 3, "expect": 4, "upgrade": 5}
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


class ParserHandler(Protocol):
    def body_limit(self, head: RequestHead) -> int:
        """The largest body accepted for this request (the mount decides)."""
        ...

    def on_head(self, head: RequestHead) -> None: ...

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
    def feed(self, data: bytes) -> None:
        """Parse bytes.  Raises HTTPError for anything the client got wrong,
        ``httptools.HttpParserUpgrade`` (offset in ``args[0]``) on an Upgrade."""
        if len(data) <= _SLICE:
            self._feed(data)
            return
        # NOTE: llhttp reports neither chunk extensions nor how far it got, so
        # large inputs go in slices and the chunked framing overhead is bounded
        # after each one (a 1 MiB extension is refused after a few slices).
        view = memoryview(data)
        for start in range(0, len(data), _SLICE):
            self._feed(bytes(view[start:start + _SLICE]))

    def _feed(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            cause = exc.__context__
            if isinstance(cause, HTTPError):
                raise cause from None
            raise
        except httptools.HttpParserUpgrade:
            raise
        except httptools.HttpParserInvalidMethodError as exc:
            # RFC 9110 9.1: a well-formed method we do not know is 501, garbage is 400
            method = data.lstrip(b"\r\n").split(b" ", 1)[0]
            if _METHOD_TOKEN.match(method) and b" " in data:
                raise HTTPError(501, f"method {method.decode('ascii')} is not implemented") from None
            raise HTTPError(400, f"invalid method: {exc}") from None
        except httptools.HttpParserInvalidURLError as exc:
            raise HTTPError(400, f"invalid request target: {exc}") from None
        except httptools.HttpParserError as exc:
            raise HTTPError(_status_of(exc), f"malformed request: {exc}") from None
        if self._chunked:
            self._fed_in_body += len(data)
            overhead = self._fed_in_body - self._body_bytes
            allowed = (
                self._chunks * _CHUNK_FRAMING + self.limits.max_chunk_extension + self.limits.max_header_size + _SLICE
            )
            if overhead > allowed:
                raise HTTPError(400, "chunk extensions or trailers too large")

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
        self._body_limit = self.handler.body_limit(head)
        if head.content_length is not None and head.content_length > self._body_limit:
            raise HTTPError(413, f"request body larger than {self._body_limit} bytes")
        self._head = head
        self._chunked = head.chunked
        self.in_body = head.has_body
        self.handler.on_head(head)

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        if self._body_bytes > self._body_limit:
            raise HTTPError(413, f"request body larger than {self._body_limit} bytes")
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
            if kind == 1:
                hosts += 1
                if not _HOST.match(value.strip()):
                    raise HTTPError(400, "invalid Host header")
            elif kind == 2:
                lengths.extend(v.strip(" \t") for v in value.split(","))
            elif kind == 3:
                codings.extend(v.strip(" \t").lower() for v in value.split(","))
            elif kind == 4:
                if value.strip(" \t").lower() == "100-continue":
                    head.expect_continue = True
                else:
                    raise HTTPError(417, f"unsupported expectation: {value.strip()}", close=False)
            else:
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


# -- response framing ------------------------------------------------------------
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


def frame_headers(headers: Any) -> tuple[str, int | None, bool, bool]:
    """Join app header fields into one block, refusing CR, LF and NUL anywhere.

    Returns (block, content_length or None, has_transfer_encoding, close).
    Hop-by-hop ``Connection``/``Keep-Alive`` fields are the engine's to write
    (RFC 9112 9.6): they are left out, and an app's ``Connection: close`` is
    reported as ``close``.  Raises ValueError when a field would split the
    response (uvicorn CVE-2020-7695).
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
            if kind == 1:
                length = int(value)
            elif kind == 2:
                has_te = True
            else:
                close = close or "close" in value.lower()
                continue
        lines.append(f"{name}: {value}\r\n")
    block = "".join(lines)
    count = len(lines)
    if block.count("\r") != count or block.count("\n") != count or "\x00" in block:
        raise ValueError("CR, LF or NUL in a response header")
    return block, length, has_te, close


_RESPONSE_FIELDS = {"content-length": 1, "transfer-encoding": 2, "connection": 3, "keep-alive": 4}
