"""The one exception the security layer raises when a request must be refused.

The security modules do not know how the framework writes responses, so they
raise this with the status and headers the answer needs (401 with its
``WWW-Authenticate`` challenge, 403, 421, 400 for a bad CSRF token).  It is an
engine :class:`~skitai.errors.HTTPError`, so the pipeline answers it like any
other refusal without knowing the security package.
"""

from __future__ import annotations

from skitai.errors import HTTPError

__all__ = ["SecurityError", "MissingSecretKey"]


class SecurityError(HTTPError):
    """A request refused for a security reason; ``status`` is what to answer.

    Example:
        >>> err = SecurityError(401, "password mismatch", [("WWW-Authenticate", 'Basic realm="x"')])
        >>> err.status, err.reason, err.detail
        (401, 'Unauthorized', 'password mismatch')
    """

    def __init__(
        self,
        status: int,
        detail: str = "",
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(status, detail, headers, close=False)


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
