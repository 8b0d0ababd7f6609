"""``context.xmlrpc("@api/rpc2")`` and ``context.jsonrpc(...)``: remote calls as
tasks (``stub.add(1, 2).fetch()``; dotted names: ``stub.math.add(...)``).

A fault answer raises at ``fetch()``: ``xmlrpc.client.Fault`` for XML-RPC,
:class:`JSONRPCError` for JSON-RPC.
"""

from __future__ import annotations

import itertools
import json
import xmlrpc.client
from typing import Any, Callable

from ..responses.errors import HttpError
from .upstream import Upstream, UpstreamResponse, UpstreamTask

__all__ = ["RPCStub", "JSONRPCError", "xmlrpc_stub", "jsonrpc_stub"]

_ids = itertools.count(1)


class JSONRPCError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        self.code, self.message, self.data = code, message, data
        super().__init__(f"JSON-RPC error {code}: {message}")


def _checked(response: UpstreamResponse) -> bytes:
    if response.error is not None:
        raise response.error
    if response.status_code is not None and response.status_code >= 400:
        raise HttpError(502, f"RPC upstream {response.url} answered {response.status_code} {response.reason}")
    return response.content


def _xml_result(response: UpstreamResponse) -> Any:
    values, _method = xmlrpc.client.loads(_checked(response), use_builtin_types=True)
    return values[0] if len(values) == 1 else values


def _json_result(response: UpstreamResponse) -> Any:
    answer = json.loads(_checked(response))
    if answer.get("error"):
        error = answer["error"]
        raise JSONRPCError(error.get("code", -32000), error.get("message", ""), error.get("data"))
    return answer.get("result")


class RPCStub:
    def __init__(
        self,
        context: Any,
        target: str,
        encode: Callable[[str, tuple[Any, ...], dict[str, Any]], Any],
        decode: Callable[[UpstreamResponse], Any],
        content_type: str,
        timeout: float | None = None,
        prefix: str = "",
    ) -> None:
        self._context = context
        self._target = target
        self._upstream = Upstream(target, timeout)
        self._encode = encode
        self._decode = decode
        self._content_type = content_type
        self._timeout = timeout
        self._prefix = prefix

    def __enter__(self) -> "RPCStub":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __getattr__(self, name: str) -> "RPCStub":
        if name.startswith("_"):
            raise AttributeError(name)
        method = f"{self._prefix}.{name}" if self._prefix else name
        other = RPCStub.__new__(RPCStub)
        other.__dict__.update(self.__dict__)
        other._prefix = method
        return other

    def __call__(self, *args: Any, **kwargs: Any) -> UpstreamTask:
        if not self._prefix:
            raise TypeError("call a remote method: stub.name(...)")
        body = self._encode(self._prefix, args, kwargs)
        options = {"content": body, "headers": {"Content-Type": self._content_type}}
        return self._upstream.start("POST", "", options, transform=self._decode, context=self._context)


def _xml_encode(method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
    if kwargs:
        raise TypeError("XML-RPC takes positional arguments only")
    return xmlrpc.client.dumps(args, method, allow_none=True).encode("utf-8")


def _json_encode(method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bytes:
    if args and kwargs:
        raise TypeError("JSON-RPC takes positional or keyword arguments, not both")
    call = {"jsonrpc": "2.0", "method": method, "params": kwargs or list(args), "id": next(_ids)}
    return json.dumps(call).encode("utf-8")


def xmlrpc_stub(context: Any, target: str, timeout: float | None = None) -> RPCStub:
    return RPCStub(context, target, _xml_encode, _xml_result, "text/xml", timeout)


def jsonrpc_stub(context: Any, target: str, timeout: float | None = None) -> RPCStub:
    return RPCStub(context, target, _json_encode, _json_result, "application/json", timeout)
