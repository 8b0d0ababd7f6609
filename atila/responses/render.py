"""Turn whatever a handler returned into a :class:`Response`.

A table of kinds, checked cheapest first (PERF: ``type(value) is str`` and
``dict`` cover nearly every request, so they are tested before anything else):

======================  ==============================================
str                     ``text/html; charset=utf-8``
bytes                   ``application/octet-stream``
dict, list              JSON (orjson)
Response (API, File..)  as is
None                    empty body
generator, iterator     streamed (sync ones iterated in the thread pool)
async generator         streamed on the loop
file-like (``read``)    streamed, closed at the end
int, float, bool        their text
======================  ==============================================
"""

from __future__ import annotations

from typing import Any

from .api import JSON_TYPE, dumps_json
from .base import Response

__all__ = ["to_response", "HTML_TYPE"]

HTML_TYPE = "text/html; charset=utf-8"
_HTML = [("Content-Type", HTML_TYPE)]
_JSON = [("Content-Type", JSON_TYPE)]
_OCTETS = [("Content-Type", "application/octet-stream")]
_TEXT = [("Content-Type", "text/plain; charset=utf-8")]


def to_response(value: Any) -> Response:
    """The response for a handler's return value (status left to the context).

    Raises:
        TypeError: a value no client could be sent (named in the message).
    """
    kind = type(value)
    if kind is str:
        return Response(None, value.encode("utf-8"), _HTML)
    if kind is dict or kind is list:
        return Response(None, dumps_json(value), _JSON)
    if isinstance(value, Response):
        return value
    if value is None:
        return Response(None, b"", None)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return Response(None, bytes(value), _OCTETS)
    if isinstance(value, str):
        return Response(None, value.encode("utf-8"), _HTML)
    if isinstance(value, (dict, list, tuple)):
        return Response(None, dumps_json(value), _JSON)
    if isinstance(value, (int, float)):
        return Response(None, str(value).encode("ascii"), _TEXT)
    if hasattr(value, "__aiter__") or hasattr(value, "__next__") or hasattr(value, "read"):
        return Response(None, value, _HTML)
    raise TypeError(f"a handler cannot return {kind.__name__!s} ({value!r:.80})")
