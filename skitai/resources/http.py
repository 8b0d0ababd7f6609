"""HTTP(S) upstream aliases (``skitai.PROTO_HTTP`` / ``PROTO_HTTPS``) on httpx.

One sync and one async client per alias and worker (HTTP/1.1 keep-alive pools
of ``pool_size`` connections per member).  Load balancing tries members in
weighted order and skips one that refuses connections; ``map`` sends to every
member.
"""

from __future__ import annotations

from typing import Any

from .balancer import Balancer
from .errors import PoolExhausted
from .kinds import PROTO_HTTPS
from .members import as_list, parse_member

__all__ = ["HTTPBackend"]


class HTTPBackend:
    dialect = "http"
    has_async = True

    def __init__(self, alias: Any) -> None:
        self.name = alias.name
        default_scheme = "https" if alias.kind == PROTO_HTTPS else "http"
        urls, weights = [], []
        for text in as_list(alias.members):
            member = parse_member(text)
            if not member.host:
                raise ValueError(f"HTTP alias {alias.name}: member {text!r} has no host")
            scheme = member.scheme or default_scheme
            if scheme not in ("http", "https"):
                raise ValueError(f"HTTP alias {alias.name}: member {text!r} is not http(s)")
            path = "/" + member.path.strip("/") if member.path else ""
            urls.append(f"{scheme}://{member.netloc}{path}")
            weights.append(member.weight)
        self.urls = urls
        self.balancer: Balancer[str] = Balancer(urls, weights)
        self.size = int(alias.option("pool_size"))
        self.pool_timeout = float(alias.option("pool_timeout"))
        self.timeout = float(alias.option("timeout"))
        self._sync: Any = None
        self._async: Any = None

    def base_urls(self) -> list[str]:
        return self.balancer.order()

    def _settings(self) -> dict[str, Any]:
        import httpx

        return {
            "limits": httpx.Limits(max_connections=self.size, max_keepalive_connections=self.size),
            "timeout": httpx.Timeout(self.timeout, pool=self.pool_timeout),
            "follow_redirects": False,
        }

    def client(self) -> Any:
        if self._sync is None:
            import httpx

            self._sync = httpx.Client(**self._settings())
        return self._sync

    def aclient(self) -> Any:
        if self._async is None:
            import httpx

            self._async = httpx.AsyncClient(**self._settings())
        return self._async

    def send(self, base: str, method: str, path: str, **options: Any) -> Any:
        import httpx

        try:
            return self.client().request(method, base + path, **options)
        except httpx.PoolTimeout:
            raise PoolExhausted(self.name, self.pool_timeout) from None

    async def asend(self, base: str, method: str, path: str, **options: Any) -> Any:
        import httpx

        try:
            return await self.aclient().request(method, base + path, **options)
        except httpx.PoolTimeout:
            raise PoolExhausted(self.name, self.pool_timeout) from None

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        self.close()
        if self._async is not None:
            client, self._async = self._async, None
            await client.aclose()
