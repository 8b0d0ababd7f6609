"""An HPACK encoder that never uses the dynamic table, so every field always
encodes to the same bytes and can be cached.

PERF: hpack's own encoder searches and grows the dynamic table for every
field of every response, the largest single cost of sending an answer with
h2.  Answers repeat the same fields (``content-type: text/plain``, ``server:
skitai``, a ``date`` that changes once a second), so a cache of encoded fields
turns a header block into a few dict look-ups.  The price is a little
compression: a repeated field costs its literal bytes (Huffman-coded) instead of
one index byte.  The decoder is told once, at the first block, that our table
size is 0 (RFC 7541 6.3), which also satisfies any later SETTINGS_HEADER_TABLE_SIZE.
"""

from __future__ import annotations

from typing import Any, Iterable

from hpack.hpack import encode_integer
from hpack.huffman import HuffmanEncoder
from hpack.huffman_constants import REQUEST_CODES, REQUEST_CODES_LENGTH
from hpack.struct import NeverIndexedHeaderTuple
from hpack.table import HeaderTable

__all__ = ["StaticEncoder"]

#: encoded fields kept per connection, each at most _LONGEST bytes (16 KiB)
_CACHE_SIZE = 128
_LONGEST = 128
_HUFFMAN = HuffmanEncoder(REQUEST_CODES, REQUEST_CODES_LENGTH)
_FULL: dict[tuple[bytes, bytes], int] = {}
_NAMES: dict[bytes, int] = {}
for _index, (_name, _value) in enumerate(HeaderTable.STATIC_TABLE, start=1):
    _FULL.setdefault((_name, _value), _index)
    _NAMES.setdefault(_name, _index)


def _string(data: bytes) -> bytes:
    coded = _HUFFMAN.encode(data)
    if len(coded) < len(data):
        length = encode_integer(len(coded), 7)
        length[0] |= 0x80
        return bytes(length) + coded
    return bytes(encode_integer(len(data), 7)) + data


def encode_field(name: bytes, value: bytes, never_indexed: bool = False) -> bytes:
    """One field without touching any dynamic table (RFC 7541 6.1 / 6.2.2 / 6.2.3)."""
    if not never_indexed:
        index = _FULL.get((name, value))
        if index is not None:
            head = encode_integer(index, 7)
            head[0] |= 0x80
            return bytes(head)
    flag = 0x10 if never_indexed else 0x00
    index = _NAMES.get(name)
    if index is not None:
        head = encode_integer(index, 4)
        head[0] |= flag
        return bytes(head) + _string(value)
    return bytes([flag]) + _string(name) + _string(value)


class StaticEncoder:
    """Drop-in for ``hpack.Encoder`` as h2 uses it (``encode`` and
    ``header_table_size``)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[bytes, bytes], bytes] = {}
        self._announce = True

    @property
    def header_table_size(self) -> int:
        return 0

    @header_table_size.setter
    def header_table_size(self, value: int) -> None:
        pass  # our table is always empty, within any size the client allows

    def encode(self, headers: Iterable[Any], huffman: bool = True) -> bytes:
        parts: list[bytes] = []
        if self._announce:
            self._announce = False
            parts.append(b"\x20")  # dynamic table size update: 0
        cache = self._cache
        for field in headers:
            if type(field) is NeverIndexedHeaderTuple:
                parts.append(encode_field(field[0], field[1], True))
                continue
            key = (field[0], field[1])
            encoded = cache.get(key)
            if encoded is None:
                encoded = encode_field(key[0], key[1])
                if len(encoded) <= _LONGEST:
                    if len(cache) >= _CACHE_SIZE:
                        cache.clear()
                    cache[key] = encoded
            parts.append(encoded)
        return b"".join(parts)
