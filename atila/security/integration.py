"""How the security modules plug into an Atila app: ``install(app)``.

The app calls :func:`install` from its constructor (``Atila._install_extensions``).
It adds, without the app knowing any of it:

- context extensions: ``cookie``, ``session``, ``mbox``, ``user`` (context and
  request), ``JWT`` (request), ``csrf_token``, ``csrf_token_input`` and the
  methods ``verify_csrf``/``csrf_verify``, ``remove_csrf``, ``encode_jwt``/``mkjwt``,
  ``decode_jwt``/``dejwt``, ``encode_ott``/``mkott``, ``decode_ott``/``deott``,
  ``revoke_ott``/``rvott``, ``verify_otp``;
- app decorators (:mod:`atila.security.decorators`);
- ``app.preflight`` for the router's own OPTIONS answers (CORS);
- a start-up step: a clear error when the app uses secrets but has no key, and
  the app request hook for CORS and app-wide authentication, added only when
  the app configures either (so other apps keep the fast path).
"""

from __future__ import annotations

import functools
import logging
import time
from typing import Any

from .auth import Authenticator
from .checks import app_security_hook, preflight_headers
from .cookies import CookieJar
from .csrf import CsrfGuard
from .decorators import bind_decorators
from .errors import MissingSecretKey
from .mbox import MessageBox
from .sessions import Session
from .startup import check_secret_users, needs_app_hook
from .tokens import OneTimeTokens, bearer_token, decode_jwt, encode_jwt, verify_otp

__all__ = ["install", "SecurityState", "DEFAULT_SESSION_TIMEOUT"]

#: seconds; seed 001 uses 1200 in its example
DEFAULT_SESSION_TIMEOUT = 1200

class SecurityState:
    """Per-app security configuration and handlers (``app.security``)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.permission_handler: Any = None
        self.login_handler: Any = None
        self.staff_member_check_handler: Any = None
        self.password_provider: Any = None
        self.bearer_handler: Any = None
        self._authenticator: tuple[tuple[Any, ...], Authenticator] | None = None
        self._ott: tuple[Any, OneTimeTokens] | None = None

    def secret(self) -> str | bytes | None:
        app = self.app
        return getattr(app, "securekey", None) or getattr(app, "secret_key", None) or None

    def require_secret(self, feature: str) -> str | bytes:
        secret = self.secret()
        if not secret:
            raise MissingSecretKey(feature, f"app {getattr(self.app, 'name', None) or self.app!r}")
        return secret

    def realm(self) -> str:
        app = self.app
        return str(getattr(app, "realm", None) or getattr(app, "name", None) or "Atila")

    def authenticator(self) -> Authenticator:
        """Built once per (realm, key, nonce ttl): digest nonces must outlive requests."""
        key = (self.realm(), self.secret(), getattr(self.app, "digest_nonce_ttl", 300))
        if self._authenticator is None or self._authenticator[0] != key:
            self._authenticator = (key, Authenticator(key[0], key[1], nonce_ttl=key[2]))
        return self._authenticator[1]

    def one_time_tokens(self) -> OneTimeTokens:
        secret = self.require_secret("one-time tokens")
        if self._ott is None or self._ott[0] != secret:
            self._ott = (secret, OneTimeTokens(secret))
        return self._ott[1]

    def session_timeout(self) -> float:
        return float(getattr(self.app, "session_timeout", None) or DEFAULT_SESSION_TIMEOUT)

# -- context extensions ------------------------------------------------------------------

def _https(context: Any) -> bool:
    return context._req is not None and context._req.scheme == "https"

def make_cookie_jar(context: Any) -> CookieJar:
    req = context._req
    header = req.headers.get("cookie") if req is not None else None
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

def _remote_addr(context: Any) -> str | None:
    client = context._req.client if context._req is not None else None
    return client[0] if client else None

def make_session(context: Any) -> Session:
    state = context.app.security
    return Session(
        context.cookie, state.require_secret("sessions"), state.session_timeout(),
        _remote_addr(context), _https(context), time.time, auto_commit=True,
    )

def make_mbox(context: Any) -> MessageBox:
    state = context.app.security
    return MessageBox(
        context.cookie, state.require_secret("the message box"), state.session_timeout(),
        _remote_addr(context), _https(context), time.time, auto_commit=True,
    )

def make_csrf(context: Any) -> CsrfGuard:
    return CsrfGuard(context.cookie, context.app.security.require_secret("CSRF protection"), _https(context))

def make_jwt_claims(context: Any) -> dict[str, Any]:
    secret = context.app.security.secret()
    if not secret:
        return {"err": "server has no secret key"}
    token = bearer_token(context.request.get_header("authorization"))
    return decode_jwt(token, secret)

def current_user(context: Any) -> Any:
    request = context.request
    return request.__dict__.get("user") if request is not None else None

def encode_jwt_method(context: Any, claims: dict[str, Any], algorithm: str = "HS256") -> str:
    return encode_jwt(claims, context.app.security.require_secret("JWT"), algorithm)

def decode_jwt_method(context: Any, token: str | None = None) -> dict[str, Any]:
    """The claims of ``token``, or of the request's bearer token when none is given."""
    if token is None:
        return make_jwt_claims(context)
    return decode_jwt(token, context.app.security.require_secret("JWT"))

def encode_ott_method(context: Any, obj: Any, timeout: float = 3600, key: str | None = None) -> str:
    return context.app.security.one_time_tokens().encode(obj, timeout, key)

def decode_ott_method(context: Any, token: str | None, key: str | None = None) -> Any:
    return context.app.security.one_time_tokens().decode(token, key)

def revoke_ott_method(context: Any, token: str | None) -> None:
    context.app.security.one_time_tokens().revoke(token)

def verify_otp_method(context: Any, code: str | None, interval: int = 30) -> bool:
    return verify_otp(code, context.app.security.require_secret("one-time passwords"), interval)

def verify_csrf_method(context: Any) -> bool:
    from .csrf import submitted_token

    request = context.request
    data = request.DATA
    return context.csrf.verify(submitted_token(data if isinstance(data, dict) else None, request.get_header))

def remove_csrf_method(context: Any) -> None:
    context.csrf.remove()

_PROPERTIES = (
    ("cookie", make_cookie_jar, "both"),
    ("session", make_session, "both"),
    ("mbox", make_mbox, "both"),
    ("user", current_user, "both"),
    ("JWT", make_jwt_claims, "request"),
    ("csrf", make_csrf, "context"),
    ("csrf_token", lambda context: context.csrf.token, "context"),
    ("csrf_token_input", lambda context: context.csrf.input, "context"),
)

_METHODS = (
    (("encode_jwt", "mkjwt"), encode_jwt_method),
    (("decode_jwt", "dejwt"), decode_jwt_method),
    (("encode_ott", "mkott"), encode_ott_method),
    (("decode_ott", "deott"), decode_ott_method),
    (("revoke_ott", "rvott"), revoke_ott_method),
    (("verify_otp",), verify_otp_method),
    (("verify_csrf", "csrf_verify"), verify_csrf_method),
    (("remove_csrf",), remove_csrf_method),
)

# -- install -------------------------------------------------------------------------------
def install(app: Any) -> None:
    """Add the security extensions, decorators and start-up checks to ``app``."""
    for name in ("authenticate", "realm", "users", "secret_key"):
        if not hasattr(app, name):
            setattr(app, name, None)
    app.security = SecurityState(app)
    extensions = app.context_extensions
    for name, factory, scope in _PROPERTIES:
        extensions.register(name, factory, kind="property", scope=scope)
    for names, method in _METHODS:
        for name in names:
            extensions.register(name, method, kind="method")
    bind_decorators(app)
    if getattr(app, "preflight", None) is None:
        app.preflight = functools.partial(preflight_headers, app)
    # after the app's own start-up: routes and hooks are known then
    app.after_startup(prepare)

def prepare(app: Any) -> None:
    """Start-up checks: refuse to serve without a key the app needs; add the app hook if used."""
    if app.security.password_provider is not None and getattr(app, "users", None):
        # NOTE: the provider is the one source of passwords (two silently merged
        # sources would keep a forgotten test account valid); say so, once.
        logging.getLogger("atila.security").warning(
            "%r: app.users is set but @app.password_provider answers every password lookup, so "
            "app.users is not consulted; remove it, or look it up from the provider "
            "(context.app.users.get(username))", app,
        )
    users = check_secret_users(app)
    if users and not app.security.secret():
        where = ", ".join(users[:3]) + (" ..." if len(users) > 3 else "")
        raise MissingSecretKey("this app uses sessions, CSRF or tokens", where)
    hooks = app.request_hooks
    if needs_app_hook(app) and app_security_hook not in hooks.before:
        hooks.before.insert(0, app_security_hook)  # before the app's own hooks see the request
        hooks.version += 1
