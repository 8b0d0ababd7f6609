"""HTTP/2 frame layout (RFC 9113 4.1, 6): type and flag numbers, error codes,
and the few serializers the server needs.

PERF: a frame is built as its 9-byte header (one ``struct.pack``) followed by
the payload as given (a memoryview of the app's body is not copied here), so
sending an answer costs a handful of bytes objects, not frame objects.
"""

from __future__ import annotations

import enum
import struct

__all__ = [
    "ErrorCodes",
    "HEAD",
    "frame_head",
    "settings_frame",
    "window_update",
    "rst_stream",
    "goaway_frame",
    "DATA",
    "HEADERS",
    "PRIORITY",
    "RST_STREAM",
    "SETTINGS",
    "PUSH_PROMISE",
    "PING",
    "GOAWAY",
    "WINDOW_UPDATE",
    "CONTINUATION",
    "END_STREAM",
    "ACK",
    "END_HEADERS",
    "PADDED",
    "PRIORITY_FLAG",
]

DATA = 0x0
HEADERS = 0x1
PRIORITY = 0x2
RST_STREAM = 0x3
SETTINGS = 0x4
PUSH_PROMISE = 0x5
PING = 0x6
GOAWAY = 0x7
WINDOW_UPDATE = 0x8
CONTINUATION = 0x9

END_STREAM = 0x1
ACK = 0x1
END_HEADERS = 0x4
PADDED = 0x8
PRIORITY_FLAG = 0x20

#: settings identifiers (RFC 9113 6.5.2, RFC 8441 3)
HEADER_TABLE_SIZE = 0x1
ENABLE_PUSH = 0x2
MAX_CONCURRENT_STREAMS = 0x3
INITIAL_WINDOW_SIZE = 0x4
MAX_FRAME_SIZE = 0x5
MAX_HEADER_LIST_SIZE = 0x6
ENABLE_CONNECT_PROTOCOL = 0x8

#: the largest window (and window increment) the protocol allows
MAX_WINDOW = 2**31 - 1


class ErrorCodes(enum.IntEnum):
    """RFC 9113 7 (the same numbers as ``h2.errors.ErrorCodes``)."""

    NO_ERROR = 0x0
    PROTOCOL_ERROR = 0x1
    INTERNAL_ERROR = 0x2
    FLOW_CONTROL_ERROR = 0x3
    SETTINGS_TIMEOUT = 0x4
    STREAM_CLOSED = 0x5
    FRAME_SIZE_ERROR = 0x6
    REFUSED_STREAM = 0x7
    CANCEL = 0x8
    COMPRESSION_ERROR = 0x9
    CONNECT_ERROR = 0xA
    ENHANCE_YOUR_CALM = 0xB
    INADEQUATE_SECURITY = 0xC
    HTTP_1_1_REQUIRED = 0xD


#: length (high 16 bits, low 8 bits), type, flags, stream id (R bit included)
HEAD = struct.Struct(">HBBBL")
_U32 = struct.Struct(">L")
_SETTING = struct.Struct(">HL")
_GOAWAY = struct.Struct(">LL")


def frame_head(length: int, kind: int, flags: int, stream_id: int) -> bytes:
    return HEAD.pack(length >> 8, length & 0xFF, kind, flags, stream_id)


def settings_frame(values: dict[int, int]) -> bytes:
    payload = b"".join(_SETTING.pack(key, value) for key, value in values.items())
    return frame_head(len(payload), SETTINGS, 0, 0) + payload


def window_update(stream_id: int, increment: int) -> bytes:
    return frame_head(4, WINDOW_UPDATE, 0, stream_id) + _U32.pack(increment)


def rst_stream(stream_id: int, code: int) -> bytes:
    return frame_head(4, RST_STREAM, 0, stream_id) + _U32.pack(code)


def goaway_frame(last_stream_id: int, code: int, detail: bytes = b"") -> bytes:
    payload = _GOAWAY.pack(last_stream_id, code) + detail
    return frame_head(len(payload), GOAWAY, 0, 0) + payload


def parse_settings(payload: bytes) -> list[tuple[int, int]]:
    """Raises ValueError when the payload is not a whole number of settings."""
    if len(payload) % 6:
        raise ValueError("SETTINGS payload not a multiple of 6 bytes")
    return [_SETTING.unpack_from(payload, offset) for offset in range(0, len(payload), 6)]


def u32(payload: bytes, offset: int = 0) -> int:
    return int(_U32.unpack_from(payload, offset)[0])
