"""Cross-worker state: the interface every backend implements.

Today this holds the "last updated" times behind ``skitai.deflu`` /
``context.setlu`` / ``context.getlu`` (and the database result cache that
trusts them).  A backend decides how far the state reaches: one process
(:mod:`.memory`), every worker of the host (:mod:`.host`), or many hosts.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["LastUpdates"]


class LastUpdates(Protocol):
    """Named timestamps that every worker reaching the same backend agrees on."""

    def declare(self, name: str) -> None:
        """Make ``name`` known (idempotent); its time starts at 0."""

    def set(self, name: str, when: float) -> None:
        """Record that ``name`` changed at ``when`` (seconds since the epoch)."""

    def get(self, name: str) -> float:
        """When ``name`` last changed (0.0 when never)."""

    def names(self) -> list[str]:
        """Every declared name."""
