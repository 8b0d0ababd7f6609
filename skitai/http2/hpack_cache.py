"""An HPACK decoder that remembers header blocks it has seen.

PERF: a client repeats itself: the second and later requests for the same
resource are the same bytes (every field an index into the tables), and
decoding them is most of what receiving a request costs with h2.  A block that
did not change the dynamic table decodes to the same fields for as long as the
table stays as it is, so its result is kept under its bytes, tagged with the
table's generation; any block that changes the table starts a new generation.
"""

from __future__ import annotations

from typing import Any

from hpack import Decoder

__all__ = ["CachingDecoder"]

#: header blocks kept per connection (at most 16 KiB with _LONGEST: bounded
#: memory even for a client that sends nothing but distinct blocks)
_CACHE_SIZE = 32
#: longer blocks are decoded every time (a repeated request, every field an
#: index, is a few dozen bytes)
_LONGEST = 512


class CachingDecoder(Decoder):
    def __init__(self, max_header_list_size: int) -> None:
        super().__init__(max_header_list_size)
        self._cache: dict[bytes, tuple[int, list[Any]]] = {}
        self._generation = 0

    def _table_state(self) -> tuple[int, int, int, int]:
        table = self.header_table
        entries = table.dynamic_entries
        return (len(entries), id(entries[0]) if entries else 0, table.maxsize, table._current_size)

    def decode(self, data: bytes, raw: bool = False) -> Any:
        if not raw or len(data) > _LONGEST:
            return super().decode(data, raw)
        key = bytes(data)
        hit = self._cache.get(key)
        if hit is not None and hit[0] == self._generation:
            return list(hit[1])
        before = self._table_state()
        headers = list(super().decode(data, raw=True))
        if self._table_state() != before:
            self._generation += 1
        else:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = (self._generation, headers)
        return list(headers)
