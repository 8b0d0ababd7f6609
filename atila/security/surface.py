"""The security names of ``context`` and ``context.request``, declared.

:class:`ContextSecurity` and :class:`RequestSecurity` are mixed into
:class:`atila.Context` and its request view, so ``context.session``,
``context.encode_jwt(...)`` or ``request.user`` are visible attributes (for
``help()``, IDEs and mypy) while the implementation stays in this package.

Each value is built on first access and kept for the rest of the request:
a handler that never reads the session never parses its cookie.
``context.cookie`` and ``context.request.cookie`` are one jar (and so for
``session``, ``mbox`` and ``user``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from markupsafe import Markup

from .cookies import CookieJar
from .csrf import CsrfGuard, submitted_token
from .mbox import MessageBox
from .sessions import Session
from .tokens import bearer_token, decode_jwt, encode_jwt, verify_otp

__all__ = ["ContextSecurity", "RequestSecurity"]

T = TypeVar("T")


def _once(owner: Any, name: str, factory: Callable[[Any], T], context: Any) -> T:
    """``factory(context)`` the first time ``name`` is read on ``owner``, then the kept value."""
    cache: dict[str, Any] = owner.__dict__
    if name not in cache:
        cache[name] = factory(context)
    value: T = cache[name]
    return value


# -- factories ------------------------------------------------------------------------------
def _https(context: Any) -> bool:
    return context._req is not None and context._req.scheme == "https"


def _remote_addr(context: Any) -> str | None:
    client = context._req.client if context._req is not None else None
    return client[0] if client else None


def make_cookie_jar(context: Any) -> CookieJar:
    req = context._req
    # RFC 6265 5.4: a client sends one Cookie field, but proxies and HTTP/2 may
    # split it; the pairs of every field count, joined with "; ".
    header = ("; ".join(req.headers.getall("cookie")) or None) if req is not None else None
    path = (req.script_name or "/") if req is not None else "/"
    jar = CookieJar(header, default_path=path, secure_default=_https(context))
    written: list[str] = []

    def sync(changed: CookieJar) -> None:
        # keep the response head's Set-Cookie fields equal to the jar's
        head = context.response
        old = set(written)
        head.headers = [(k, v) for k, v in head.headers if not (k.lower() == "set-cookie" and v in old)]
        written[:] = changed.headers()
        head.headers.extend(("Set-Cookie", value) for value in written)

    jar.on_change = sync
    return jar


def make_session(context: Any) -> Session:
    state = context.app.security
    return Session(
        context.cookie,
        state.require_secret("sessions"),
        state.session_timeout(),
        _remote_addr(context),
        _https(context),
        time.time,
        auto_commit=True,
    )


def make_mbox(context: Any) -> MessageBox:
    state = context.app.security
    return MessageBox(
        context.cookie,
        state.require_secret("the message box"),
        state.session_timeout(),
        _remote_addr(context),
        _https(context),
        time.time,
        auto_commit=True,
    )


def make_csrf(context: Any) -> CsrfGuard:
    return CsrfGuard(context.cookie, context.app.security.require_secret("CSRF protection"), _https(context))


def make_jwt_claims(context: Any) -> dict[str, Any]:
    secret = context.app.security.secret()
    if not secret:
        return {"err": "server has no secret key"}
    token = bearer_token(context.request.get_header("authorization"))
    return decode_jwt(token, secret)


# -- the mixins -----------------------------------------------------------------------------
class ContextSecurity:
    """Cookies, sessions, message box, CSRF and tokens on ``context``."""

    __slots__ = ()

    @property
    def cookie(self) -> CookieJar:
        """The request's cookies; changes become ``Set-Cookie`` fields of the answer."""
        return _once(self, "cookie", make_cookie_jar, self)

    @property
    def session(self) -> Session:
        """This browser's session, kept in a signed cookie (needs the app's secret key)."""
        return _once(self, "session", make_session, self)

    @property
    def mbox(self) -> MessageBox:
        """Messages for this browser's next pages (flash messages), in a signed cookie."""
        return _once(self, "mbox", make_mbox, self)

    @property
    def user(self) -> Any:
        """Who authenticated this request (set by the authentication checks), or None."""
        request = _request_of(self)
        return request.user if request is not None else self.__dict__.get("user")

    @user.setter
    def user(self, value: Any) -> None:
        request = _request_of(self)
        if request is not None:
            request.user = value
        else:
            self.__dict__["user"] = value

    @property
    def csrf(self) -> CsrfGuard:
        """This request's CSRF guard: issues and checks the browser's token."""
        return _once(self, "csrf", make_csrf, self)

    @property
    def csrf_token(self) -> str:
        """The CSRF token for forms and headers (sets its cookie the first time)."""
        return self.csrf.token

    @property
    def csrf_token_input(self) -> Markup:
        """A hidden form field carrying the CSRF token."""
        return self.csrf.input

    def verify_csrf(self) -> bool:
        """True when the request carries this browser's CSRF token (form field or header)."""
        request = _request_of(self)
        data = request.DATA
        return self.csrf.verify(submitted_token(data if isinstance(data, dict) else None, request.get_header))

    def remove_csrf(self) -> None:
        """Forget the CSRF token (its cookie is cleared)."""
        self.csrf.remove()

    def encode_jwt(self, claims: dict[str, Any], algorithm: str = "HS256") -> str:
        """A JWT of ``claims`` signed with the app's secret key."""
        return encode_jwt(claims, _app(self).security.require_secret("JWT"), algorithm)

    def decode_jwt(self, token: str | None = None) -> dict[str, Any]:
        """The claims of ``token``, or of the request's bearer token when none is given."""
        if token is None:
            return make_jwt_claims(self)
        return decode_jwt(token, _app(self).security.require_secret("JWT"))

    def encode_ott(self, obj: Any, timeout: float = 3600, key: str | None = None) -> str:
        """A one-time token carrying ``obj``, valid ``timeout`` seconds."""
        return str(_app(self).security.one_time_tokens().encode(obj, timeout, key))

    def decode_ott(self, token: str | None, key: str | None = None) -> Any:
        """What a one-time token carries, or None when it is invalid, expired or revoked."""
        return _app(self).security.one_time_tokens().decode(token, key)

    def revoke_ott(self, token: str | None) -> None:
        """Make a one-time token unusable."""
        _app(self).security.one_time_tokens().revoke(token)

    def verify_otp(self, code: str | None, interval: int = 30) -> bool:
        """True when ``code`` is the current one-time password of the app's key."""
        return verify_otp(code, _app(self).security.require_secret("one-time passwords"), interval)


class RequestSecurity:
    """The same values seen from ``context.request``, plus the bearer token's claims."""

    __slots__ = ()

    @property
    def cookie(self) -> CookieJar:
        """``context.cookie``."""
        return _context(self).cookie

    @property
    def session(self) -> Session:
        """``context.session``."""
        return _context(self).session

    @property
    def mbox(self) -> MessageBox:
        """``context.mbox``."""
        return _context(self).mbox

    @property
    def user(self) -> Any:
        """Who authenticated this request, or None; a handler may set its own."""
        return self.__dict__.get("user")

    @user.setter
    def user(self, value: Any) -> None:
        self.__dict__["user"] = value

    @property
    def JWT(self) -> dict[str, Any]:
        """The claims of the request's bearer JWT (``{"err": ...}`` when it is invalid)."""
        return _once(self, "JWT", make_jwt_claims, _context(self))


def _request_of(context: Any) -> Any:
    return context.request


def _app(context: Any) -> Any:
    return context.app


def _context(request: Any) -> ContextSecurity:
    context: ContextSecurity = request._context
    return context
