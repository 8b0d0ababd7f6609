"""Response framing and the codec's hand-offs without sockets: bytes and
decisions in, bytes and decisions out."""

from __future__ import annotations

import httptools
import pytest

from skitai.config import Limits
from skitai.errors import HTTPError
from skitai.http1.codec import HTTP2Preface, RequestHead, RequestParser
from skitai.http1.framing import (
    CHUNKED,
    CONTENT_LENGTH,
    CONTINUE,
    LAST_CHUNK,
    NO_BODY,
    SWITCHING,
    UNTIL_CLOSE,
    body_framing,
    chunk_head,
    error_response,
    frame_chunk,
    frame_headers,
    stream_head,
    whole_head,
)

DATE = b"date: Thu, 01 Jan 2026 00:00:00 GMT\r\nserver: skitai\r\n"


def whole(
    status: int,
    headers: list[tuple[str, str]],
    body: bytes = b"",
    *,
    head_only: bool = False,
    version: str = "1.1",
    keep_alive: bool = True,
) -> tuple[bytes, bool]:
    block, length, has_te, _close = frame_headers(headers)
    return whole_head(
        status,
        block,
        length,
        has_te,
        len(body),
        head_only=head_only,
        version=version,
        keep_alive=keep_alive,
        preamble=DATE,
    )


def stream(
    status: int,
    headers: list[tuple[str, str]],
    *,
    head_only: bool = False,
    version: str = "1.1",
    keep_alive: bool = True,
    closing: bool = False,
) -> tuple[bytes, str, bool]:
    block, length, has_te, _close = frame_headers(headers)
    return stream_head(
        status,
        block,
        length,
        has_te,
        head_only=head_only,
        version=version,
        keep_alive=keep_alive,
        closing=closing,
        preamble=DATE,
    )


@pytest.mark.parametrize(
    "status,version,length,expected",
    [
        (101, "1.1", None, SWITCHING),
        (100, "1.1", None, NO_BODY),
        (103, "1.1", None, NO_BODY),
        (204, "1.1", None, NO_BODY),
        (304, "1.1", 120, NO_BODY),
        (200, "1.1", 5, CONTENT_LENGTH),
        (200, "1.0", 5, CONTENT_LENGTH),
        (200, "1.1", None, CHUNKED),
        (500, "1.0", None, UNTIL_CLOSE),
    ],
)
def test_body_framing_table(status: int, version: str, length: int | None, expected: str) -> None:
    assert body_framing(status, version, length) == expected


def test_whole_response_is_one_exact_head() -> None:
    head, send = whole(200, [("content-type", "text/plain")], b"hello")
    assert send
    assert head == (b"HTTP/1.1 200 OK\r\n" + DATE + b"content-type: text/plain\r\ncontent-length: 5\r\n\r\n")


def test_whole_response_keeps_an_app_length_that_matches() -> None:
    head, _ = whole(200, [("Content-Length", "5")], b"hello")
    assert head.count(b"ength: 5\r\n") == 1


@pytest.mark.parametrize("headers", [[("Content-Length", "4")], [("Transfer-Encoding", "chunked")]])
def test_whole_response_refuses_framing_that_contradicts_the_body(headers: list[tuple[str, str]]) -> None:
    with pytest.raises(ValueError, match="framing"):
        whole(200, headers, b"hello")


def test_head_answer_sends_no_body_and_no_invented_length() -> None:
    head, send = whole(200, [], b"", head_only=True)
    assert not send and b"content-length" not in head
    # the length of the GET body is kept when the app gives it
    head, send = whole(200, [("Content-Length", "1234")], b"", head_only=True)
    assert not send and b"Content-Length: 1234\r\n" in head
    head, send = whole(200, [], b"abc", head_only=True)
    assert not send and b"content-length: 3\r\n" in head


@pytest.mark.parametrize("status", [204, 304, 100])
def test_statuses_without_body_send_none(status: int) -> None:
    head, send = whole(status, [], b"")
    assert not send and b"content-length" not in head


@pytest.mark.parametrize(
    "version,keep_alive,field",
    [
        ("1.1", True, None),
        ("1.1", False, b"connection: close\r\n"),
        ("1.0", True, b"connection: keep-alive\r\n"),
        ("1.0", False, b"connection: close\r\n"),
    ],
)
def test_connection_field(version: str, keep_alive: bool, field: bytes | None) -> None:
    head, _ = whole(200, [], b"x", version=version, keep_alive=keep_alive)
    if field is None:
        assert b"connection" not in head
    else:
        assert head.endswith(field + b"\r\n")


def test_stream_without_length_is_chunked_in_http11() -> None:
    head, framing, keep_alive = stream(200, [("content-type", "text/plain")])
    assert framing == CHUNKED and keep_alive
    assert head.endswith(b"content-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n")
    head, framing, _ = stream(200, [], head_only=True)
    assert framing == CHUNKED and b"transfer-encoding" not in head


def test_stream_in_http10_ends_with_the_close() -> None:
    head, framing, keep_alive = stream(200, [], version="1.0")
    assert framing == UNTIL_CLOSE and not keep_alive
    assert head.endswith(b"connection: close\r\n\r\n") and b"transfer-encoding" not in head


def test_stream_with_length_and_without_body() -> None:
    assert stream(200, [("content-length", "9")])[1] == CONTENT_LENGTH
    assert stream(304, [])[1] == NO_BODY


def test_switching_protocols_says_upgrade_and_keeps_the_connection() -> None:
    head, framing, keep_alive = stream(101, [("upgrade", "websocket"), ("connection", "upgrade")], keep_alive=False)
    assert framing == SWITCHING and keep_alive
    assert head.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    assert head.count(b"onnection: ") == 1 and head.endswith(b"upgrade: websocket\r\nconnection: upgrade\r\n\r\n")


def test_closing_server_closes_after_the_answer() -> None:
    head, _, keep_alive = stream(200, [], closing=True)
    assert not keep_alive and b"connection: close\r\n" in head


def test_stream_refuses_an_app_transfer_encoding() -> None:
    with pytest.raises(ValueError, match="Transfer-Encoding"):
        stream(200, [("Transfer-Encoding", "gzip")])


def test_error_response_is_complete_and_closes() -> None:
    raw = error_response(400, "invalid Host header", DATE)
    assert raw == (
        b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\n"
        b"content-length: 19\r\nconnection: close\r\n" + DATE + b"\r\ninvalid Host header"
    )


def test_chunks_and_interim_answer() -> None:
    assert frame_chunk(b"hello world") == b"b\r\nhello world\r\n"
    assert chunk_head(4096) == b"1000\r\n"
    assert LAST_CHUNK == b"0\r\n\r\n"
    assert CONTINUE == b"HTTP/1.1 100 Continue\r\n\r\n"


# -- the request side's hand-offs ------------------------------------------------
class Heads:
    def __init__(self, limit: int = 1 << 20) -> None:
        self.heads: list[RequestHead] = []
        self.body = b""
        self.limit = limit
        self.parser = RequestParser(self, Limits())

    def on_head(self, head: RequestHead) -> None:
        self.parser.limit_body(self.limit)
        self.heads.append(head)

    def on_body(self, data: bytes) -> None:
        self.body += data

    def on_end(self) -> None:
        pass


UPGRADE = b"GET /chat HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"


def test_feed_returns_none_for_plain_http() -> None:
    heads = Heads()
    assert heads.parser.feed(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n") is None
    assert len(heads.heads) == 1


def test_feed_returns_the_bytes_after_an_upgrade_head() -> None:
    heads = Heads()
    assert heads.parser.feed(UPGRADE + b"\x81\x05hello") == b"\x81\x05hello"
    assert heads.heads[0].upgrade == "websocket"
    assert Heads().parser.feed(UPGRADE) == b""


def test_upgrade_leftover_is_whole_when_the_input_is_sliced() -> None:
    frames = bytes(range(256)) * 200  # 51200 bytes: the parser takes 16 KiB slices
    assert Heads().parser.feed(UPGRADE + frames) == frames


def test_http2_preface_is_a_clean_505() -> None:
    heads = Heads()
    with pytest.raises(HTTP2Preface) as info:
        heads.parser.feed(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    assert info.value.status == 505 and isinstance(info.value, HTTPError)
    assert "HTTP/2 is not enabled" in info.value.detail and "Pause" not in info.value.detail


@pytest.mark.parametrize(
    "data",
    [
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n",
    ],
)
def test_too_large_names_the_settings(data: bytes) -> None:
    with pytest.raises(HTTPError) as info:
        Heads(limit=10).parser.feed(data)
    assert info.value.status == 413
    assert "larger than 10 bytes" in info.value.detail
    assert "max_client_body_size" in info.value.detail and "max_body_size" in info.value.detail


class Broken(Heads):
    def on_head(self, head: RequestHead) -> None:
        raise LookupError("a bug in the handler")


def test_a_handler_exception_comes_out_as_itself() -> None:
    with pytest.raises(LookupError, match="a bug") as info:
        Broken().parser.feed(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert not isinstance(info.value, httptools.HttpParserError)


def test_http2_preface_split_across_reads_is_still_recognised() -> None:
    parser = Heads().parser
    assert parser.feed(b"PRI * HTTP/2.0\r\n") is None
    with pytest.raises(HTTP2Preface):
        parser.feed(b"\r\nSM\r\n\r\n")
