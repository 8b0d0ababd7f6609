"""Data frames in, whole messages out (RFC 6455 5.4, fragmentation).

websockets' sans-I/O layer parses, unmasks, inflates and size-checks frames
but hands over fragments as they come; this joins them.  Text is validated as
UTF-8 fragment by fragment with an incremental decoder, so a bad byte in the
first fragment of a long message fails at once (close 1007), not at the end.

Side-agnostic: the server session and the in-memory test client both use it.
"""

from __future__ import annotations

import codecs
from typing import Any

from websockets.frames import Frame, Opcode

__all__ = ["MessageAssembler", "Message"]

Message = str | bytes

_TEXT = Opcode.TEXT
_BINARY = Opcode.BINARY
_CONT = Opcode.CONT
_Decoder = codecs.getincrementaldecoder("utf-8")


class MessageAssembler:
    """Feed data frames; :meth:`feed` returns a message when one is complete."""

    __slots__ = ("_parts", "_decoder")

    def __init__(self) -> None:
        self._parts: list[Any] | None = None
        self._decoder: Any = None

    def feed(self, frame: Frame) -> Message | None:
        """The complete message, or None while fragments are still arriving.

        Raises:
            UnicodeDecodeError: a text message that is not UTF-8 (close 1007).
        """
        opcode = frame.opcode
        if opcode is _TEXT:
            if frame.fin:
                # PERF: the common unfragmented text message is one decode.
                return bytes(frame.data).decode()
            self._decoder = _Decoder()
            self._parts = [self._decoder.decode(frame.data)]
            return None
        if opcode is _BINARY:
            if frame.fin:
                return bytes(frame.data)
            self._decoder = None
            self._parts = [bytes(frame.data)]
            return None
        if opcode is _CONT and self._parts is not None:
            decoder = self._decoder
            if decoder is not None:
                self._parts.append(decoder.decode(frame.data, frame.fin))
            else:
                self._parts.append(bytes(frame.data))
            if not frame.fin:
                return None
            parts, self._parts, self._decoder = self._parts, None, None
            return "".join(parts) if decoder is not None else b"".join(parts)
        return None
