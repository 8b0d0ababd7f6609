"""How the security modules plug into an Atila app: ``install(app)``.

The app calls :func:`install` from its constructor (``Atila._install_extensions``).
The names an app and a context offer are declared on their classes
(:mod:`atila.security.decorators`, :mod:`atila.security.surface`); what install
adds is per-app state:

- ``app.security``: the handlers the decorators register, the secret key and
  the objects built from it (:class:`SecurityState`);
- ``app.preflight`` for the router's own OPTIONS answers (CORS);
- a start-up step: a clear error when the app uses secrets but has no key, and
  the app request hook for CORS and app-wide authentication, added only when
  the app configures either (so other apps keep the fast path).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from ..cluster import SharedRevocations, claim_digest_answer
from .auth import Authenticator
from .checks import app_security_hook, preflight_headers
from .errors import MissingSecretKey
from .startup import check_secret_users, needs_app_hook
from .tokens import OneTimeTokens

__all__ = ["install", "SecurityState", "DEFAULT_SESSION_TIMEOUT"]

#: seconds; the documentation's example uses 1200
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
            self._authenticator = (key, Authenticator(key[0], key[1], nonce_ttl=key[2], replays=claim_digest_answer))
        return self._authenticator[1]

    def one_time_tokens(self) -> OneTimeTokens:
        secret = self.require_secret("one-time tokens")
        if self._ott is None or self._ott[0] != secret:
            self._ott = (secret, OneTimeTokens(secret, store=SharedRevocations()))
        return self._ott[1]

    def session_timeout(self) -> float:
        return float(getattr(self.app, "session_timeout", None) or DEFAULT_SESSION_TIMEOUT)


# -- install -------------------------------------------------------------------------------
def install(app: Any) -> None:
    """Give ``app`` its security state, the CORS preflight answer and the start-up checks."""
    app.security = SecurityState(app)
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
            "(context.app.users.get(username))",
            app,
        )
    users = check_secret_users(app)
    if users and not app.security.secret():
        where = ", ".join(users[:3]) + (" ..." if len(users) > 3 else "")
        raise MissingSecretKey("this app uses sessions, CSRF or tokens", where)
    hooks = app.request_hooks
    if needs_app_hook(app) and app_security_hook not in hooks.before:
        hooks.before.insert(0, app_security_hook)  # before the app's own hooks see the request
        hooks.version += 1
