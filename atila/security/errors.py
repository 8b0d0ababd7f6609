"""The one exception the security layer raises when a request must be refused.

The security modules do not know how the framework writes responses, so they
raise this with the status and headers the answer needs (401 with its
``WWW-Authenticate`` challenge, 403, 421, 400 for a bad CSRF token) and the
integration turns it into the framework's HTTP error.
"""

from __future__ import annotations

from http import HTTPStatus

__all__ = ["SecurityError", "MissingSecretKey"]


class SecurityError(Exception):
    """A request refused for a security reason; ``status`` is what to answer.

    Example:
        >>> err = SecurityError(401, "password mismatch", [("WWW-Authenticate", 'Basic realm="x"')])
        >>> err.status, err.reason
        (401, 'Unauthorized')
    """

    def __init__(
        self,
        status: int,
        message: str = "",
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Error"
        self.status = status
        self.reason = reason
        self.message = message or reason
        self.headers = list(headers or [])
        super().__init__(f"{status} {reason}: {self.message}")


class MissingSecretKey(RuntimeError):
    """The app needs a secret (sessions, CSRF, tokens) but none is configured.

    A configuration mistake, not a client error: raised at start-up where the
    need can be seen, and as a 500 with this message otherwise.
    """

    def __init__(self, feature: str, where: str = "") -> None:
        place = f" ({where})" if where else ""
        super().__init__(
            f"{feature} needs a secret key{place}: set `pref.securekey` (or `secret_key`) "
            "in __config__, or `app.securekey`, to a long random string"
        )
