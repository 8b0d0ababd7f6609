"""Sans-I/O HTTP/1.1 request parsing (the response side is :mod:`.framing`).

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
from typing import Protocol
from urllib.parse import unquote_to_bytes

import httptools

from ..config import Limits
from ..errors import HTTPError
from .framing import frame_headers, status_line

__all__ = [
    "RequestHead",
    "RequestParser",
    "ParserHandler",
    "HTTP2Preface",
    # the response side, re-exported so "the codec" names both directions
    "status_line",
    "frame_headers",
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
            leftover = self._feed(bytes(view[start : start + _SLICE]))
            if leftover is not None:
                return leftover + data[start + _SLICE :]
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
            return data[exc.args[0] :] if exc.args else b""
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
        if b"#" in raw_path:
            raw_path = raw_path.partition(b"#")[0]
        head.raw_path = raw_path
        # PERF: most paths carry no percent-escape; unquote_to_bytes is a
        # Python function that splits and rejoins them (~1 us a request).
        if b"%" in raw_path:
            raw_path = unquote_to_bytes(raw_path)
        head.path = raw_path.decode("utf-8", "surrogateescape")
        head.query = query.decode("latin-1") if query else ""

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
