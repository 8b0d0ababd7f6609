"""Engine exceptions.  Each carries the status it implies, so the protocol that
catches it knows what to answer without a table of special cases."""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

__all__ = ["HTTPError", "ClientGone", "reason_phrase"]


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class HTTPError(Exception):
    """The client did something the engine refuses (RFC 9110 status semantics).

    The one error vocabulary of engine and framework: ``status``, ``reason``
    (the phrase), ``detail`` (what went wrong), ``headers`` (fields the answer
    needs, e.g. ``Allow`` or ``WWW-Authenticate``).  Framework errors subclass
    it and add fields for a JSON error body through :meth:`extra`.

    ``close`` is True when the framing can no longer be trusted (RFC 9112 11.2:
    after a smuggling-shaped request the connection must not be reused).
    """

    def __init__(
        self,
        status: int,
        detail: str = "",
        headers: Iterable[tuple[str, str]] | None = None,
        close: bool = True,
    ) -> None:
        self.status = status
        self.reason = reason_phrase(status)
        self.detail = detail or self.reason
        self.headers: list[tuple[str, str]] = list(headers or ())
        self.close = close
        super().__init__(f"{status} {self.reason}: {self.detail}")

    def extra(self) -> dict[str, Any]:
        """Fields an error body carries besides status, reason and detail."""
        return {}


class ClientGone(ConnectionError):
    """The peer closed or reset the connection while we were reading or writing."""
