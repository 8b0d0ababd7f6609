"""The per-host backend: the shared-memory last-update table, a SQLite file for
``store`` values and revocations, and unix datagram sockets between workers,
all in a folder the master makes before forking (and removes when it exits).
"""

from __future__ import annotations

import os
import shutil
import tempfile

from .hoststore import HostRevocations, HostStore, HostValues
from .interface import LastUpdates
from .relay import DatagramRelay

__all__ = ["HostCluster"]


class HostCluster:
    scope = "host"

    def __init__(self, last_updates: LastUpdates, folder: str | None = None) -> None:
        self.folder = folder or tempfile.mkdtemp(prefix="skitai-state-")
        self._owner = os.getpid()
        self.last_updates = last_updates
        self._store = HostStore(os.path.join(self.folder, "state.db"))
        self._store.create()
        self.revocations = HostRevocations(self._store)
        nodes = os.path.join(self.folder, "nodes")
        os.makedirs(nodes, exist_ok=True)
        self.relay = DatagramRelay(nodes)
        self._values: dict[str, HostValues] = {}

    def values(self, namespace: str) -> HostValues:
        found = self._values.get(namespace)
        if found is None:
            found = self._values[namespace] = HostValues(self._store, namespace)
        return found

    def start(self) -> None:
        self.relay.start()

    def stop(self) -> None:
        self.relay.stop()

    def remove(self) -> None:
        """In the master once every worker exited: the folder goes."""
        if os.getpid() == self._owner:
            shutil.rmtree(self.folder, ignore_errors=True)
