"""HTTP Digest access authentication (RFC 7616), server side.

Supports ``qop=auth`` with MD5 and SHA-256 (and their ``-sess`` variants).
Nonces are stateless: ``timestamp:random:mac`` where the mac is an HMAC of
the rest with the app's secret, so any worker can check a nonce without
shared storage, and a nonce older than ``ttl`` is answered with
``stale=true`` (RFC 7616 3.3) so the client retries without asking the user.

A captured answer must not work twice: with ``replays`` given, each
(nonce, nc, cnonce) is claimed once in the cross-worker state, so a replay is
refused by every worker (clients count ``nc`` up, so honest ones never repeat).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from .signing import constant_time_equals, secret_bytes

__all__ = ["DigestAuth", "parse_auth_params", "DIGEST_ALGORITHMS", "NonceState"]

DIGEST_ALGORITHMS: dict[str, Callable[[bytes], Any]] = {
    "SHA-256": hashlib.sha256,
    "MD5": hashlib.md5,
}

_PARAM = re.compile(r'\s*([A-Za-z0-9_\-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)\s*(?:,|$)')


def parse_auth_params(text: str) -> dict[str, str]:
    """``k=v, k2="quoted, value"`` into a dict with lower-case names (RFC 9110 11.2).

    Example:
        >>> parse_auth_params('username="Mufasa", qop=auth, uri="/a,b"')
        {'username': 'Mufasa', 'qop': 'auth', 'uri': '/a,b'}
    """
    params: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        match = _PARAM.match(text, pos)
        if not match or match.end() == pos:
            break
        name, value = match.group(1).lower(), match.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params.setdefault(name, value)
        pos = match.end()
    return params


class NonceState:
    VALID = "valid"
    STALE = "stale"
    INVALID = "invalid"


class DigestAuth:
    """Issue challenges and check ``Authorization: Digest`` answers for one realm.

    ``ha1_for(username, algorithm)`` returns the user's HA1 hex digest
    (``H(username:realm:password)``) or None for an unknown user.
    """

    def __init__(
        self,
        realm: str,
        secret: str | bytes,
        ttl: float = 300.0,
        clock: Callable[[], float] = time.time,
        replays: Callable[[str, float], bool] | None = None,
    ) -> None:
        self.realm = realm
        self._secret = secret_bytes(secret)
        self.ttl = ttl
        self.clock = clock
        #: ``replays(answer_id, until)`` is True the first time an answer is seen
        self.replays = replays
        self.opaque = hmac.new(self._secret, b"opaque:" + realm.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    # nonces ---------------------------------------------------------------
    def _mac(self, body: str) -> str:
        message = f"{body}:{self.realm}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]

    def make_nonce(self) -> str:
        body = f"{int(self.clock())}:{secrets.token_hex(8)}"
        raw = f"{body}:{self._mac(body)}".encode("ascii")
        return base64.urlsafe_b64encode(raw).decode("ascii")

    def check_nonce(self, nonce: str) -> str:
        try:
            timestamp, rand, mac = base64.urlsafe_b64decode(nonce.encode("ascii")).decode("ascii").split(":")
            issued = int(timestamp)
        except (ValueError, UnicodeError):
            return NonceState.INVALID
        if not constant_time_equals(mac, self._mac(f"{timestamp}:{rand}")):
            return NonceState.INVALID
        if not 0 <= self.clock() - issued <= self.ttl:
            return NonceState.STALE
        return NonceState.VALID

    # challenge ------------------------------------------------------------
    def challenges(self, stale: bool = False) -> list[str]:
        """``WWW-Authenticate`` values, SHA-256 first (RFC 7616 3.7: preferred first)."""
        nonce = self.make_nonce()
        values = []
        for algorithm in DIGEST_ALGORITHMS:
            value = (
                f'Digest realm="{_quote(self.realm)}", qop="auth", algorithm={algorithm}, '
                f'nonce="{nonce}", opaque="{self.opaque}"'
            )
            if stale:
                value += ", stale=true"
            values.append(value)
        return values

    # verification ---------------------------------------------------------
    def verify(
        self,
        params: dict[str, str],
        method: str,
        request_uri: str,
        ha1_for: Callable[[str, str], str | None],
    ) -> tuple[bool, bool, str]:
        """Check one answer: ``(ok, stale, reason)``."""
        required = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
        missing = [name for name in required if not params.get(name)]
        if missing:
            return False, False, f"digest answer lacks {', '.join(missing)}"
        if params["qop"] != "auth":
            return False, False, "only qop=auth is supported"
        algorithm = params.get("algorithm", "MD5")
        base = algorithm.upper().removesuffix("-SESS")
        hash_factory = DIGEST_ALGORITHMS.get(base)
        if hash_factory is None:
            return False, False, f"unsupported digest algorithm {algorithm}"
        if params["realm"] != self.realm:
            return False, False, "realm mismatch"
        if params["uri"] != request_uri:
            return False, False, "digest uri does not match the request"
        state = self.check_nonce(params["nonce"])
        if state == NonceState.INVALID:
            return False, False, "invalid nonce"
        ha1 = ha1_for(params["username"], base)
        if ha1 is None:
            return False, False, "unknown user or unusable password"

        def h(text: str) -> str:
            return str(hash_factory(text.encode("utf-8")).hexdigest())

        if algorithm.upper().endswith("-SESS"):
            ha1 = h(f"{ha1}:{params['nonce']}:{params['cnonce']}")
        ha2 = h(f"{method}:{params['uri']}")
        expected = h(f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:auth:{ha2}")
        if not constant_time_equals(expected, params["response"].lower()):
            return False, False, "password mismatch"
        if state == NonceState.STALE:
            # right password, old nonce: the client retries with a fresh one
            return False, True, "nonce expired"
        answer = f"{params['nonce']}:{params['nc']}:{params['cnonce']}"
        if self.replays is not None and not self.replays(answer, self.clock() + self.ttl):
            # stale=true: an honest client that resent by mistake retries with a fresh nonce
            return False, True, "digest answer replayed (this nonce count was used already)"
        return True, False, ""

    def ha1(self, username: str, password: str, algorithm: str) -> str:
        """``H(username:realm:password)`` for a clear-text password."""
        return str(DIGEST_ALGORITHMS[algorithm](f"{username}:{self.realm}:{password}".encode()).hexdigest())


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
