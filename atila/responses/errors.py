"""HTTP errors raised by handlers, and the error pages answered for them.

``raise context.HttpError("404 Not Found", "no such document")`` (alias
``context.Error``) stops the request; the pipeline answers with the app's error
handler for that status, or with the default page: JSON for API clients, HTML
for browsers (decided by ``Accept``, documented under "Custom Error Handlers").  A
traceback is shown only when the app runs with ``debug``.
"""

from __future__ import annotations

import html
import time
import traceback as traceback_module
from typing import Any

import orjson

from skitai.errors import HTTPError

from .base import Response, parse_status

__all__ = ["HttpError", "Error", "ErrorInfo", "error_response", "wants_html"]


class HttpError(HTTPError):
    """Abort the request with ``status``.

    Documented forms: ``HttpError("400 Bad Request")``, ``HttpError("400 Bad Request",
    "missing user ID")``, ``HttpError("400 Bad Request", 40011, "missing user
    ID")`` (an int second argument is an application error code), status as int.
    A handler's refusal is not a broken connection, so ``close`` is False.

    Example:
        >>> err = HttpError("404 Not Found", "no such document")
        >>> err.status, err.reason, err.detail
        (404, 'Not Found', 'no such document')
    """

    def __init__(
        self,
        status: Any = 500,
        detail: Any = None,
        more: Any = None,
        *,
        code: int | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        number, reason = parse_status(status)
        if isinstance(detail, int) and not isinstance(detail, bool):
            code, detail = detail, more
        elif more is not None and detail is not None:
            detail = f"{detail} {more}"
        text = "" if detail is None else str(detail)
        super().__init__(number, text, headers, close=False)
        # NOTE: a custom phrase ("400 Bad Token") is kept, and no detail stays
        # empty (the page then shows the phrase once, not twice).
        self.reason = reason
        self.detail = text
        self.code = code
        self.args = (f"{number} {reason}" + (f": {text}" if text else ""),)

    def extra(self) -> dict[str, Any]:
        return {"errno": self.code} if self.code is not None else {}


Error = HttpError


class ErrorInfo(dict[str, Any]):
    """What error handlers and templates receive: item and attribute access
    (``"{code} {message}".format(**error)`` and ``{{ error.code }}`` both work)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def make_error_info(
    status: int,
    message: str,
    detail: str = "",
    *,
    url: str = "",
    debug: bool = False,
    exc_info: Any = None,
    errno: int | None = None,
    extra: dict[str, Any] | None = None,
) -> ErrorInfo:
    info = ErrorInfo(
        code=status,
        message=message,
        detail=detail,
        errno=errno,
        mode="debug" if debug else "normal",
        time=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        url=url,
        software="skitai",
        debug=None,
        traceback=None,
    )
    if debug and exc_info is not None and exc_info[0] is not None:
        info["traceback"] = traceback_module.format_exception(*exc_info)
        info["debug"] = "".join(traceback_module.format_exception_only(exc_info[0], exc_info[1])).strip()
    if extra:
        info.update(extra)
    return info


def wants_html(accept: str | None) -> bool:
    """Browsers send ``text/html`` first; API clients send JSON or nothing."""
    if not accept:
        return False
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media in ("text/html", "application/xhtml+xml"):
            return True
        if media in ("application/json", "*/*") or media.endswith("+json"):
            return False
    return False


_PAGE = (
    "<!DOCTYPE html><html><head><title>{code} {message}</title></head>"
    "<body><h1>{code} {message}</h1><p>{detail}</p>{traceback}<hr><div>{url}</div></body></html>"
)


def error_response(info: ErrorInfo, accept: str | None, headers: list[tuple[str, str]] | None = None) -> Response:
    """The default error page for ``info``: HTML for browsers, JSON otherwise."""
    status = int(info["code"])
    out = list(headers or [])
    if wants_html(accept):
        trace = info.get("traceback")
        body = _PAGE.format(
            code=status,
            message=html.escape(str(info["message"])),
            detail=html.escape(str(info.get("detail") or "")),
            traceback=f"<pre>{html.escape(''.join(trace))}</pre>" if trace else "",
            url=html.escape(str(info.get("url") or "")),
        ).encode("utf-8")
        out.append(("Content-Type", "text/html; charset=utf-8"))
    else:
        payload = {key: value for key, value in info.items() if value is not None and key not in _NOT_IN_JSON}
        body = orjson.dumps(payload, default=str)
        out.append(("Content-Type", "application/json"))
    return Response(status, body, out)


# NOTE: bookkeeping fields of the page, noise in an API client's error body.
_NOT_IN_JSON = frozenset({"mode", "time", "software", "url"})
