"""Conditional requests (304/412) and ranges (206/416), as pure rules and through the mount."""

from __future__ import annotations

from typing import Any

import pytest

from skitai.static.conditional import (
    MAX_RANGES,
    UNSATISFIABLE,
    evaluate_preconditions,
    multipart_parts,
    parse_http_date,
    parse_ranges,
    select_ranges,
)
from skitai.static.files import http_date

ETAG = '"abc-10"'
MTIME = 784111777  # Sun, 06 Nov 1994 08:49:37 GMT
LAST_MODIFIED = "Sun, 06 Nov 1994 08:49:37 GMT"


# -- dates -------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
    ],
)
def test_all_three_http_date_formats_parse(value: str) -> None:
    assert parse_http_date(value) == MTIME


@pytest.mark.parametrize("value", ["", "yesterday", "Sun, 99 Foo 1994 99:99:99 GMT"])
def test_invalid_date_is_none(value: str) -> None:
    assert parse_http_date(value) is None


def test_http_date_round_trips() -> None:
    assert http_date(MTIME) == LAST_MODIFIED


# -- preconditions -----------------------------------------------------------
@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"if-none-match": ETAG}, 304),
        ({"if-none-match": "W/" + ETAG}, 304),  # weak comparison
        ({"if-none-match": '"other", ' + ETAG}, 304),
        ({"if-none-match": "*"}, 304),
        ({"if-none-match": '"other"'}, None),
        ({"if-modified-since": LAST_MODIFIED}, 304),
        ({"if-modified-since": "Sat, 05 Nov 1994 08:49:37 GMT"}, None),
        ({"if-modified-since": "garbage"}, None),
        # If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3)
        ({"if-none-match": '"other"', "if-modified-since": LAST_MODIFIED}, None),
        ({"if-match": ETAG}, None),
        ({"if-match": "*"}, None),
        ({"if-match": '"other"'}, 412),
        ({"if-match": "W/" + ETAG}, 412),  # strong comparison
        ({"if-unmodified-since": "Sat, 05 Nov 1994 08:49:37 GMT"}, 412),
        ({"if-unmodified-since": LAST_MODIFIED}, None),
        ({"if-unmodified-since": "garbage"}, None),
        ({"if-match": ETAG, "if-unmodified-since": "Sat, 05 Nov 1994 08:49:37 GMT"}, None),
    ],
)
def test_precondition_outcome(fields: dict[str, str], expected: int | None) -> None:
    assert evaluate_preconditions(fields, ETAG, MTIME) == expected


# -- range parsing -----------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ("bytes=0-9", [(0, 9)]),
        ("bytes=90-", [(90, 99)]),
        ("bytes=-10", [(90, 99)]),
        ("bytes=-1000", [(0, 99)]),
        ("bytes=50-1000", [(50, 99)]),
        ("BYTES = 0-0", [(0, 0)]),
        ("bytes=0-9, 20-29", [(0, 9), (20, 29)]),
        ("bytes=20-29,0-9", [(0, 9), (20, 29)]),
        ("bytes=0-9,5-19,20-29", [(0, 29)]),  # overlapping and adjacent merge
        ("bytes=0-99,0-99,0-99", [(0, 99)]),
        ("bytes=0-9,,", [(0, 9)]),
        ("bytes=0-9,200-300", [(0, 9)]),
        ("bytes=0-99999999999999999999999999", [(0, 99)]),
    ],
)
def test_satisfiable_ranges(value: str, expected: list[tuple[int, int]]) -> None:
    assert parse_ranges(value, 100) == expected


@pytest.mark.parametrize(
    "value",
    [
        "bytes=100-",
        "bytes=100-200",
        "bytes=-0",
        "bytes=99999999999999999999999-",
    ],
)
def test_unsatisfiable_ranges(value: str) -> None:
    assert parse_ranges(value, 100) == UNSATISFIABLE


def test_any_range_of_an_empty_file_is_unsatisfiable() -> None:
    assert parse_ranges("bytes=-5", 0) == UNSATISFIABLE
    assert parse_ranges("bytes=0-", 0) == UNSATISFIABLE


@pytest.mark.parametrize(
    "value",
    [
        "items=0-9",
        "bytes",
        "bytes=",
        "bytes=9-0",
        "bytes=a-b",
        "bytes=0-9,x",
        "bytes=--5",
        "bytes=5",
        "bytes=+1-2",
        "bytes=0x1-2",
        "bytes=\u0661-\u0662",
        "bytes=0-9, bytes=10-19",
    ],
)
def test_invalid_range_is_ignored(value: str) -> None:
    assert parse_ranges(value, 100) is None


def test_too_many_ranges_are_ignored() -> None:
    many = ",".join(f"{i}-{i}" for i in range(0, 2 * (MAX_RANGES + 1), 2))
    assert parse_ranges("bytes=" + many, 1000) is None
    allowed = ",".join(f"{i}-{i}" for i in range(0, 2 * MAX_RANGES, 2))
    assert len(parse_ranges("bytes=" + allowed, 1000) or []) == MAX_RANGES


# -- If-Range ----------------------------------------------------------------
@pytest.mark.parametrize(
    "if_range, expected",
    [
        (ETAG, [(0, 9)]),
        ('"other"', None),
        ("W/" + ETAG, None),  # a weak tag never satisfies If-Range
        (LAST_MODIFIED, [(0, 9)]),
        ("Sat, 05 Nov 1994 08:49:37 GMT", None),
    ],
)
def test_if_range(if_range: str, expected: Any) -> None:
    fields = {"range": "bytes=0-9", "if-range": if_range}
    assert select_ranges(fields, 100, ETAG, LAST_MODIFIED) == expected


def test_no_range_field_means_whole_file() -> None:
    assert select_ranges({"if-range": ETAG}, 100, ETAG, LAST_MODIFIED) is None


def test_multipart_pieces_frame_each_range() -> None:
    pieces = list(multipart_parts([(0, 1), (5, 6)], 10, "text/plain", "B"))
    assert pieces == [
        b"--B\r\ncontent-type: text/plain\r\ncontent-range: bytes 0-1/10\r\n\r\n",
        (0, 2),
        b"\r\n",
        b"--B\r\ncontent-type: text/plain\r\ncontent-range: bytes 5-6/10\r\n\r\n",
        (5, 2),
        b"\r\n",
        b"--B--\r\n",
    ]


# -- through the mount -------------------------------------------------------
def parse_multipart(response: Any) -> list[tuple[str, bytes]]:
    """(content-range, data) of each part of a multipart/byteranges body."""
    content_type = response.header("content-type")
    assert content_type.startswith("multipart/byteranges; boundary=")
    boundary = content_type.split("boundary=")[1].encode()
    body = response.body
    assert body.endswith(b"--" + boundary + b"--\r\n")
    parts = []
    for chunk in body.split(b"--" + boundary)[1:-1]:
        head, _, data = chunk.partition(b"\r\n\r\n")
        assert data.endswith(b"\r\n")
        fields = dict(line.split(": ", 1) for line in head.decode().strip().split("\r\n"))
        parts.append((fields["content-range"], data[:-2]))
    return parts


def test_304_carries_validators_and_cache_control(tree: Any, fetch: Any) -> None:
    from skitai.static.mount import StaticMount

    mount = StaticMount("/static", str(tree.root), max_ages=[("/static", 60)])
    etag = fetch("/static/hello.txt", on=mount).header("etag")
    response = fetch("/static/hello.txt", [("If-None-Match", etag)], on=mount)
    assert response.status == 304
    assert response.body == b""
    assert response.header("etag") == etag
    assert response.header("cache-control") == "max-age=60"


def test_304_from_if_modified_since(fetch: Any) -> None:
    last_modified = fetch("/static/hello.txt").header("last-modified")
    assert fetch("/static/hello.txt", [("If-Modified-Since", last_modified)]).status == 304


@pytest.mark.parametrize("name", ["hello.txt", "data.bin"])
def test_412_when_if_match_fails(fetch: Any, name: str) -> None:
    assert fetch("/static/" + name, [("If-Match", '"nope"')]).status == 412


@pytest.mark.parametrize("name", ["hello.txt", "data.bin"])
def test_single_range_is_206(fetch: Any, tree: Any, name: str) -> None:
    content = (tree.root / name).read_bytes()
    response = fetch("/static/" + name, [("Range", "bytes=2-5")])
    assert response.status == 206
    assert response.body == content[2:6]
    assert response.header("content-range") == f"bytes 2-5/{len(content)}"


def test_suffix_range_of_large_file(fetch: Any, tree: Any) -> None:
    response = fetch("/static/data.bin", [("Range", "bytes=-100")])
    assert response.status == 206
    assert response.body == tree.large[-100:]
    assert response.header("content-length") == "100"


@pytest.mark.parametrize("name", ["hello.txt", "data.bin"])
def test_several_ranges_are_multipart(fetch: Any, tree: Any, name: str) -> None:
    content = (tree.root / name).read_bytes()
    size = len(content)
    response = fetch("/static/" + name, [("Range", "bytes=0-1,-3")])
    assert response.status == 206
    assert parse_multipart(response) == [
        (f"bytes 0-1/{size}", content[0:2]),
        (f"bytes {size - 3}-{size - 1}/{size}", content[-3:]),
    ]
    if response.header("content-length") is not None:  # streamed answers state it
        assert int(response.header("content-length")) == len(response.body)


def test_overlapping_ranges_never_exceed_the_file(fetch: Any, tree: Any) -> None:
    response = fetch("/static/data.bin", [("Range", "bytes=" + ",".join(["0-"] * MAX_RANGES))])
    assert response.status == 206
    assert response.body == tree.large


def test_unsatisfiable_range_is_416(fetch: Any, tree: Any) -> None:
    response = fetch("/static/data.bin", [("Range", "bytes=999999999-")])
    assert response.status == 416
    assert response.header("content-range") == f"bytes */{len(tree.large)}"


def test_stale_if_range_sends_the_whole_file(fetch: Any) -> None:
    response = fetch("/static/hello.txt", [("Range", "bytes=0-1"), ("If-Range", '"old"')])
    assert response.status == 200
    assert response.body == b"hello world\n"


def test_current_if_range_keeps_the_range(fetch: Any) -> None:
    etag = fetch("/static/hello.txt").header("etag")
    response = fetch("/static/hello.txt", [("Range", "bytes=0-1"), ("If-Range", etag)])
    assert response.status == 206
    assert response.body == b"he"


def test_head_ignores_range(fetch: Any) -> None:
    response = fetch("/static/hello.txt", [("Range", "bytes=0-1")], method="HEAD")
    assert response.status == 200


def test_repeated_range_fields_are_ignored(fetch: Any) -> None:
    response = fetch("/static/hello.txt", [("Range", "bytes=0-1"), ("Range", "bytes=2-3")])
    assert response.status == 200
