"""Cross-Origin Resource Sharing (Fetch standard, "CORS protocol"), app-wide or per route.

Configured by ``access_control_allow_origin`` (a list of origins, ``"*"`` for
any) and ``access_control_max_age`` (documented), plus our additions
``access_control_allow_headers``, ``access_control_expose_headers`` and
``access_control_allow_credentials``.

Decisions:
- A request whose ``Origin`` is the server's own origin is not cross-origin
  and is never refused (browsers send ``Origin`` on same-origin POSTs).
- A cross-origin request from an origin not on the list gets 403, preflight
  or not, so a misconfigured client learns why instead of seeing an opaque
  browser error.
- Credentials are allowed by default for listed origins, not for ``"*"``:
  letting every site send the user's cookies and read the answer would undo
  CSRF protection.  With credentials the origin is echoed, never ``*``.
- Every answer that depends on the origin carries ``Vary: Origin`` so caches
  keep one copy per origin.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import SecurityError

__all__ = ["CorsPolicy", "is_preflight"]

Headers = list[tuple[str, str]]
_ANY_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def is_preflight(method: str, origin: str | None, request_method: str | None) -> bool:
    """An OPTIONS request with ``Origin`` and ``Access-Control-Request-Method``."""
    return method.upper() == "OPTIONS" and bool(origin) and bool(request_method)


def _same_origin(origin: str, scheme: str, host: str | None) -> bool:
    return bool(host) and origin.lower() == f"{scheme}://{host}".lower()


@dataclass(frozen=True)
class CorsPolicy:
    """One CORS configuration (an app's, or a route's overriding it).

    Example:
        >>> policy = CorsPolicy(["https://a.example"], max_age=600)
        >>> dict(policy.preflight("https://a.example", "POST", "x-token", ["GET", "POST"]))["Access-Control-Max-Age"]
        '600'
    """

    allow_origin: tuple[str, ...] = ()
    max_age: int | None = None
    allow_headers: tuple[str, ...] | None = None
    expose_headers: tuple[str, ...] = ()
    allow_credentials: bool | None = None
    allow_methods: tuple[str, ...] | None = None

    @classmethod
    def build(
        cls,
        allow_origin: Iterable[str] | str | None,
        max_age: int | None = None,
        allow_headers: Iterable[str] | None = None,
        expose_headers: Iterable[str] | None = None,
        allow_credentials: bool | None = None,
        allow_methods: Iterable[str] | None = None,
    ) -> "CorsPolicy":
        origins = (allow_origin,) if isinstance(allow_origin, str) else tuple(allow_origin or ())
        # the docs show [""] for "fill in your origin": an empty entry allows nothing
        origins = tuple(o.rstrip("/") for o in origins if o)
        if max_age is not None and (not isinstance(max_age, int) or max_age < 0):
            raise ValueError(f"access_control_max_age must be non-negative seconds, not {max_age!r}")
        return cls(
            origins,
            max_age,
            None if allow_headers is None else tuple(h.lower() for h in allow_headers),
            tuple(expose_headers or ()),
            allow_credentials,
            None if allow_methods is None else tuple(m.upper() for m in allow_methods),
        )

    @property
    def enabled(self) -> bool:
        return bool(self.allow_origin)

    @property
    def any_origin(self) -> bool:
        return "*" in self.allow_origin

    def credentials(self) -> bool:
        return (not self.any_origin) if self.allow_credentials is None else self.allow_credentials

    def allows(self, origin: str) -> bool:
        return self.any_origin or origin.rstrip("/") in self.allow_origin

    def _origin_headers(self, origin: str) -> Headers:
        if self.any_origin and not self.credentials():
            return [("Access-Control-Allow-Origin", "*"), ("Vary", "Origin")]
        headers = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        if self.credentials():
            headers.append(("Access-Control-Allow-Credentials", "true"))
        return headers

    def check(self, origin: str | None, scheme: str = "http", host: str | None = None) -> bool:
        """True for a cross-origin request this policy must answer; raises 403 for a refused one."""
        if not self.enabled or not origin or _same_origin(origin, scheme, host):
            return False
        if not self.allows(origin):
            raise SecurityError(403, f"origin {origin} is not allowed", [("Vary", "Origin")])
        return True

    def preflight(
        self,
        origin: str,
        request_method: str,
        request_headers: str | None,
        route_methods: Iterable[str] | None,
    ) -> Headers:
        """Headers of the answer to an allowed origin's preflight; 403 for a method not offered.

        ``route_methods`` None means the route takes any method.
        """
        offered = self.allow_methods or route_methods or _ANY_METHODS
        methods = [m.upper() for m in offered]
        if request_method.upper() not in methods:
            raise SecurityError(403, f"method {request_method} is not allowed for this resource", [("Vary", "Origin")])
        requested = [h.strip().lower() for h in (request_headers or "").split(",") if h.strip()]
        if self.allow_headers is not None:
            refused = [h for h in requested if h not in self.allow_headers]
            if refused:
                raise SecurityError(403, f"request headers not allowed: {', '.join(refused)}", [("Vary", "Origin")])
            allowed_headers = list(self.allow_headers)
        else:
            allowed_headers = requested  # no list configured: allow what the client asks for
        # one Vary field: frameworks may replace a repeated one
        headers = [h for h in self._origin_headers(origin) if h[0] != "Vary"]
        headers.append(("Access-Control-Allow-Methods", ", ".join(dict.fromkeys(methods))))
        if allowed_headers:
            headers.append(("Access-Control-Allow-Headers", ", ".join(allowed_headers)))
        if self.max_age is not None:
            headers.append(("Access-Control-Max-Age", str(self.max_age)))
        headers.append(("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"))
        return headers

    def response_headers(self, origin: str) -> Headers:
        """Headers to add to the actual (non-preflight) answer to an allowed origin."""
        headers = self._origin_headers(origin)
        if self.expose_headers:
            headers.append(("Access-Control-Expose-Headers", ", ".join(self.expose_headers)))
        return headers
