"""Prometheus metrics, summed across the workers of one server.

``skitai.run(..., metrics=True)`` serves them on the same port at
``metrics_path`` (``/metrics`` by default).  prometheus_client's multiprocess
mode does the summing: every process (the master and each worker) writes its
values to files in one folder the master makes before it forks, and whichever
worker answers a scrape reads them all.  A worker that exits is marked dead so
its connection gauge stops counting; its counters keep their totals.

Metrics:

- ``skitai_requests_total{mount, route, method, status}``
- ``skitai_request_duration_seconds{mount, route}`` (histogram)
- ``skitai_open_connections`` (summed over live workers)
- ``skitai_worker_restarts_total`` (counted by the master)

``route`` is the route template for Atila apps (``/users/<int:id>``), ``-`` for
other mounts, ``<unmatched>`` for a path no route answers (so a scan of random
URLs cannot grow the label set).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import Any

__all__ = ["prepare", "Metrics", "worker_exited", "ENV_DIR"]

ENV_DIR = "PROMETHEUS_MULTIPROC_DIR"
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_METRICS: Metrics | None = None


def prepare() -> str:
    """In the master, before any worker forks: the shared folder and multiprocess mode.

    Raises:
        RuntimeError: prometheus_client is not installed (``pip install skitai-atila[metrics]``).
    """
    try:
        import prometheus_client.values as values
    except ImportError:
        raise RuntimeError(
            "metrics=True needs prometheus_client: pip install prometheus-client (or skitai-atila[metrics])"
        ) from None
    folder = os.environ.get(ENV_DIR)
    if not folder:
        folder = tempfile.mkdtemp(prefix="skitai-metrics-")
        os.environ[ENV_DIR] = folder
        owner = os.getpid()

        def remove() -> None:
            if os.getpid() == owner:
                shutil.rmtree(folder, ignore_errors=True)

        atexit.register(remove)
    os.makedirs(folder, exist_ok=True)
    # a folder given by the environment may hold the files of an earlier run: their
    # counters would be added to this run's (prometheus_client asks for a wipe per run)
    for stale in os.listdir(folder):
        if stale.endswith(".db"):
            os.remove(os.path.join(folder, stale))
    # NOTE: prometheus_client picks its value class at import time; an app that
    # imported it before the env was set still gets multiprocess values from here on.
    values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
    metrics()
    return folder


def metrics() -> Metrics:
    global _METRICS
    if _METRICS is None:
        _METRICS = Metrics()
    return _METRICS


def worker_exited(pid: int, restarting: bool) -> None:
    """In the master, when a worker process is reaped."""
    if _METRICS is None:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
    if restarting:
        _METRICS.restarts.inc()


class Metrics:
    """The metric objects (one set per process, created once)."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Gauge, Histogram

        self.requests = Counter("skitai_requests_total", "Requests answered", ["mount", "route", "method", "status"])
        self.duration = Histogram(
            "skitai_request_duration_seconds",
            "Time from request head to the answer's last byte",
            ["mount", "route"],
            buckets=_BUCKETS,
        )
        self.connections = Gauge("skitai_open_connections", "Open client connections", multiprocess_mode="livesum")
        self.restarts = Counter("skitai_worker_restarts_total", "Workers that died and were started again")

    def observe(self, mount: str, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(mount, route, method, str(status)).inc()
        self.duration.labels(mount, route).observe(seconds)

    def exposition(self) -> tuple[bytes, str]:
        """The text format, every process's files summed."""
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body: Any = generate_latest(registry)
        return bytes(body), CONTENT_TYPE_LATEST
