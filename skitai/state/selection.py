"""Which backend this process uses, chosen by configuration only.

``cluster`` (``skitai.run(cluster=...)``, else ``SKITAI_CLUSTER_URL``):

- ``""`` (default): in-process for one worker, the host backend for several;
- ``"process"`` / ``"host"``: that one, whatever the worker count;
- ``"redis://..."`` / ``"rediss://..."`` / ``"unix://..."``: Redis across hosts.

:func:`configure` runs in the master before forking (so the host backend's
folder and the Redis check happen once, with a clear error); each worker
starts the chosen backend in its start hook and stops it in its stop hook.
"""

from __future__ import annotations

import os
from typing import Any

from ..workerhooks import on_worker_start, on_worker_stop
from .interface import Cluster

__all__ = ["configure", "current", "use", "release", "ClusterUnavailable", "ENV_CLUSTER", "SCHEMES"]

ENV_CLUSTER = "SKITAI_CLUSTER_URL"
SCHEMES = ("redis://", "rediss://", "unix://")

_cluster: Cluster | None = None


class ClusterUnavailable(RuntimeError):
    """The cluster setting is wrong or its server does not answer."""


def _last_updates() -> Any:
    from . import current_last_updates

    return current_last_updates()


def current() -> Cluster:
    """This process's backend (in-process until :func:`configure` chose another)."""
    global _cluster
    if _cluster is None:
        from .memory import MemoryCluster

        _cluster = MemoryCluster(_last_updates())
    return _cluster


def use(cluster: Cluster | None) -> None:
    """Replace the backend (tests, embedding); None goes back to the default."""
    global _cluster
    _cluster = cluster


def configure(setting: str | None, workers: int) -> Cluster:
    """Choose and prepare the backend in the master; raises :class:`ClusterUnavailable`."""
    spec = (setting or os.environ.get(ENV_CLUSTER, "")).strip()
    from .memory import MemoryCluster

    if spec.startswith(SCHEMES):
        from . import rediscluster

        rediscluster.check(spec)
        chosen: Cluster = rediscluster.RedisCluster(spec, _host_or_process(workers))
    elif spec in ("", "auto"):
        chosen = _host_or_process(workers)
    elif spec in ("process", "memory"):
        chosen = MemoryCluster(_last_updates())
    elif spec == "host":
        chosen = _host_or_process(2)
    else:
        raise ClusterUnavailable(
            f"cluster setting {spec!r} is not 'process', 'host' or a redis:// URL "
            f"(skitai.run(cluster=...) or {ENV_CLUSTER})"
        )
    use(chosen)
    return chosen


def _host_or_process(workers: int) -> Cluster:
    from .memory import MemoryCluster

    if workers <= 1:
        return MemoryCluster(_last_updates())
    from .clusters import HostCluster

    return HostCluster(_last_updates())


def release() -> None:
    """In the master once the workers exited: remove what :func:`configure` made."""
    cluster = _cluster
    local = getattr(cluster, "local", cluster)
    remove = getattr(local, "remove", None)
    if remove is not None:
        remove()


@on_worker_start
def _start(engine: Any) -> None:
    current().start()


@on_worker_stop
def _stop(engine: Any) -> None:
    current().stop()
