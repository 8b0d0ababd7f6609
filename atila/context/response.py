"""``context.response``: the head of the answer being built, and a factory.

A handler may set status and headers here and still return plain content
(documented under "Primitive"): ``context.response.set_header("X-Server", "Skitai")``
or ``context.response["Cache-Control"] = "max-age=60"``.  Calling it builds a
whole response: ``return context.response("404 Not Found", body, headers)``.
The pipeline merges this head into whatever the handler returned.
"""

from __future__ import annotations

from typing import Any

from ..compat import ResponseHeadAliases
from ..responses.base import Response, parse_status
from ..responses.errors import HttpError

__all__ = ["ResponseHead"]

# Fields that may legitimately repeat: the head adds them instead of replacing.
_REPEATABLE = frozenset({"set-cookie", "link", "vary", "www-authenticate"})


class ResponseHead(ResponseHeadAliases):
    __slots__ = ("status", "reason", "headers")

    def __init__(self) -> None:
        self.status: int | None = None
        self.reason = ""
        self.headers: list[tuple[str, str]] = []

    # -- factory ---------------------------------------------------------------
    def __call__(
        self,
        status: Any = "200 OK",
        body: Any = None,
        headers: list[tuple[str, str]] | None = None,
        exc_info: Any = None,
    ) -> Response:
        """A response with ``status``; an error status without body gets the
        app's error page (raised as ``HttpError`` so error handlers apply)."""
        code, reason = parse_status(status)
        if body is None and code >= 400:
            raise HttpError(status, headers=headers)
        from ..responses.render import to_response

        response = to_response(body)
        if response.status is None or not isinstance(body, Response):
            response.status = code
        for name, value in headers or []:
            response.set_header(name, value)
        return response

    def throw(self, status: Any = "200 OK", detail: str = "") -> None:
        """Stop the request and answer ``status`` now (``response.throw``)."""
        raise HttpError(status, detail or None)

    def fault(
        self,
        message: str = "",
        code: int = 20000,
        debug: str | None = None,
        more_info: str | None = None,
        exc_info: Any = None,
    ) -> Response:
        """An error body whose status stays open: 200 in a handler, the error's own
        in an error handler (documented under "Response All Errors As JSON")."""
        from ..responses.api import Fault

        if exc_info is not None and not isinstance(exc_info, tuple):
            # an error handler passes error["traceback"]: lines already formatted
            answer = Fault("200 OK", message, code, debug, more_info)
            if exc_info:
                answer.data["traceback"] = exc_info
        else:
            answer = Fault("200 OK", message, code, debug, more_info, exc_info)
        answer.status = None
        return answer

    def traceback(
        self, message: str = "", code: int = 10001, debug: str = "see traceback", more_info: str | None = None
    ) -> Response:
        """A 200 answer carrying the exception being handled."""
        from ..responses.api import Fault

        return Fault("200 OK", message, code, debug, more_info, traceback=True)

    # -- status ----------------------------------------------------------------
    def set_status(self, status: Any) -> None:
        self.status, self.reason = parse_status(status)

    def get_status(self) -> str:
        code, reason = parse_status(self.status or 200)
        return f"{code} {self.reason or reason}"

    # -- headers ---------------------------------------------------------------
    def set_header(self, name: str, value: Any) -> None:
        lowered = name.lower()
        if lowered not in _REPEATABLE:
            self.headers = [(k, v) for k, v in self.headers if k.lower() != lowered]
        self.headers.append((name, str(value)))

    def append_header(self, name: str, value: Any) -> None:
        self.headers.append((name, str(value)))

    def get_header(self, name: str, default: Any = None) -> Any:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return default

    def del_header(self, name: str) -> None:
        lowered = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != lowered]

    def set_headers(self, headers: list[tuple[str, str]]) -> None:
        for name, value in headers:
            self.set_header(name, value)

    def get_headers(self) -> list[tuple[str, str]]:
        return list(self.headers)

    __setitem__ = set_header

    def __getitem__(self, name: str) -> Any:
        value = self.get_header(name)
        if value is None:
            raise KeyError(name)
        return value

    def __delitem__(self, name: str) -> None:
        self.del_header(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get_header(name) is not None

    # -- merge -----------------------------------------------------------------
    def apply(self, response: Response) -> None:
        """Put this head into ``response``: its status when the response left it
        open, its headers over the response's (repeatable fields added)."""
        if response.status is None and self.status is not None:
            response.status = self.status
        if not self.headers:
            return
        names = {k.lower() for k, _ in self.headers if k.lower() not in _REPEATABLE}
        merged = [(k, v) for k, v in response.headers if k.lower() not in names]
        merged.extend(self.headers)
        response.headers = merged

    def __repr__(self) -> str:
        return f"<ResponseHead {self.status} {self.headers!r}>"
