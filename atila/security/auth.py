"""Basic, Digest and Bearer authentication: parse, verify, challenge.

Passwords come from a *password lookup* (``app.users.get`` or the app's
password-provider function) whose answer may be, as documented:

- ``"password"``
- ``("password", encrypted)``
- ``("password", encrypted, userinfo)``
- ``None`` (no such user)

``encrypted`` means the stored value is ``md5("user:realm:password")`` hex,
the digest HA1, so clear passwords never need to be kept.  Every comparison
of secrets is constant-time, and no password or token is put in an error.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .digest import DigestAuth, parse_auth_params
from .errors import SecurityError
from .signing import constant_time_equals
from .tokens import bearer_token, decode_jwt

__all__ = [
    "AuthUser",
    "Authenticator",
    "PasswordEntry",
    "normalize_scheme",
    "normalize_entry",
    "jwt_bearer_check",
    "AUTH_SCHEMES",
]

AUTH_SCHEMES = ("basic", "digest", "bearer")
PasswordEntry = Any  # str | (str, bool) | (str, bool, userinfo) | None
PasswordLookup = Callable[[str], PasswordEntry]
BearerCheck = Callable[[str], "AuthUser | str"]


@dataclass
class AuthUser:
    """``context.request.user`` after a successful authentication.

    ``str(user)`` is the user name (``was.request.user  # hansroh``).
    """

    name: str
    realm: str = ""
    info: Any = None
    scheme: str = ""
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def username(self) -> str:
        return self.name

    @property
    def userinfo(self) -> Any:
        return self.info

    def __str__(self) -> str:
        return self.name


def normalize_scheme(scheme: Any) -> str | None:
    """``"digest"``/``"Basic"``/``True``/``None`` into a known scheme name (``True`` = digest)."""
    if scheme is None or scheme is False:
        return None
    if scheme is True:
        return "digest"
    if isinstance(scheme, str) and scheme.lower() in AUTH_SCHEMES:
        return scheme.lower()
    raise ValueError(f"authenticate must be one of {AUTH_SCHEMES} (or True for digest), not {scheme!r}")


def normalize_entry(entry: PasswordEntry) -> tuple[str, bool, Any] | None:
    """A password lookup's answer as ``(password, encrypted, userinfo)``."""
    if entry is None:
        return None
    if isinstance(entry, str):
        return entry, False, None
    if isinstance(entry, (tuple, list)) and 1 <= len(entry) <= 3 and isinstance(entry[0], str):
        encrypted = bool(entry[1]) if len(entry) > 1 else False
        return entry[0], encrypted, entry[2] if len(entry) > 2 else None
    raise TypeError(
        "a password entry must be 'password', (password, encrypted) or "
        f"(password, encrypted, userinfo), not {type(entry).__name__}"
    )


def jwt_bearer_check(secret: str | bytes | None, realm: str = "") -> BearerCheck:
    """The default bearer check: the token must be a JWT signed with the app's key."""

    def check(token: str) -> AuthUser | str:
        if not secret:
            return "server has no secret key for bearer tokens"
        claims = decode_jwt(token, secret)
        if "err" in claims:
            return str(claims["err"])
        name = claims.get("username") or claims.get("sub") or claims.get("uid") or ""
        return AuthUser(str(name), realm, claims, "bearer", claims)

    return check


class Authenticator:
    """Checks one request's ``Authorization`` header for a realm.

    Example:
        >>> auth = Authenticator("App", "secret")
        >>> header = "Basic " + base64.b64encode(b"hans:1234").decode()
        >>> auth.authenticate("basic", "GET", "/", header, {"hans": "1234"}.get).name
        'hans'
    """

    def __init__(
        self,
        realm: str,
        secret: str | bytes | None,
        nonce_ttl: float = 300.0,
        clock: Callable[[], float] = time.time,
        replays: Callable[[str, float], bool] | None = None,
    ) -> None:
        self.realm = realm
        # Digest nonces need a key; without an app key one random per process
        # still works (a restart only makes clients retry with stale=true).
        self._digest = DigestAuth(realm, secret or _process_key(), nonce_ttl, clock, replays)

    def challenge(self, scheme: str, stale: bool = False, error: str | None = None) -> list[tuple[str, str]]:
        """The ``WWW-Authenticate`` headers of a 401 for ``scheme``."""
        realm = self.realm.replace("\\", "\\\\").replace('"', '\\"')
        if scheme == "digest":
            return [("WWW-Authenticate", value) for value in self._digest.challenges(stale)]
        if scheme == "bearer":
            value = f'Bearer realm="{realm}"'
            if error:
                # RFC 6750 3.1; the description never echoes the token
                description = error.replace("\\", "\\\\").replace('"', "'")
                value += f', error="invalid_token", error_description="{description}"'
            return [("WWW-Authenticate", value)]
        return [("WWW-Authenticate", f'Basic realm="{realm}", charset="UTF-8"')]

    def refuse(self, scheme: str, reason: str, stale: bool = False) -> SecurityError:
        bearer_error = reason if scheme == "bearer" and reason != "authorization required" else None
        return SecurityError(401, reason, self.challenge(scheme, stale, bearer_error))

    def authenticate(
        self,
        scheme: str,
        method: str,
        request_uri: str,
        authorization: str | None,
        lookup: PasswordLookup | None = None,
        bearer_check: BearerCheck | None = None,
    ) -> AuthUser:
        """The authenticated user, or raise ``SecurityError(401)`` with the challenge."""
        given, _, credentials = (authorization or "").strip().partition(" ")
        if given.lower() != scheme or not credentials.strip():
            raise self.refuse(scheme, "authorization required")
        credentials = credentials.strip()
        if scheme == "bearer":
            check = bearer_check or jwt_bearer_check(None, self.realm)
            token = bearer_token(authorization) or ""
            result = check(token)
            if isinstance(result, AuthUser):
                return result
            raise self.refuse(scheme, str(result or "invalid token"))
        if lookup is None:
            raise self.refuse(scheme, "no users are configured")
        if scheme == "basic":
            return self._basic(credentials, lookup)
        return self._digest_user(credentials, method, request_uri, lookup)

    def _basic(self, credentials: str, lookup: PasswordLookup) -> AuthUser:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeError):
            raise self.refuse("basic", "malformed basic credentials") from None
        username, sep, password = decoded.partition(":")
        entry = normalize_entry(lookup(username)) if sep else None
        if entry is None:
            raise self.refuse("basic", "unknown user or wrong password")
        stored, encrypted, info = entry
        offered = self._digest.ha1(username, password, "MD5") if encrypted else password
        if not constant_time_equals(offered, stored):
            raise self.refuse("basic", "unknown user or wrong password")
        return AuthUser(username, self.realm, info, "basic")

    def _digest_user(self, credentials: str, method: str, request_uri: str, lookup: PasswordLookup) -> AuthUser:
        params = parse_auth_params(credentials)
        found: dict[str, Any] = {}

        def ha1_for(username: str, algorithm: str) -> str | None:
            entry = normalize_entry(lookup(username))
            if entry is None:
                return None
            stored, encrypted, info = entry
            found["info"] = info
            if encrypted:
                # the stored HA1 is MD5 (as documented); it cannot answer a SHA-256 challenge
                return stored.lower() if algorithm == "MD5" else None
            return self._digest.ha1(username, stored, algorithm)

        ok, stale, reason = self._digest.verify(params, method, request_uri, ha1_for)
        if not ok:
            raise self.refuse("digest", reason, stale)
        return AuthUser(params["username"], self.realm, found.get("info"), "digest")


#: made at import, before the workers fork, so every worker of a host checks the
#: others' nonces; across hosts give the app a key (``app.securekey``)
_PROCESS_KEY = secrets.token_bytes(32)


def _process_key() -> bytes:
    return _PROCESS_KEY
