"""The in-memory asyncio transport both test harnesses hand to a real protocol.

The wire server (raw HTTP/1.1 bytes) and the in-memory WebSocket client differ
only in where the written bytes go and what closing signals; the transport
life cycle (closing once, pausing, the protocol hand-off) is kept here once.
"""

from __future__ import annotations

import abc
import asyncio
from typing import Any

__all__ = ["InMemoryTransport"]


class InMemoryTransport(asyncio.Transport, abc.ABC):
    """Subclasses say where written bytes land (:meth:`_deliver`) and may mark
    the close for their reader (:meth:`_closing`)."""

    def __init__(self, protocol: Any = None) -> None:
        super().__init__()
        self.protocol = protocol
        self.closed = False
        self.reading = True

    @abc.abstractmethod
    def _deliver(self, data: Any) -> None: ...

    def _closing(self) -> None:
        """Called once, before the protocol hears ``connection_lost``."""

    def write(self, data: Any) -> None:
        if not self.closed:
            self._deliver(data)

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._closing()
            if self.protocol is not None:
                asyncio.get_running_loop().call_soon(self.protocol.connection_lost, None)

    def abort(self) -> None:
        self.close()

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def is_reading(self) -> bool:
        return self.reading

    def set_protocol(self, protocol: Any) -> None:
        self.protocol = protocol

    def get_protocol(self) -> Any:
        return self.protocol
