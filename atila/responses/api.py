"""API and Fault: data answers, JSON by default and XML when ``Accept`` asks.

``context.API(name="Hans")``, ``context.API({"name": "Hans"})`` and
``context.API("201 Created", url=...)`` answer data; ``context.Fault("400 Bad
Request", "missing parameter", 10021)`` answers an error body
``{"message": ..., "code": ...}`` (documented under "JSON API Response").
JSON is encoded with orjson (PERF: bytes straight to the responder).
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import json
import traceback as traceback_module
import uuid
from typing import Any
from xml.sax.saxutils import escape

import orjson

from .base import Response

__all__ = ["API", "Fault", "dumps_json", "JSON_HEADERS", "UnencodableValue"]

JSON_TYPE = "application/json"
JSON_HEADERS = [("Content-Type", JSON_TYPE)]
_XML_TYPES = ("application/xml", "text/xml")


class UnencodableValue(TypeError):
    """A value in a JSON answer that has no JSON form; names its place and type.

    Why not ``str(value)`` or ``vars(value)``: the client would get a 200 with
    ``"<object object at 0x...>"`` or ``{}`` where data was meant, and nobody
    would be told.  The request answers 500 with this message instead.
    """

    def __init__(self, path: tuple[Any, ...], value: Any) -> None:
        #: the keys and indexes leading to the value, outermost first
        self.path = path
        self.type_name = type(value).__qualname__
        keys = [key for key in path if not isinstance(key, int)]
        under = f" under key {keys[-1]!r}" if keys else ""
        super().__init__(
            f"cannot encode {self.type_name}{under} (at {_json_path(path)}) as JSON; return a str, "
            "number, list or dict there, or give the class a to_dict() method"
        )


def _json_path(path: tuple[Any, ...]) -> str:
    parts = ["$"]
    for key in path:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif isinstance(key, str) and key.isidentifier():
            parts.append(f".{key}")
        else:
            parts.append(f"[{key!r}]")
    return "".join(parts)


_JSON_SCALARS = (str, int, float, bool, type(None))
_CONVERTERS = ("as_dict", "to_dict", "dict", "model_dump")


def _default(value: Any) -> Any:
    """The JSON form of a value orjson does not encode itself; the standard
    library path (integers past 64 bits) needs the types orjson knows too."""
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    for name in _CONVERTERS:
        method = getattr(value, name, None)
        if callable(method):
            return method()
    raise TypeError(f"{type(value).__qualname__} has no JSON form")


def _locate(value: Any, path: tuple[Any, ...] = ()) -> UnencodableValue | None:
    """The first value under ``value`` that has no JSON form (None: all have one)."""
    if len(path) > 256:
        return None  # NOTE: a cycle; let the encoder's own message stand
    if isinstance(value, _JSON_SCALARS):
        return None
    items: Any
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = enumerate(value)
    else:
        try:
            converted = _default(value)
        except Exception:
            return UnencodableValue(path, value)
        return _locate(converted, path) if converted is not value else None
    for key, item in items:
        found = _locate(item, (*path, key))
        if found is not None:
            return found
    return None


def dumps_json(data: Any) -> bytes:
    """JSON bytes; dict keys that are not str are converted.

    Raises:
        UnencodableValue: a value with no JSON form, naming where it is.
    """
    try:
        return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)
    except TypeError as exc:
        if "64-bit" not in str(exc):
            raise _locate(data) or exc from exc
    # NOTE: orjson refuses integers past 64 bits (a client can send /items/<huge>);
    # JSON has no such limit, so the standard library writes them.
    try:
        return json.dumps(data, default=_default, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except TypeError as exc:
        raise _locate(data) or exc from exc


def prefers_xml(accept: str | None) -> bool:
    """True when the client lists an XML type before any JSON type."""
    if not accept or "xml" not in accept:
        return False
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media in _XML_TYPES:
            return True
        if media == JSON_TYPE or media.endswith("+json"):
            return False
    return False


def _xml(value: Any, tag: str) -> str:
    if isinstance(value, dict):
        inner = "".join(_xml(v, _tag(k)) for k, v in value.items())
    elif isinstance(value, (list, tuple, set, frozenset)):
        inner = "".join(_xml(v, "item") for v in value)
    elif value is None:
        return f"<{tag}/>"
    elif isinstance(value, bool):
        inner = "true" if value else "false"
    elif isinstance(value, (str, int, float, decimal.Decimal)):
        inner = escape(str(value))
    else:
        # NOTE: the JSON form (a date's ISO text, a dataclass's fields) so both
        # encodings agree; dumps_xml has refused values without one already
        return _xml(_default(value), tag)
    return f"<{tag}>{inner}</{tag}>"


def dumps_xml(data: Any) -> bytes:
    """XML bytes, ``<response>`` at the root.

    Raises:
        UnencodableValue: a value with no JSON form (the same rule as JSON).
    """
    found = _locate(data)
    if found is not None:
        raise found
    return ('<?xml version="1.0" encoding="utf-8"?>' + _xml(data, "response")).encode("utf-8")


def _tag(key: Any) -> str:
    name = "".join(c if c.isalnum() or c in "_-." else "_" for c in str(key))
    return name if name and (name[0].isalpha() or name[0] == "_") else f"_{name}"


class API(Response):
    """A data answer.  The first positional argument may be a status string
    (``"201 Created"``) or int, or the data dict; keywords are merged in.

    Example:
        >>> API("201 Created", url="/documents/0").status
        201
    """

    __slots__ = ("data",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        status: Any = None
        data: Any = None
        rest = list(args)
        if rest and (isinstance(rest[0], str) or (isinstance(rest[0], int) and not isinstance(rest[0], bool))):
            status = rest.pop(0)
        if rest:
            data = rest.pop(0)
        if rest:
            raise TypeError("API takes at most a status and one data object, then keywords")
        if data is None:
            data = kwargs
        elif kwargs:
            if not isinstance(data, dict):
                raise TypeError("API keywords can only be merged into a dict")
            data = {**data, **kwargs}
        super().__init__(status, b"", None)
        self.data = data

    def prepare(self, context: Any) -> None:
        accept = context.request.get_header("accept") if context is not None and context.request else None
        if prefers_xml(accept):
            self.body = dumps_xml(self.data)
            self.set_default_header("Content-Type", "application/xml; charset=utf-8")
        else:
            self.body = dumps_json(self.data)
            self.set_default_header("Content-Type", JSON_TYPE)

    async def send(self, responder: Any, run_in_thread: Any) -> None:
        if not self.body:
            self.prepare(None)
        await Response.send(self, responder, run_in_thread)


class Fault(API):
    """An error body with a 2xx-or-any status (``was.Fault`` in older apps).

    ``Fault(status, message, code=20000, debug=None, more_info=None,
    exc_info=None, traceback=False, **data)``; with only keywords it is the same
    as ``API(status, **data)``.
    """

    __slots__ = ()

    def __init__(
        self,
        status: Any = "200 OK",
        message: str | None = None,
        code: int = 20000,
        debug: str | None = None,
        more_info: str | None = None,
        exc_info: Any = None,
        traceback: bool = False,
        **data: Any,
    ) -> None:
        body: dict[str, Any] = dict(data)
        if message is not None:
            body["message"] = message
            body["code"] = code
        if debug is not None:
            body["debug"] = debug
        if more_info is not None:
            body["more_info"] = more_info
        if traceback or exc_info:
            import sys

            info = exc_info if exc_info else sys.exc_info()
            if info and info[0] is not None:
                body["code"] = body.get("code", 10001)
                body.setdefault("debug", "see traceback")
                body["traceback"] = traceback_module.format_exception(*info)
        super().__init__(status, body)
