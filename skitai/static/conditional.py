"""Conditional and range requests for static files (RFC 9110 sections 13 and 14).

Pure functions over header values and a file's validators, so every rule is
testable without files or a server.  The static mount calls
:func:`evaluate_preconditions` first (304 / 412), then :func:`select_ranges`
(206 / 416 / whole file), then builds a multipart body with
:func:`multipart_parts` when several ranges survive.
"""

from __future__ import annotations

import secrets
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Iterator

__all__ = [
    "MAX_RANGES",
    "CONDITIONAL_HEADERS",
    "UNSATISFIABLE",
    "evaluate_preconditions",
    "parse_http_date",
    "parse_ranges",
    "select_ranges",
    "multipart_parts",
    "new_boundary",
]

#: more ranges than this in one request and the whole file is sent instead
#: (RFC 9110 14.2 lets a server ignore a Range it finds abusive)
MAX_RANGES = 16

#: request fields this module reads; the mount collects them in one pass
CONDITIONAL_HEADERS = frozenset(
    {"if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "range", "if-range"}
)

#: ``parse_ranges`` result for a syntactically fine but unsatisfiable Range (416)
UNSATISFIABLE: list[tuple[int, int]] = []

# Digits beyond this many are clamped: Python refuses to parse very long
# integers (int_max_str_digits) and no file is this large anyway.
_MAX_DIGITS = 18
_HUGE = 10**_MAX_DIGITS


def parse_http_date(value: str) -> int | None:
    """Seconds since the epoch for an HTTP date, None when it is not one.

    An invalid date makes its header ignored (RFC 9110 13.1.3/13.1.4).
    """
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        # RFC 9110 5.6.7: HTTP dates are UTC even in the obsolete formats.
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _opaque(tag: str) -> str:
    """The opaque part of an entity tag, for weak comparison."""
    return tag[2:] if tag.startswith("W/") else tag


def _tag_list_matches(value: str, etag: str, weak: bool) -> bool:
    """Does the If-Match / If-None-Match list match ``etag``?"""
    value = value.strip()
    if value == "*":
        return True
    target = _opaque(etag) if weak else etag
    for candidate in value.split(","):
        candidate = candidate.strip()
        if weak:
            candidate = _opaque(candidate)
        elif candidate.startswith("W/"):
            continue  # strong comparison never matches a weak tag (RFC 9110 8.8.3.2)
        if candidate == target:
            return True
    return False


def evaluate_preconditions(fields: dict[str, str], etag: str, mtime: int) -> int | None:
    """The status a GET/HEAD precondition forces (304 or 412), or None to go on.

    Follows the evaluation order of RFC 9110 13.2.2: If-Match, else
    If-Unmodified-Since; then If-None-Match, else If-Modified-Since.
    ``mtime`` is the file's modification time in whole seconds.
    """
    if_match = fields.get("if-match")
    if if_match is not None:
        if not _tag_list_matches(if_match, etag, weak=False):
            return 412
    else:
        if_unmodified = fields.get("if-unmodified-since")
        if if_unmodified is not None:
            limit = parse_http_date(if_unmodified)
            if limit is not None and mtime > limit:
                return 412
    if_none_match = fields.get("if-none-match")
    if if_none_match is not None:
        if _tag_list_matches(if_none_match, etag, weak=True):
            return 304
        return None
    if_modified = fields.get("if-modified-since")
    if if_modified is not None:
        since = parse_http_date(if_modified)
        if since is not None and mtime <= since:
            return 304
    return None


def _position(text: str) -> int | None:
    if not (text.isascii() and text.isdigit()):
        return None
    return _HUGE if len(text) > _MAX_DIGITS else int(text)


def parse_ranges(value: str, size: int) -> list[tuple[int, int]] | None:
    """Byte ranges (inclusive ``(first, last)``) of a Range field for ``size`` bytes.

    Returns None when the field is to be ignored (other unit, bad syntax, more
    than :data:`MAX_RANGES` specs: the whole file is sent), :data:`UNSATISFIABLE`
    (an empty list) when no spec overlaps the file (416), else the ranges
    sorted and with overlapping or adjacent ones merged, so overlapping specs
    can never make the answer larger than the file (RFC 9110 14.6 allows it).

    >>> parse_ranges("bytes=0-99,-100", 1000)
    [(0, 99), (900, 999)]
    """
    unit, sep, specs = value.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    items = [item.strip() for item in specs.split(",")]
    items = [item for item in items if item]  # RFC 9110 5.6.1: empty list elements are allowed
    if not items or len(items) > MAX_RANGES:
        return None
    ranges: list[tuple[int, int]] = []
    for item in items:
        first_text, dash, last_text = item.partition("-")
        if not dash:
            return None
        first_text, last_text = first_text.strip(), last_text.strip()
        if not first_text:  # suffix range: the last N bytes
            length = _position(last_text)
            if length is None:
                return None
            if length > 0 and size > 0:
                ranges.append((max(0, size - length), size - 1))
            continue
        first = _position(first_text)
        if first is None:
            return None
        if last_text:
            last = _position(last_text)
            if last is None or last < first:
                return None  # RFC 9110 14.1.1: an invalid range-spec invalidates the field
        else:
            last = size - 1
        if first < size:
            ranges.append((first, min(last, size - 1)))
    if not ranges:
        return UNSATISFIABLE
    ranges.sort()
    merged = [ranges[0]]
    for first, last in ranges[1:]:
        prev_first, prev_last = merged[-1]
        if first <= prev_last + 1:
            merged[-1] = (prev_first, max(prev_last, last))
        else:
            merged.append((first, last))
    return merged


def select_ranges(fields: dict[str, str], size: int, etag: str, last_modified: str) -> list[tuple[int, int]] | None:
    """Apply Range and If-Range for a GET: the ranges to send, [] for 416, None for 200.

    If-Range (RFC 9110 13.1.5) keeps the Range only when its validator still
    matches: an entity tag by strong comparison, a date only when it equals
    Last-Modified exactly.
    """
    range_value = fields.get("range")
    if range_value is None:
        return None
    if_range = fields.get("if-range")
    if if_range is not None:
        if_range = if_range.strip()
        if if_range.startswith(('"', "W/")):
            if if_range != etag:  # a weak tag never matches strongly
                return None
        elif if_range != last_modified:
            return None
    return parse_ranges(range_value, size)


def new_boundary() -> str:
    """A multipart boundary that will not appear in the file by chance."""
    return secrets.token_hex(16)


def multipart_parts(
    ranges: list[tuple[int, int]], size: int, content_type: str, boundary: str
) -> Iterator[bytes | tuple[int, int]]:
    """The multipart/byteranges body (RFC 9110 14.6) as bytes and (offset, count) pieces.

    The caller fills each (offset, count) from the file, from memory or with
    sendfile; summing ``len`` of the bytes and the counts gives Content-Length.
    """
    for first, last in ranges:
        yield (
            f"--{boundary}\r\ncontent-type: {content_type}\r\ncontent-range: bytes {first}-{last}/{size}\r\n\r\n"
        ).encode("latin-1")
        yield (first, last - first + 1)
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode("latin-1")
