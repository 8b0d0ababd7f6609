"""Engine exceptions.  Each carries the status it implies, so the protocol that
catches it knows what to answer without a table of special cases."""

from __future__ import annotations

from http import HTTPStatus

__all__ = ["HTTPError", "ClientGone", "reason_phrase"]


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class HTTPError(Exception):
    """The client did something the engine refuses (RFC 9110 status semantics).

    ``close`` is True when the framing can no longer be trusted (RFC 9112 11.2:
    after a smuggling-shaped request the connection must not be reused).
    """

    def __init__(self, status: int, detail: str = "", close: bool = True) -> None:
        self.status = status
        self.reason = reason_phrase(status)
        self.detail = detail or self.reason
        self.close = close
        super().__init__(f"{status} {self.reason}: {self.detail}")


class ClientGone(ConnectionError):
    """The peer closed or reset the connection while we were reading or writing."""
