"""Request parsing without sockets: every framing rule is a few bytes in."""

from __future__ import annotations

import pytest

from skitai.config import Limits
from skitai.errors import HTTPError
from skitai.http1.codec import RequestHead, RequestParser, frame_headers, status_line


class Recorder:
    def __init__(self, limit: int = 1024) -> None:
        self.heads: list[RequestHead] = []
        self.bodies: list[bytes] = []
        self.ends = 0
        self.limit = limit
        self.parser: RequestParser | None = None

    def on_head(self, head: RequestHead) -> None:
        # as the protocol does: the matched mounts' limit, set before any body byte
        assert self.parser is not None
        self.parser.limit_body(self.limit)
        self.heads.append(head)
        self.bodies.append(b"")

    def on_body(self, data: bytes) -> None:
        self.bodies[-1] += data

    def on_end(self) -> None:
        self.ends += 1


def parse(data: bytes, limits: Limits | None = None, limit: int = 1024) -> Recorder:
    recorder = Recorder(limit)
    recorder.parser = RequestParser(recorder, limits or Limits())
    recorder.parser.feed(data)
    return recorder


def refused(data: bytes, limits: Limits | None = None) -> HTTPError:
    with pytest.raises(HTTPError) as info:
        parse(data, limits)
    return info.value


def test_simple_get() -> None:
    rec = parse(b"GET /a%20b?x=1&y=%41 HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\n\r\n")
    (head,) = rec.heads
    assert head.method == "GET"
    assert head.path == "/a b"
    assert head.raw_path == b"/a%20b"
    assert head.query == "x=1&y=%41"
    assert head.headers == [("host", "example.com"), ("x-a", "1")]
    assert head.keep_alive and rec.ends == 1


def test_content_length_body() -> None:
    rec = parse(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
    assert rec.bodies == [b"hello"] and rec.heads[0].content_length == 5


def test_chunked_body_with_extension_and_trailer() -> None:
    rec = parse(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3;name=value\r\nhel\r\n2\r\nlo\r\n0\r\nX-Trailer: 1\r\n\r\n"
    )
    assert rec.bodies == [b"hello"] and rec.heads[0].chunked and rec.ends == 1


def test_pipelined_requests_in_one_feed() -> None:
    rec = parse(b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n")
    assert [h.path for h in rec.heads] == ["/1", "/2"]


def test_http10_defaults_to_close() -> None:
    rec = parse(b"GET / HTTP/1.0\r\n\r\n")
    assert rec.heads[0].version == "1.0" and not rec.heads[0].keep_alive


def test_absolute_form_target() -> None:
    rec = parse(b"GET http://example.com/x?y=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
    assert rec.heads[0].path == "/x" and rec.heads[0].query == "y=1"


def test_expect_continue_flag() -> None:
    rec = parse(b"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")
    assert rec.heads[0].expect_continue


BAD_FRAMING = [
    ("cl_and_te", b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n"),
    ("cl_differ", b"Content-Length: 5\r\nContent-Length: 6\r\n"),
    ("cl_list_differ", b"Content-Length: 5, 6\r\n"),
    ("cl_plus", b"Content-Length: +5\r\n"),
    ("cl_hex", b"Content-Length: 0x5\r\n"),
    ("cl_negative", b"Content-Length: -5\r\n"),
    ("cl_underscore", b"Content-Length: 1_0\r\n"),
    ("cl_fullwidth", "Content-Length: \uff15\r\n".encode("utf-8")),
    ("te_not_final", b"Transfer-Encoding: chunked, identity\r\n"),
    ("te_duplicate", b"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n"),
    ("te_unknown", b"Transfer-Encoding: xchunked\r\n"),
    ("te_vtab", b"Transfer-Encoding: \x0bchunked\r\n"),
    ("te_space_before_colon", b"Transfer-Encoding : chunked\r\n"),
    ("cl_space_before_colon", b"Content-Length : 5\r\n"),
    ("bare_cr", b"X-A: a\rTransfer-Encoding: chunked\r\n"),
    ("bare_lf", b"X-A: a\nTransfer-Encoding: chunked\r\n"),
    ("obs_fold", b"X-A: a\r\n Transfer-Encoding: chunked\r\n"),
    ("name_space", b"Bad Name: x\r\n"),
    ("nul_value", b"X-A: a\x00b\r\n"),
    ("host_invalid", b"Host: a b/c\r\n"),
    ("host_duplicate", b"Host: b\r\n"),
]


@pytest.mark.parametrize("name,fields", BAD_FRAMING, ids=[n for n, _ in BAD_FRAMING])
def test_bad_framing_is_400_and_closes(name: str, fields: bytes) -> None:
    host = b"" if name == "host_invalid" else b"Host: a\r\n"
    error = refused(b"POST / HTTP/1.1\r\n" + host + fields + b"\r\nhello")
    assert error.status in (400, 501) and error.close


def test_missing_host_on_http11() -> None:
    assert refused(b"GET / HTTP/1.1\r\n\r\n").status == 400


def test_te_in_http10() -> None:
    assert refused(b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").status == 400


@pytest.mark.parametrize(
    "chunk",
    [
        b"zz\r\nhello\r\n0\r\n\r\n",
        b"0x5\r\nhello\r\n0\r\n\r\n",
        b"+5\r\nhello\r\n0\r\n\r\n",
        b"0_5\r\nhello\r\n0\r\n\r\n",
        b" 5\r\nhello\r\n0\r\n\r\n",
        b"5\nhello\r\n0\r\n\r\n",
        b"5;a\nb\r\nhello\r\n0\r\n\r\n",
        b"5\r\nhelloXX0\r\n\r\n",
        b"10000000000000005\r\nhello",
    ],
)
def test_bad_chunks(chunk: bytes) -> None:
    error = refused(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk)
    assert error.status in (400, 413)


def test_huge_chunk_extension_is_refused_before_the_end() -> None:
    recorder = Recorder()
    parser = recorder.parser = RequestParser(recorder, Limits())
    parser.feed(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n")
    with pytest.raises(HTTPError) as info:
        for _ in range(64):
            parser.feed(b"5;" + b"e" * 16384)
    assert info.value.status == 400


def test_many_tiny_chunks_are_fine() -> None:
    data = b"1\r\nx\r\n" * 5000 + b"0\r\n\r\n"
    rec = parse(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + data, limit=10_000)
    assert rec.bodies == [b"x" * 5000]


@pytest.mark.parametrize(
    "line",
    [b"GE(T / HTTP/1.1", b"GET / HTTP/1.x", "GET / HTTP/1.\U0001d7cf".encode(), b"GET /\x00 HTTP/1.1", b"GET /"],
)
def test_bad_request_lines(line: bytes) -> None:
    with pytest.raises(HTTPError) as info:
        parse(line + b"\r\nHost: a\r\n\r\n")
    assert info.value.status in (400, 505)


def test_unsupported_version() -> None:
    assert refused(b"GET / HTTP/3.0\r\nHost: a\r\n\r\n").status in (400, 505)


def test_limits() -> None:
    limits = Limits(max_request_line=100, max_header_size=200, max_headers=5)
    assert refused(b"GET /" + b"a" * 200 + b" HTTP/1.1\r\n\r\n", limits).status == 414
    assert refused(b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"a" * 300 + b"\r\n\r\n", limits).status == 431
    many = b"".join(b"X-%d: 1\r\n" % i for i in range(10))
    assert refused(b"GET / HTTP/1.1\r\nHost: a\r\n" + many + b"\r\n", limits).status == 431


def test_body_limit_by_content_length_and_by_chunks() -> None:
    assert refused(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n").status == 413
    chunked = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + b"400\r\n" + b"x" * 1024 + b"\r\n"
    assert refused(chunked * 1 + b"400\r\n" + b"x" * 1024 + b"\r\n").status == 413


def test_unknown_expectation_is_417() -> None:
    assert refused(b"GET / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n").status == 417


def test_frame_headers_refuses_crlf_and_nul() -> None:
    for bad in ("a\r\nX-Injected: yes", "a\nX: y", "a\rX: y", "a\x00b"):
        with pytest.raises(ValueError):
            frame_headers([("x-echo", bad)])
    block, length, te, close = frame_headers([("Content-Length", "5"), ("x", "y")])
    assert block == "Content-Length: 5\r\nx: y\r\n" and length == 5 and not te and not close


def test_frame_headers_keeps_hop_by_hop_fields_for_the_engine() -> None:
    block, _, _, close = frame_headers([("Connection", "close"), ("Keep-Alive", "timeout=5"), ("x", "y")])
    assert block == "x: y\r\n" and close


def test_status_line_cache() -> None:
    assert status_line("1.1", 404) == b"HTTP/1.1 404 Not Found\r\n"
    assert status_line("1.1", 599) == b"HTTP/1.1 599 Unknown\r\n"


def test_huge_chunk_extension_in_one_write_is_refused() -> None:
    data = (
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;"
        + b"a" * (1 << 20)
        + b"\r\nhello\r\n0\r\n\r\n"
    )
    assert refused(data).status == 400


def test_large_single_chunk_in_one_write_is_fine() -> None:
    body = b"x" * 300_000
    data = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%b\r\n0\r\n\r\n" % (len(body), body)
    assert parse(data, limit=1 << 20).bodies == [body]


def test_unknown_but_well_formed_method_is_501() -> None:
    error = refused(b"BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n")
    assert error.status == 501 and "BREW" in error.detail
