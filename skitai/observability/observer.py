"""The engine's observation points for one worker's server.

The engine calls three methods, each one line in its request path:

- :meth:`Observer.begin` when a request is dispatched (``Server.dispatch``):
  trusted proxy headers, the request id, and the ``/metrics`` answer;
- :meth:`Observer.header` when an answer's head is written (``Cycle``, and the
  protocol's own error answers): the ``X-Request-ID`` line (:meth:`Observer.fields`
  for an HTTP/2 stream's head);
- :meth:`Observer.finished` when the answer's last byte is out
  (``H1Protocol.cycle_finished``, ``H2Protocol.stream_done``): the access log line, the metrics, and the
  listeners registered with :func:`on_request` (the OpenTelemetry hook).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ..contract import Request
from .proxies import TrustedProxies
from .request_id import assign, current_request_id, new_id, request_id_of

__all__ = ["Observer", "PlainObserver", "on_request", "RequestListener"]

#: ``listener(request, status, size, seconds)`` after every answer
RequestListener = Callable[[Request, int, int, float], None]
_LISTENERS: list[RequestListener] = []
_GAUGE_SECONDS = 1.0


def on_request(listener: RequestListener) -> RequestListener:
    """Call ``listener(request, status, size, seconds)`` after every answer (in each
    worker, on the event loop: keep it quick).  ``request.state["request_id"]``,
    ``request.mount`` and ``request.client`` are set.  Usable as a decorator."""
    _LISTENERS.append(listener)
    return listener


class PlainObserver:
    """The observer of a connection state built without one: the access log only."""

    def __init__(self, logs: Any) -> None:
        self.logs = logs

    def begin(self, cycle: Any) -> bool:
        return False

    def header(self, request: Request | None) -> bytes:
        return b""

    def fields(self, request: Request | None) -> list[tuple[bytes, bytes]]:
        return []

    def finished(self, cycle: Any, seconds: float) -> None:
        if self.logs.enabled:  # PERF: no call when the access log is off
            self.logs.access(cycle.request, cycle.status, cycle.sent, seconds)


class Observer:
    """What one server records about its requests (see module doc)."""

    def __init__(self, server: Any) -> None:
        config = server.config
        self.server = server
        self.logs = server.logs
        self.request_ids = bool(getattr(config, "request_id", True))
        self.proxies = TrustedProxies(getattr(config, "trusted_proxies", ()) or ())
        self.metrics_path = getattr(config, "metrics_path", "/metrics") or "/metrics"
        self.metrics: Any = None
        if getattr(config, "metrics", False):
            from . import metrics

            if metrics._METRICS is None:
                metrics.prepare()  # NOTE: a server started without the launcher (tests, embedding)
            self.metrics = metrics.metrics()
        self._gauge: asyncio.TimerHandle | None = None

    # -- request start -------------------------------------------------------------
    def begin(self, cycle: Any) -> bool:
        """True when the request was answered here (the metrics endpoint)."""
        request = cycle.request
        if self.proxies:
            self.proxies.apply(request)
        if self.request_ids:
            assign(request)
        if self.metrics is not None:
            if self._gauge is None:
                self._update_gauge()
            if request.path == self.metrics_path:
                self._answer_metrics(cycle)
                return True
        return False

    def header(self, request: Request | None) -> bytes:
        """The ``X-Request-ID`` header line of an answer (empty when switched off)."""
        if not self.request_ids:
            return b""
        rid = request_id_of(request) or new_id()
        return b"x-request-id: " + rid.encode("ascii") + b"\r\n"

    def fields(self, request: Request | None) -> list[tuple[bytes, bytes]]:
        """The same, as HTTP/2 header fields."""
        if not self.request_ids:
            return []
        return [(b"x-request-id", (request_id_of(request) or new_id()).encode("ascii"))]

    # -- request end -----------------------------------------------------------------
    def finished(self, cycle: Any, seconds: float) -> None:
        request = cycle.request
        if self.logs.enabled:  # PERF: no call when the access log is off
            self.logs.access(request, cycle.status, cycle.sent, seconds)
        if self.metrics is not None:
            mount, route = self._labels(request)
            self.metrics.observe(mount, route, request.method, cycle.status, seconds)
        for listener in _LISTENERS:
            try:
                listener(request, cycle.status, cycle.sent, seconds)
            except Exception:
                self.logs.error(f"request listener {listener!r} failed", exc_info=True)
        current_request_id.set(None)

    def _labels(self, request: Request) -> tuple[str, str]:
        mount = request.mount
        if mount is None:
            return "", self.metrics_path if request.path == self.metrics_path else "<unmatched>"
        prefix = getattr(mount, "prefix", "") or "/"
        router = getattr(mount, "router", None)
        if router is None:
            return prefix, "-"
        try:
            found = router.match(request.path_info, request.method, request.headers.get("content-type"))
        except Exception:
            return prefix, "<unmatched>"
        rule = getattr(found, "rule", None)
        return prefix, (rule.path or "/") if rule is not None else "<unmatched>"

    # -- the metrics endpoint ------------------------------------------------------
    def _answer_metrics(self, cycle: Any) -> None:
        if cycle.request.method not in ("GET", "HEAD"):
            cycle.respond(
                405,
                [("allow", "GET, HEAD"), ("content-type", "text/plain; charset=utf-8")],
                b"the metrics endpoint answers GET only",
            )
            return
        self._update_gauge()
        loop = asyncio.get_running_loop()
        # NOTE: reading every process's files is blocking I/O: off the loop
        future = loop.run_in_executor(None, self.metrics.exposition)

        def done(task: asyncio.Future[tuple[bytes, str]]) -> None:
            if cycle.closed:
                return
            if task.cancelled() or task.exception() is not None:
                self.logs.error("metrics exposition failed", exc_info=None if task.cancelled() else task.exception())
                cycle.respond(500, [("content-type", "text/plain; charset=utf-8")], b"metrics unavailable")
                return
            body, content_type = task.result()
            cycle.respond(200, [("content-type", content_type), ("cache-control", "no-store")], body)

        future.add_done_callback(done)

    def _update_gauge(self) -> None:
        """Keep this worker's open-connection count fresh (once a second while serving)."""
        self.metrics.connections.set(len(getattr(self.server, "connections", ()) or ()))
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._gauge is None or self._gauge.when() <= loop.time():
            self._gauge = loop.call_later(_GAUGE_SECONDS, self._tick_gauge)

    def _tick_gauge(self) -> None:
        self._gauge = None
        if not getattr(self.server, "_stopping", False):
            self._update_gauge()
