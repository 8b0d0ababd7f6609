"""One WebSocket connection, independent of what carries its bytes.

The session owns websockets' sans-I/O protocol (frames, masking, close codes,
permessage-deflate, size limits), joins fragments into messages and keeps
time: keep-alive pings, the dead-peer timeout, the route's idle timeout and
the closing handshake's deadline.  It reads and writes through a
:class:`Carrier` (an asyncio transport for HTTP/1.1 upgrades; an HTTP/2 stream
can be one too, RFC 8441) and hands messages to a :class:`SessionHandler`.

Back-pressure both ways, so a client never makes the server buffer without
bound:

- the carrier's write buffer past its high-water mark pauses reading (a client
  that does not read its replies or pongs gets no more of its frames parsed),
  and pushes that find ``ws_max_send_buffer`` unsent cut the client off (1008);
- a handler with ``ws_max_queue`` messages waiting pauses reading
  (:meth:`hold_reading` / :meth:`release_reading`).

Everything here runs on the event loop; :meth:`send_threadsafe` is the door
for other threads.

PERF: the hot path (a small text message in, a reply out) is one
``receive_data``, one decode, the handler call, one ``send_text`` and one
``write``; deadlines are checked by a once-a-second sweep, never by timers.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Protocol, cast

from websockets.frames import CloseCode, Frame, Opcode
from websockets.protocol import Protocol as WSProtocol
from websockets.protocol import State

from ..config import Limits
from .messages import Message, MessageAssembler

__all__ = ["Carrier", "SessionHandler", "WebSocketSession"]

log = logging.getLogger("skitai.websocket")

_TEXT, _BINARY, _CONT, _CLOSE = Opcode.TEXT, Opcode.BINARY, Opcode.CONT, Opcode.CLOSE
_OPEN = State.OPEN
_CLOSED = State.CLOSED


class Carrier(Protocol):
    """What moves the session's bytes (an ``asyncio.Transport`` is one)."""

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...

    def is_closing(self) -> bool: ...

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...

    def get_write_buffer_size(self) -> int: ...


class SessionHandler(Protocol):
    """The application side of a session (Atila's ``context.websocket``)."""

    def on_open(self, session: "WebSocketSession") -> None: ...

    def on_message(self, message: Message) -> None:
        """Called on the loop for each complete message, in order."""
        ...

    def on_close(self, code: int, reason: str) -> None:
        """Called once, when the connection is gone (1006 if it just dropped)."""
        ...


class WebSocketSession:
    """See the module docstring.  ``idle_timeout`` is the route's ``timeout``:
    seconds without a message either way before the server closes (1001)."""

    def __init__(
        self,
        protocol: WSProtocol,
        handler: SessionHandler,
        limits: Limits,
        loop: asyncio.AbstractEventLoop,
        idle_timeout: float | None = None,
    ) -> None:
        self.protocol = protocol
        self.handler = handler
        self.limits = limits
        self.loop = loop
        self.idle_timeout = idle_timeout or 0.0
        self.carrier: Carrier | None = None
        self.assembler = MessageAssembler()
        self.closed = False
        #: True while the carrier's write buffer is over its high-water mark
        self.write_paused = False
        self._write_paused_at = 0.0
        self._drainers: list[asyncio.Future[None]] = []
        self._held = False  # reading paused for the handler's queue
        self._read_paused = False
        self._heard = True  # bytes arrived since the last sweep
        self._messaged = True  # a message went either way since the last sweep
        self._last_heard = 0.0
        self._last_message = 0.0
        self._ping_sent_at = 0.0
        self._closing_since = 0.0
        self._close_notified = False
        self._receiving = False  # inside receive_data: sends are flushed once at its end

    # -- carrier side -----------------------------------------------------------------
    def attach(self, carrier: Carrier, leftover: bytes = b"") -> None:
        """Start: the handler's ``on_open`` runs, then any bytes that came with
        the handshake are parsed."""
        self.carrier = carrier
        self._last_heard = self._last_message = self.loop.time()
        try:
            self.handler.on_open(self)
        except Exception:
            log.exception("websocket open handler failed")
            self.fail(CloseCode.INTERNAL_ERROR, "internal error")
            return
        self._flush()
        if leftover:
            self.receive_data(leftover)

    def receive_data(self, data: bytes) -> None:
        protocol = self.protocol
        protocol.receive_data(data)
        self._heard = True
        events = protocol.events_received()
        if events:
            self._receiving = True
            try:
                self._dispatch(events)
            finally:
                self._receiving = False
        self._flush()

    def _dispatch(self, events: list[Any]) -> None:
        """Hand each complete message to the handler, in order; stop at a failure."""
        protocol = self.protocol
        assembler = self.assembler
        on_message = self.handler.on_message
        for frame in cast("list[Frame]", events):  # only frames once OPEN
            opcode = frame.opcode
            if opcode is _TEXT or opcode is _BINARY or opcode is _CONT:
                try:
                    message = assembler.feed(frame)
                except UnicodeDecodeError as exc:
                    self.fail(CloseCode.INVALID_DATA, f"text message is not UTF-8 ({exc.reason})")
                    return
                if message is None:
                    continue
                self._messaged = True
                try:
                    on_message(message)
                except Exception:
                    log.exception("websocket message handler failed")
                    self.fail(CloseCode.INTERNAL_ERROR, "internal error")
                    return
                if protocol.state is not _OPEN:
                    return
            elif opcode is _CLOSE:
                self._closing_since = self._closing_since or self.loop.time()

    def receive_eof(self) -> None:
        self.protocol.receive_eof()
        self._flush()

    def connection_lost(self) -> None:
        self.closed = True
        self._wake_drainers()
        if not self._close_notified:
            self._close_notified = True
            protocol = self.protocol
            close = protocol.close_rcvd or protocol.close_sent
            code = int(close.code) if close is not None else int(CloseCode.ABNORMAL_CLOSURE)
            reason = close.reason if close is not None else ""
            try:
                self.handler.on_close(code, reason)
            except Exception:
                log.exception("websocket close handler failed")

    def pause_writing(self) -> None:
        self.write_paused = True
        self._write_paused_at = self.loop.time()
        self._set_reading()

    def resume_writing(self) -> None:
        self.write_paused = False
        self._write_paused_at = 0.0
        self._set_reading()
        self._wake_drainers()

    # -- application side ---------------------------------------------------------------
    @property
    def open(self) -> bool:
        return not self.closed and self.protocol.state is _OPEN

    def send(self, message: Message) -> bool:
        """Queue one message; False (never an exception) when the connection is
        no longer open.  Call on the loop; see :meth:`send_threadsafe`."""
        protocol = self.protocol
        if self.closed or protocol.state is not _OPEN or self.carrier is None:
            return False
        if isinstance(message, str):
            protocol.send_text(message.encode())
        else:
            protocol.send_binary(message)
        self._messaged = True
        if not self._receiving:
            # PERF: replies made while a batch of frames is parsed go out in one flush
            self._flush()
        carrier = self.carrier
        if self.write_paused and carrier.get_write_buffer_size() > self.limits.ws_max_send_buffer:
            self.fail(CloseCode.POLICY_VIOLATION, "client does not read its messages (ws_max_send_buffer exceeded)")
            return False
        return True

    def send_threadsafe(self, message: Message) -> bool:
        """:meth:`send` from any thread: True when the connection was open at the call."""
        if not self.open:
            return False
        try:
            self.loop.call_soon_threadsafe(self.send, message)
        except RuntimeError:  # the loop is closed: the worker is exiting
            return False
        return True

    async def drain(self) -> None:
        """Wait while the client is slow to read (write back-pressure)."""
        if self.write_paused and not self.closed:
            future = self.loop.create_future()
            self._drainers.append(future)
            await future

    def close(self, code: int = CloseCode.NORMAL_CLOSURE, reason: str = "") -> None:
        """Start the closing handshake (RFC 6455 7.1.2); the client has
        ``ws_close_timeout`` seconds to finish it."""
        if self.closed or self.protocol.state is not _OPEN:
            return
        self.protocol.send_close(code, reason)
        self._closing_since = self.loop.time()
        self._flush()

    def fail(self, code: int, reason: str = "") -> None:
        """Close with ``code`` and stop reading (RFC 6455 7.1.7)."""
        if self.closed:
            return
        self.protocol.fail(code, reason)
        self._closing_since = self._closing_since or self.loop.time()
        self._flush()

    def hold_reading(self) -> None:
        """The handler is behind: stop reading until :meth:`release_reading`."""
        self._held = True
        self._set_reading()

    def release_reading(self) -> None:
        self._held = False
        self._set_reading()

    # -- time -----------------------------------------------------------------------------
    def check_timeouts(self, now: float) -> None:
        """Called about once a second (the server's sweep, or the carrier's own timer)."""
        carrier = self.carrier
        if self.closed or carrier is None or carrier.is_closing():
            return
        limits = self.limits
        if self._write_paused_at and now - self._write_paused_at > limits.send_timeout:
            carrier.abort()
            return
        if self._closing_since:
            if now - self._closing_since > limits.ws_close_timeout:
                carrier.abort()
            return
        if self._heard:
            self._heard = False
            self._last_heard = now
            self._ping_sent_at = 0.0
        if self._messaged:
            self._messaged = False
            self._last_message = now
        if self._ping_sent_at:
            if now - self._ping_sent_at > limits.ws_ping_timeout:
                self.fail(CloseCode.INTERNAL_ERROR, "keepalive ping timeout (ws_ping_timeout)")
                carrier.abort()
                return
        elif limits.ws_ping_interval and now - self._last_heard >= limits.ws_ping_interval:
            self._ping_sent_at = now
            self.protocol.send_ping(os.urandom(4))
            self._flush()
        if self.idle_timeout and now - self._last_message > self.idle_timeout:
            self.close(CloseCode.GOING_AWAY, f"no message for {self.idle_timeout:g} s (route timeout)")

    def shutdown(self) -> None:
        """The worker is stopping: close with 1001 (going away)."""
        self.close(CloseCode.GOING_AWAY, "server shutting down")

    # -- helpers ----------------------------------------------------------------------------
    def _flush(self) -> None:
        writes = self.protocol.data_to_send()
        if not writes:
            return
        carrier = self.carrier
        if carrier is None:
            return
        if b"" not in writes:
            # PERF: one write for a batch of replies
            carrier.write(writes[0] if len(writes) == 1 else b"".join(writes))
            return
        for data in writes:
            if data:
                carrier.write(data)
            else:
                # SEND_EOF: websockets' server side closes TCP after a close frame
                carrier.close()
                self.closed = True
                self._wake_drainers()

    def _set_reading(self) -> None:
        carrier = self.carrier
        if carrier is None or carrier.is_closing():
            return
        want_paused = self._held or self.write_paused
        if want_paused and not self._read_paused:
            self._read_paused = True
            carrier.pause_reading()
        elif not want_paused and self._read_paused:
            self._read_paused = False
            carrier.resume_reading()

    def _wake_drainers(self) -> None:
        drainers, self._drainers = self._drainers, []
        for future in drainers:
            if not future.done():
                future.set_result(None)
