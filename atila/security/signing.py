"""Signed values for cookies: JSON payloads that the browser keeps and cannot alter.

Sessions, the message box and CSRF all store state on the client (a session
is one signed cookie value), so they share this one codec.  The salt names the
purpose, so a value signed for one purpose (a session namespace) never
verifies as another.
"""

from __future__ import annotations

import hmac
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

__all__ = ["SignedCodec", "secret_bytes", "constant_time_equals"]


def secret_bytes(secret: str | bytes) -> bytes:
    """The secret as bytes; an empty secret is refused (it would sign nothing)."""
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    if not secret:
        raise ValueError("the secret key is empty")
    return secret


def constant_time_equals(a: str | bytes | None, b: str | bytes | None) -> bool:
    """Compare secrets without leaking where they differ (timing)."""
    if a is None or b is None:
        return False
    if isinstance(a, str):
        a = a.encode("utf-8")
    if isinstance(b, str):
        b = b.encode("utf-8")
    return hmac.compare_digest(a, b)


class SignedCodec:
    """Sign and verify JSON-able payloads with an HMAC (itsdangerous).

    Example:
        >>> codec = SignedCodec("k3y", "atila.session")
        >>> codec.loads(codec.dumps({"a": 1}))
        {'a': 1}
        >>> SignedCodec("other", "atila.session").loads(codec.dumps({"a": 1})) is None
        True
    """

    __slots__ = ("_serializer",)

    def __init__(self, secret: str | bytes, purpose: str) -> None:
        self._serializer = URLSafeSerializer(secret_bytes(secret), salt=purpose)

    def dumps(self, payload: Any) -> str:
        token = self._serializer.dumps(payload)
        return token if isinstance(token, str) else token.decode("ascii")

    def loads(self, token: str | None) -> Any:
        """The payload, or None when the token is missing, tampered or foreign."""
        if not token:
            return None
        try:
            return self._serializer.loads(token)
        except (BadData, ValueError, UnicodeError):
            return None
