"""ProxyPass: forward the request to an upstream and stream its answer back
(``was.ProxyPass("@myupstream", path)``, also spelled ``was.proxypass``).

The upstream is a URL (``"http://127.0.0.1:8080"``) or an ``@alias`` resolved by
the engine's alias registry.  httpx.AsyncClient does the HTTP; one client per
app and worker is reused (connection pooling) and closed at shutdown.
"""

from __future__ import annotations

from typing import Any, Callable

from .base import Response, RunInThread

__all__ = ["ProxyPass", "HOP_BY_HOP"]

# RFC 9110 7.6.1: connection-specific fields are never forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)


class ProxyPass(Response):
    """Answer with what ``upstream`` + ``path`` answers.  502 when it cannot be
    reached, 504 when it is too slow."""

    __slots__ = ("upstream", "path", "timeout", "_request", "_client_factory", "_resolve")

    one_write = False

    def __init__(self, upstream: str, path: str | None = None, timeout: float = 3.0) -> None:
        super().__init__(None, b"", None)
        self.upstream = upstream
        self.path = path or ""
        self.timeout = timeout
        self._request: Any = None
        self._client_factory: Callable[[], Any] | None = None
        self._resolve: Callable[[str], str] | None = None

    def prepare(self, context: Any) -> None:
        if context is None or context.request is None:
            return
        self._request = context.request
        self._client_factory = context.app.http_client
        self._resolve = context.app.resolve_upstream

    def target_url(self) -> str:
        base = self._resolve(self.upstream) if self._resolve else self.upstream
        if not base.startswith(("http://", "https://")):
            raise ValueError(f"ProxyPass upstream must be an http(s) URL or a known @alias, got {self.upstream!r}")
        path = self.path if self.path.startswith("/") or not self.path else "/" + self.path
        url = base.rstrip("/") + path
        query = self._request.query if self._request is not None else ""
        return f"{url}?{query}" if query else url

    async def send(self, responder: Any, run_in_thread: RunInThread) -> None:
        import httpx

        request = self._request
        if request is None or self._client_factory is None:
            raise RuntimeError("ProxyPass must be returned from a request handler")
        try:
            url = self.target_url()
        except ValueError as exc:
            responder.respond(502, [("Content-Type", "text/plain; charset=utf-8")], str(exc).encode())
            return
        headers = [(k, v) for k, v in request.get_headers() if k.lower() not in HOP_BY_HOP]
        body = await request.read_body() if request.method not in ("GET", "HEAD") else b""
        client = self._client_factory()
        try:
            upstream = client.build_request(request.method, url, headers=headers, content=body, timeout=self.timeout)
            reply = await client.send(upstream, stream=True)
        except httpx.TimeoutException:
            responder.respond(504, [("Content-Type", "text/plain; charset=utf-8")], b"upstream timed out")
            return
        except httpx.HTTPError as exc:
            responder.respond(502, [("Content-Type", "text/plain; charset=utf-8")], f"upstream failed: {exc}".encode())
            return
        try:
            out = [(k, v) for k, v in reply.headers.multi_items() if k.lower() not in HOP_BY_HOP]
            out = [(k, v) for k, v in out if k.lower() != "content-encoding"]
            responder.start(reply.status_code, out)
            async for chunk in reply.aiter_bytes():
                if responder.closed:
                    break
                await responder.write(chunk)
            responder.end()
        finally:
            await reply.aclose()
