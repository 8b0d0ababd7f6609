"""Requests to HTTP upstreams, as tasks: what ``context.stub`` and the RPC stubs
send.  Each request goes to one member of an ``@alias`` (load balancing: a
member refusing connections is skipped and the next one tried), to every
member (``map``), or to a plain URL.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, Callable, Iterator

from skitai.resources import current_registry
from skitai.resources.errors import ResourceUnavailable, TaskTimeout
from skitai.resources.kinds import HTTP_KINDS, STA_NETERR, STA_NORMAL, STA_REQFAIL, STA_TIMEOUT, STA_UNSENT

from ..responses.errors import HttpError
from .base import Task
from .runner import current_runner, on_loop

__all__ = ["UpstreamResponse", "UpstreamTask", "MapTask", "Upstream", "split_target"]


class UpstreamResponse:
    """One upstream answer.  ``status`` is the request's fate (``STA_NORMAL``
    when an HTTP answer came, whatever its code); ``status_code`` the HTTP code."""

    def __init__(self, url: str, status: int, raw: Any = None, error: BaseException | None = None) -> None:
        self.url = url
        self.status = status
        self.raw = raw
        self.error = error
        self.status_code: int | None = raw.status_code if raw is not None else None
        self.reason: str = raw.reason_phrase if raw is not None else str(error or "")
        self.headers: Any = raw.headers if raw is not None else {}

    @property
    def content(self) -> bytes:
        return bytes(self.raw.content) if self.raw is not None else b""

    @property
    def text(self) -> str:
        return str(self.raw.text) if self.raw is not None else ""

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def data(self) -> Any:
        """JSON answers decoded, anything else as text."""
        if self.raw is None:
            return None
        if "json" in self.headers.get("content-type", ""):
            try:
                return self.json()
            except ValueError:
                return self.text
        return self.text

    def ok(self) -> bool:
        return self.status == STA_NORMAL and self.status_code is not None and self.status_code < 400

    def __repr__(self) -> str:
        return f"<UpstreamResponse {self.url} status={self.status} {self.status_code}>"


def _data_or_raise(response: UpstreamResponse) -> Any:
    if response.error is not None:
        raise response.error
    if response.status_code is not None and response.status_code >= 400:
        raise HttpError(502, f"upstream {response.url} answered {response.status_code} {response.reason}")
    return response.data


class UpstreamTask(Task):
    """``fetch()`` gives the answer's data (JSON decoded) and raises for a 4xx/5xx
    answer (502) or a failed request; ``dispatch()`` gives the response itself."""

    kind = "request"

    def __init__(self, future: Any, transform: Callable[[UpstreamResponse], Any], **options: Any) -> None:
        super().__init__(future, **options)
        self.transform = transform

    def _raw(self, timeout: float | None = None) -> Any:
        return self.transform(super()._raw(timeout))

    def dispatch(self, timeout: float | None = None) -> Any:
        try:
            return Task._raw(self, timeout)
        except TaskTimeout as exc:
            return UpstreamResponse(self.label, STA_TIMEOUT, error=exc)
        except Exception as exc:
            return UpstreamResponse(
                self.label, STA_NETERR if isinstance(exc, ResourceUnavailable) else STA_REQFAIL, error=exc
            )


class MapTask(UpstreamTask):
    """Fan-out: ``dispatch()`` gives every member's response (never raises),
    ``fetch()`` every member's data (raising the first failure)."""

    def _raw(self, timeout: float | None = None) -> Any:
        return [self.transform(response) for response in Task._raw(self, timeout)]

    def dispatch(self, timeout: float | None = None) -> Any:
        if not self._block(timeout):
            return [UpstreamResponse(self.label, STA_UNSENT, error=TaskTimeout(self.label, self.timeout))]
        return self.future.result()


def split_target(target: str) -> tuple[str | None, str]:
    """``"@api/v1"`` -> ``("@api", "/v1")``; ``"http://h/v1"`` -> ``(None, "http://h/v1")``."""
    if not isinstance(target, str) or not target:
        raise ValueError(f"an upstream is '@alias[/path]' or an http(s) URL, got {target!r}")
    if target.startswith("@"):
        name, slash, path = target.partition("/")
        return name, (slash + path).rstrip("/")
    if target.startswith(("http://", "https://")):
        return None, target.rstrip("/")
    raise ValueError(f"an upstream is '@alias[/path]' or an http(s) URL, got {target!r}")


def _classify(exc: BaseException) -> int:
    import httpx

    if isinstance(exc, (httpx.TimeoutException, TaskTimeout)):
        return STA_TIMEOUT
    if isinstance(exc, (httpx.NetworkError, ResourceUnavailable, httpx.RemoteProtocolError)):
        return STA_NETERR
    return STA_REQFAIL


class Upstream:
    """Where requests go: an alias (with balancing) or one URL."""

    def __init__(self, target: str, timeout: float | None = None) -> None:
        self.name, self.prefix = split_target(target)
        self.backend: Any = None
        if self.name is not None:
            registry = current_registry()
            alias = registry.get(self.name)
            if alias.kind not in HTTP_KINDS:
                raise ValueError(f"{self.name} is a {alias.kind} alias, not an HTTP upstream")
            self.backend = registry.backend(self.name)
            self.timeout = float(timeout if timeout is not None else alias.option("timeout"))
        else:
            self.timeout = float(timeout if timeout is not None else 10.0)

    def path(self, path: str) -> str:
        """``path`` below the stub's prefix; a path naming the alias again
        (``"@myapi/profiles"``) is taken relative to the alias."""
        if self.name is not None and path.startswith(self.name):
            return path[len(self.name) :] or "/"
        if path.startswith("@"):
            raise ValueError(f"path {path!r} names another alias than {self.name}")
        return self.prefix + (path if path.startswith("/") or not path else "/" + path)

    def bases(self) -> list[str]:
        return self.backend.base_urls() if self.backend is not None else [""]

    # -- one member -----------------------------------------------------------------
    @contextlib.contextmanager
    def _attempt(self, base: str, method: str, url: str, failures: list[BaseException]) -> Iterator[None]:
        """One try of one member, for the sync and the async request alike: a member
        that does not connect is marked failed and recorded (the block is left, the
        caller tries the next one), a timeout is the task's 504, and a block that
        finishes marks the member healthy."""
        import httpx

        try:
            yield
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            failures.append(exc)
            if self.backend is not None:
                self.backend.balancer.failed(base)
        except httpx.TimeoutException:
            raise TaskTimeout(f"{method} {url}", self.timeout) from None
        else:
            if self.backend is not None:
                self.backend.balancer.succeeded(base)

    def _client(self, asynchronous: bool) -> Any:
        if self.backend is not None:
            return self.backend.aclient() if asynchronous else self.backend.client()
        return _direct(asynchronous)

    def request_sync(self, method: str, path: str, options: dict[str, Any]) -> UpstreamResponse:
        failures: list[BaseException] = []
        for base in self.bases():
            url = base + path
            with self._attempt(base, method, url, failures):
                raw = self._client(False).request(method, url, timeout=self.timeout, **options)
                return UpstreamResponse(url, STA_NORMAL, raw)
        raise ResourceUnavailable(self.name or path, failures[-1] if failures else "no member")

    async def request_async(self, method: str, path: str, options: dict[str, Any]) -> UpstreamResponse:
        failures: list[BaseException] = []
        for base in self.bases():
            url = base + path
            with self._attempt(base, method, url, failures):
                raw = await self._client(True).request(method, url, timeout=self.timeout, **options)
                return UpstreamResponse(url, STA_NORMAL, raw)
        raise ResourceUnavailable(self.name or path, failures[-1] if failures else "no member")

    # -- every member ------------------------------------------------------------------
    def map_sync(self, method: str, path: str, options: dict[str, Any]) -> list[UpstreamResponse]:
        futures = [
            (base, current_runner().submit(self._one_sync, base, method, path, options)) for base in self.bases()
        ]
        return [future.result() for _base, future in futures]

    def _one_sync(self, base: str, method: str, path: str, options: dict[str, Any]) -> UpstreamResponse:
        try:
            raw = self._client(False).request(method, base + path, timeout=self.timeout, **options)
            return UpstreamResponse(base + path, STA_NORMAL, raw)
        except Exception as exc:
            return UpstreamResponse(base + path, _classify(exc), error=exc)

    async def map_async(self, method: str, path: str, options: dict[str, Any]) -> list[UpstreamResponse]:
        import asyncio

        return list(await asyncio.gather(*[self._one_async(base, method, path, options) for base in self.bases()]))

    async def _one_async(self, base: str, method: str, path: str, options: dict[str, Any]) -> UpstreamResponse:
        try:
            raw = await self._client(True).request(method, base + path, timeout=self.timeout, **options)
            return UpstreamResponse(base + path, STA_NORMAL, raw)
        except Exception as exc:
            return UpstreamResponse(base + path, _classify(exc), error=exc)

    # -- as a task -----------------------------------------------------------------------
    def start(
        self,
        method: str,
        path: str,
        options: dict[str, Any],
        *,
        fan_out: bool = False,
        transform: Callable[[UpstreamResponse], Any] = _data_or_raise,
        **task_options: Any,
    ) -> UpstreamTask:
        full = self.path(path)
        runner = current_runner()
        if on_loop() is not None:
            coroutine = self.map_async if fan_out else self.request_async
            future = runner.spawn(coroutine(method, full, options))
        else:
            function = self.map_sync if fan_out else self.request_sync
            future = runner.submit(function, method, full, options)
        cls = MapTask if fan_out else UpstreamTask
        label = f"{method} {self.name or ''}{full}"
        return cls(future, transform, label=label, timeout=self.timeout + 1.0, **task_options)


_clients: dict[tuple[bool, int], Any] = {}


def _direct(asynchronous: bool) -> Any:
    """The worker's client for plain-URL stubs (made on first use, one per
    process: a forked worker never reuses its parent's connections)."""
    import os

    import httpx

    key = (asynchronous, os.getpid())
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = httpx.AsyncClient() if asynchronous else httpx.Client()
    return client
