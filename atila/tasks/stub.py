"""``context.stub("@myapi/api")``: REST calls to an upstream, as tasks.

::

    with context.stub("@myapi/api") as stub:
        task1 = stub.get("/profiles/{}?limit={}", 100, 10)
        task2 = stub.put("/profiles/{}", 100, {"name": "Hans Roh"})

Arguments fill the ``{}`` of the path (URL-quoted); one argument more is the
payload (JSON for dicts and lists, raw for str/bytes), or pass ``payload=``.
``context.stub.lb(...)`` is the same as ``context.stub(...)``;
``context.stub.map(...)`` sends each request to every member.
"""

from __future__ import annotations

import string
from typing import Any
from urllib.parse import quote

from .upstream import Upstream, UpstreamTask

__all__ = ["Stub", "StubFactory", "format_path"]

_NO_PAYLOAD: Any = object()


def format_path(template: str, args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """Fill the template's ``{}`` with URL-quoted ``args``; the rest is returned."""
    fields = [name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None]
    if any(name for name in fields):
        raise ValueError(f"stub paths use positional {{}} only, got {template!r}")
    count = len(fields)
    if len(args) < count:
        raise TypeError(f"path {template!r} needs {count} arguments, got {len(args)}")
    filled = template.format(*[quote(str(arg), safe="") for arg in args[:count]]) if count else template
    return filled, args[count:]


def _body(payload: Any) -> dict[str, Any]:
    if payload is _NO_PAYLOAD or payload is None:
        return {}
    if isinstance(payload, (dict, list)):
        return {"json": payload}
    if isinstance(payload, str):
        return {"content": payload.encode("utf-8")}
    if isinstance(payload, (bytes, bytearray)):
        return {"content": bytes(payload)}
    raise TypeError(f"a stub payload is a dict, list, str or bytes, got {type(payload).__name__}")


class Stub:
    def __init__(
        self,
        context: Any,
        target: str,
        fan_out: bool = False,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.context = context
        self.upstream = Upstream(target, timeout)
        self.fan_out = fan_out
        self.headers = dict(headers or {})
        self.meta = meta

    def __enter__(self) -> "Stub":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def request(
        self,
        method: str,
        path: str,
        *args: Any,
        payload: Any = _NO_PAYLOAD,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> UpstreamTask:
        filled, rest = format_path(path, args)
        if rest:
            if payload is not _NO_PAYLOAD or len(rest) > 1:
                raise TypeError(f"{method} {path!r}: {len(rest)} arguments more than the path's {{}}")
            payload = rest[0]
        options = _body(payload)
        merged = {**self.headers, **(headers or {})}
        if merged:
            options["headers"] = merged
        if params:
            options["params"] = params
        return self.upstream.start(method, filled, options, fan_out=self.fan_out, meta=self.meta, context=self.context)

    def get(self, path: str, *args: Any, **options: Any) -> UpstreamTask:
        return self.request("GET", path, *args, **options)

    def delete(self, path: str, *args: Any, **options: Any) -> UpstreamTask:
        return self.request("DELETE", path, *args, **options)

    def post(self, path: str, *args: Any, **options: Any) -> UpstreamTask:
        return self.request("POST", path, *args, **options)

    def put(self, path: str, *args: Any, **options: Any) -> UpstreamTask:
        return self.request("PUT", path, *args, **options)

    def patch(self, path: str, *args: Any, **options: Any) -> UpstreamTask:
        return self.request("PATCH", path, *args, **options)


class StubFactory:
    """``context.stub``: callable (load balancing) with ``.lb`` and ``.map``."""

    __slots__ = ("context",)

    def __init__(self, context: Any) -> None:
        self.context = context

    def __call__(self, target: str, **options: Any) -> Stub:
        return Stub(self.context, target, **options)

    def lb(self, target: str, **options: Any) -> Stub:
        return Stub(self.context, target, **options)

    def map(self, target: str, **options: Any) -> Stub:
        return Stub(self.context, target, fan_out=True, **options)
