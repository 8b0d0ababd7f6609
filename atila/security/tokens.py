"""Tokens signed with the app's key: JWT (PyJWT), one-time tokens (itsdangerous), OTP (pyotp).

- JWTs carry claims for API clients; a bad one decodes to ``{"err": reason}``
  (``if "err" in claims: return claims["err"]``) instead of raising,
  so permission handlers can branch on it.
- One-time tokens carry any JSON value with an expiry, for links sent by mail;
  a revoked token (``revoke_ott``) is remembered until it would have expired
  anyway, so a replayed link decodes to None.
- One-time passwords are TOTP codes (RFC 6238) derived from the secret key, so
  a client holding the same key computes them with ``generate_otp(key)``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import jwt
import pyotp
from itsdangerous import BadData, URLSafeTimedSerializer

from .signing import secret_bytes

__all__ = [
    "encode_jwt",
    "jwt_key",
    "decode_jwt",
    "bearer_token",
    "OneTimeTokens",
    "RevocationStore",
    "MemoryRevocationStore",
    "otp_secret",
    "generate_otp",
    "verify_otp",
    "JWT_ALGORITHMS",
]

#: HMAC algorithms only: the app's key is a shared secret, and an allow-list
#: rules out "none" and algorithm-confusion attacks (RFC 8725 3.1).
JWT_ALGORITHMS = ("HS256", "HS384", "HS512")


# JWT ----------------------------------------------------------------------
_MIN_KEY_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}


def jwt_key(secret: str | bytes, algorithm: str = "HS256") -> bytes:
    """The HMAC key for ``algorithm``: the secret itself when long enough.

    RFC 7518 3.2 wants a key at least as long as the hash; a shorter secret
    (common in the documentation's examples) is stretched with SHA-512 so PyJWT does
    not warn on every call.  Stretching adds no entropy: share tokens with
    other systems by giving the app a secret of 64 bytes or more.
    """
    raw = secret_bytes(secret)
    if len(raw) >= _MIN_KEY_BYTES.get(algorithm, 64):
        return raw
    return hashlib.sha512(b"atila.jwt:" + raw).digest()


def encode_jwt(claims: Mapping[str, Any], secret: str | bytes, algorithm: str = "HS256") -> str:
    """Sign claims into a compact JWT.

    Example:
        >>> token = encode_jwt({"username": "hans"}, "k")
        >>> decode_jwt(token, "k")
        {'username': 'hans'}
    """
    if algorithm not in JWT_ALGORITHMS:
        raise ValueError(f"JWT algorithm must be one of {JWT_ALGORITHMS}, not {algorithm!r}")
    if not isinstance(claims, Mapping):
        raise TypeError(f"JWT claims must be a dict, not {type(claims).__name__}")
    return jwt.encode(dict(claims), jwt_key(secret, algorithm), algorithm=algorithm)


_JWT_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "token expired"),
    (jwt.ImmatureSignatureError, "token not yet valid"),
    (jwt.InvalidSignatureError, "invalid signature"),
    (jwt.InvalidAlgorithmError, "algorithm not allowed"),
    (jwt.DecodeError, "malformed token"),
)


def decode_jwt(
    token: str | None,
    secret: str | bytes,
    algorithms: tuple[str, ...] | list[str] = JWT_ALGORITHMS,
    leeway: float = 0,
) -> dict[str, Any]:
    """The token's claims, or ``{"err": reason}`` when it is missing, bad or expired."""
    if not token:
        return {"err": "no token"}
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
        if not isinstance(algorithm, str) or algorithm not in algorithms:
            return {"err": "algorithm not allowed"}
        claims = jwt.decode(token, jwt_key(secret, algorithm), algorithms=[algorithm], leeway=leeway)
    except jwt.InvalidTokenError as exc:
        for kind, reason in _JWT_REASONS:
            if isinstance(exc, kind):
                return {"err": reason}
        return {"err": f"invalid token: {exc}"}
    if not isinstance(claims, dict):
        return {"err": "malformed token"}
    return claims


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (RFC 6750 2.1)."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


# one-time tokens -----------------------------------------------------------
class RevocationStore(Protocol):
    """Where revoked one-time tokens are remembered (one per app; shared by its workers)."""

    def revoke(self, token_id: str, until: float) -> None: ...

    def is_revoked(self, token_id: str) -> bool: ...


class MemoryRevocationStore:
    """Revoked token ids in memory, each forgotten once its token has expired anyway.

    Process-local: with several worker processes give the app a shared store.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def revoke(self, token_id: str, until: float) -> None:
        with self._lock:
            now = self._clock()
            for key in [k for k, t in self._until.items() if t <= now]:
                del self._until[key]
            self._until[token_id] = until

    def is_revoked(self, token_id: str) -> bool:
        with self._lock:
            until = self._until.get(token_id)
            return until is not None and until > self._clock()


class OneTimeTokens:
    """``encode_ott`` / ``decode_ott`` / ``revoke_ott``.

    ``key`` (the documented third argument, e.g. "pwrset") names what the token is
    for: it is signed into the token and must be given again to decode when
    the caller wants to be sure of the purpose.

    Example:
        >>> ott = OneTimeTokens("k")
        >>> token = ott.encode("hans", 3600, "pwrset")
        >>> ott.decode(token)
        'hans'
        >>> ott.revoke(token)
        >>> ott.decode(token) is None
        True
    """

    def __init__(
        self,
        secret: str | bytes,
        store: RevocationStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._serializer = _ClockedSerializer(secret_bytes(secret), salt="atila.ott", clock=clock)
        self._store = store if store is not None else MemoryRevocationStore(clock)

    def encode(self, obj: Any, timeout: float = 3600, key: str | None = None) -> str:
        if timeout <= 0:
            raise ValueError(f"one-time token timeout must be positive seconds, not {timeout!r}")
        payload = {"d": obj, "t": float(timeout), "i": secrets.token_urlsafe(12), "k": key}
        token = self._serializer.dumps(payload)
        return token if isinstance(token, str) else token.decode("ascii")

    def _payload(self, token: str | None) -> dict[str, Any] | None:
        if not token or not isinstance(token, str):
            return None
        try:
            payload, signed_at = self._serializer.loads(token, return_timestamp=True)
        except (BadData, ValueError, UnicodeError):
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("t"), (int, float)):
            return None
        expires = signed_at.timestamp() + payload["t"]
        if expires <= self._clock():
            return None
        payload["expires"] = expires
        return payload

    def decode(self, token: str | None, key: str | None = None) -> Any:
        """The token's value; None when tampered, expired, revoked or of another ``key``."""
        payload = self._payload(token)
        if payload is None or self._store.is_revoked(payload["i"]):
            return None
        if key is not None and payload.get("k") != key:
            return None
        return payload["d"]

    def revoke(self, token: str | None) -> None:
        """Make a (valid) token decode to None from now on."""
        payload = self._payload(token)
        if payload is not None:
            self._store.revoke(payload["i"], payload["expires"])


class _ClockedSerializer(URLSafeTimedSerializer):
    """itsdangerous takes the signing time from ``time.time``; tests inject a clock."""

    def __init__(self, secret: bytes, salt: str, clock: Callable[[], float]) -> None:
        super().__init__(secret, salt=salt)
        self._clock = clock

    def make_signer(self, salt: Any = None) -> Any:
        # NOTE: itsdangerous types the result as its base Signer; ours is timed.
        signer: Any = super().make_signer(salt)
        clock = self._clock
        signer.get_timestamp = lambda: int(clock())
        return signer


# one-time passwords --------------------------------------------------------
def otp_secret(secret: str | bytes) -> str:
    """The base32 TOTP secret derived from the app key (any text can be a key)."""
    digest = hashlib.sha256(b"atila.otp:" + secret_bytes(secret)).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=")


def generate_otp(secret: str | bytes, interval: int = 30, now: float | None = None) -> str:
    """The current 6-digit code for ``secret`` (what a client sends as its OTP)."""
    totp = pyotp.TOTP(otp_secret(secret), interval=interval)
    return totp.at(time.time() if now is None else now)


def verify_otp(
    code: str | None,
    secret: str | bytes,
    interval: int = 30,
    valid_window: int = 1,
    now: float | None = None,
) -> bool:
    """True when ``code`` is the code of this, the previous or the next interval."""
    if not code or not isinstance(code, str) or not code.strip().isdigit():
        return False
    totp = pyotp.TOTP(otp_secret(secret), interval=interval)
    # pyotp compares each candidate with hmac.compare_digest
    return bool(totp.verify(code.strip(), for_time=time.time() if now is None else now, valid_window=valid_window))
