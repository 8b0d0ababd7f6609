"""CSRF tokens: a random secret in an HttpOnly cookie, the signed secret in the form.

As documented, the CSRF token lives in a cookie kept by the browser, not in the session.
The browser holds a random value ``r`` in the ``ATLCSRF`` cookie; pages embed
``sign(r)`` (HMAC with the app's secret key).  A request passes when the token
it submits (form field ``csrf_token`` or an ``X-CSRF-Token`` header) carries a
valid signature and its ``r`` equals the cookie's, compared in constant time.
A cross-site attacker can neither read the cookie nor produce a signature, and
a token copied from another browser fails because that browser's ``r`` differs.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from itsdangerous import BadSignature, Signer
from markupsafe import Markup, escape

from .cookies import CookieJar
from .errors import MissingSecretKey
from .signing import constant_time_equals, secret_bytes

__all__ = ["CsrfGuard", "CSRF_FIELD", "CSRF_COOKIE", "CSRF_HEADERS", "UNSAFE_METHODS", "submitted_token"]

CSRF_FIELD = "csrf_token"
CSRF_COOKIE = "ATLCSRF"
#: header names accepted for the token (lower case), for script clients
CSRF_HEADERS = ("x-csrf-token", "x-csrftoken")
#: RFC 9110 9.2.1: only these can change state, so only these are checked
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_NONCE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def submitted_token(form: Mapping[str, Any] | None, get_header: Callable[[str], str | None]) -> str | None:
    """The token a request submits: the form field first, then the headers."""
    if form:
        value = form.get(CSRF_FIELD)
        if isinstance(value, str) and value:
            return value
    for name in CSRF_HEADERS:
        value = get_header(name)
        if value:
            return value
    return None


class CsrfGuard:
    """Issue and check CSRF tokens for one request.

    Example:
        >>> jar = CookieJar()
        >>> guard = CsrfGuard(jar, "secret")
        >>> token = guard.token
        >>> guard.verify(token), guard.verify("forged.token")
        (True, False)
    """

    def __init__(self, jar: CookieJar, secret: str | bytes | None, secure: bool = False) -> None:
        if not secret:
            raise MissingSecretKey("CSRF protection")
        self._jar = jar
        self._signer = Signer(secret_bytes(secret), salt="atila.csrf")
        self._secure = secure
        self._nonce: str | None = None

    def _cookie_nonce(self) -> str | None:
        value = self._jar.get(CSRF_COOKIE)
        if value and 20 <= len(value) <= 128 and set(value) <= _NONCE_CHARS:
            return value
        return None

    @property
    def token(self) -> str:
        """The token for forms and headers; sets the cookie the first time."""
        if self._nonce is None:
            nonce = self._cookie_nonce()
            if nonce is None:
                nonce = secrets.token_urlsafe(32)
                self._jar.set(CSRF_COOKIE, nonce, "never", secure=self._secure, http_only=True, samesite="Lax")
            self._nonce = nonce
        return self._signer.sign(self._nonce).decode("ascii")

    @property
    def input(self) -> Markup:
        """A hidden form field carrying the token, safe to put in a template as is."""
        return Markup('<input type="hidden" name="%s" value="%s">') % (CSRF_FIELD, escape(self.token))

    def verify(self, submitted: str | None) -> bool:
        """True when ``submitted`` was issued to this browser with this app's key."""
        cookie = self._cookie_nonce()
        if not submitted or cookie is None:
            return False
        try:
            nonce = self._signer.unsign(submitted).decode("ascii")
        except (BadSignature, UnicodeError):
            return False
        return constant_time_equals(nonce, cookie)

    def remove(self) -> None:
        """Forget the browser's CSRF secret (e.g. at sign-out); the next token is new."""
        self._nonce = None
        if self._jar.get(CSRF_COOKIE) is not None:
            self._jar.remove(CSRF_COOKIE)
