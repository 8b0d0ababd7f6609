"""An HTTP/2 stream as a byte pipe: the carrier of WebSocket over HTTP/2
(RFC 8441 extended CONNECT).

The WebSocket session writes to a :class:`~skitai.websocket.session.Carrier`
and is fed through an ``asyncio.Protocol``-like object (``data_received``,
``eof_received``, ``connection_lost``, ``pause_writing``, ``resume_writing``),
exactly as after an HTTP/1.1 upgrade.  :class:`H2Tunnel` gives it both over
one stream: writes become DATA frames sent as far as the stream's
flow-control windows allow (the rest waits here, and past the high-water mark
the session hears ``pause_writing``), ``close`` ends the stream, ``abort``
resets it, and reading is paused by holding the stream's WINDOW_UPDATEs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .stream import H2Stream

__all__ = ["H2Tunnel"]

#: unsent bytes past which the session is told to stop writing
HIGH_WATER = 64 * 1024
LOW_WATER = 16 * 1024


class H2Tunnel:
    def __init__(self, stream: "H2Stream") -> None:
        self.stream = stream
        #: the asyncio.Protocol-like receiver (the WebSocket connection)
        self.receiver: Any = None
        self._buffer = bytearray()
        self._closing = False
        self._write_paused = False
        self._lost = False

    # -- Carrier -----------------------------------------------------------------
    def write(self, data: bytes) -> None:
        if self._closing or self.stream.closed or not data:
            return
        self._buffer += data
        self.stream.sent += len(data)
        self._send()

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._send()

    def abort(self) -> None:
        self._closing = True
        self._buffer.clear()
        self.stream.abort()

    def is_closing(self) -> bool:
        stream = self.stream
        return self._closing or stream.closed or stream.done

    def pause_reading(self) -> None:
        self.stream.pause_reading()

    def resume_reading(self) -> None:
        self.stream.resume_reading()

    def get_write_buffer_size(self) -> int:
        pending = self.stream.take_pending()[0]
        return len(self._buffer) + (0 if pending is None else len(pending))

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.stream.protocol.transport.get_extra_info(name, default)

    # -- from the stream -----------------------------------------------------------
    def drained(self) -> None:
        """The stream sent all it held: hand it the next bytes (or the end)."""
        self._send()

    def lost(self) -> None:
        """The stream is over (reset, ended, or the connection dropped)."""
        if not self._lost:
            self._lost = True
            self._buffer.clear()
            if self.receiver is not None:
                self.receiver.connection_lost(None)

    def _send(self) -> None:
        stream = self.stream
        if stream.closed or stream.done:
            return
        if stream.take_pending()[0] is None:
            if self._buffer:
                data = bytes(self._buffer)
                self._buffer.clear()
                stream.set_pending(memoryview(data))
                stream.protocol.pump(stream)
            elif self._closing:
                stream.end_tunnel()
                return
        size = self.get_write_buffer_size()
        receiver = self.receiver
        if receiver is None:
            return
        if not self._write_paused and size > HIGH_WATER:
            self._write_paused = True
            receiver.pause_writing()
        elif self._write_paused and size <= LOW_WATER:
            self._write_paused = False
            receiver.resume_writing()
