"""What the master does for observability before any worker forks."""

from __future__ import annotations

from typing import Any

from .proxies import TrustedProxies

__all__ = ["prepare"]


def prepare(config: Any) -> None:
    """Check the settings and make the shared metrics folder.

    Raises:
        ValueError: a ``trusted_proxies`` entry that is not an address or network.
        RuntimeError: ``metrics=True`` without prometheus_client installed.
    """
    TrustedProxies(config.trusted_proxies)
    if config.metrics:
        from .metrics import prepare as prepare_metrics

        prepare_metrics()
