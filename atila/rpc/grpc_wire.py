"""gRPC's wire format over HTTP/2 (the "gRPC over HTTP2" protocol): length-
prefixed messages, status codes, ``grpc-timeout`` and ``grpc-message``.

No protobuf and no I/O here: bytes in, bytes out.
"""

from __future__ import annotations

import enum
import gzip
import re
import struct
import zlib
from typing import Iterator

__all__ = ["Status", "GRPCError", "frame", "Deframer", "parse_timeout", "quote_message", "status_of_http"]

_HEAD = struct.Struct(">BI")
_TIMEOUT = re.compile(r"(\d{1,8})([HMSmun])\Z")
_UNITS = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}
#: the encodings a request message may be compressed with
ACCEPT_ENCODING = "identity,gzip,deflate"


class Status(enum.IntEnum):
    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16


class GRPCError(Exception):
    """Ends a call with ``code`` and ``message`` (raise it from a route to choose the status)."""

    def __init__(self, code: Status | int, message: str = "") -> None:
        super().__init__(message)
        self.code = Status(code)
        self.message = message


_HTTP_TO_STATUS = {
    400: Status.INVALID_ARGUMENT,
    401: Status.UNAUTHENTICATED,
    403: Status.PERMISSION_DENIED,
    404: Status.NOT_FOUND,
    408: Status.DEADLINE_EXCEEDED,
    409: Status.ABORTED,
    412: Status.FAILED_PRECONDITION,
    413: Status.RESOURCE_EXHAUSTED,
    429: Status.RESOURCE_EXHAUSTED,
    501: Status.UNIMPLEMENTED,
    503: Status.UNAVAILABLE,
    504: Status.DEADLINE_EXCEEDED,
}


def status_of_http(status: int) -> Status:
    """The gRPC status for an HTTP error a route raised (403 -> PERMISSION_DENIED ...)."""
    return _HTTP_TO_STATUS.get(status, Status.UNKNOWN if status < 500 else Status.INTERNAL)


def frame(message: bytes) -> bytes:
    """One length-prefixed, uncompressed message."""
    return _HEAD.pack(0, len(message)) + message


class Deframer:
    """Cuts a body into messages as its bytes arrive.

    Raises (from :meth:`feed`) :class:`GRPCError`: RESOURCE_EXHAUSTED for a
    message over ``limit`` (told before its bytes are buffered), UNIMPLEMENTED
    for a compressed message in an encoding not accepted, INTERNAL for a
    message that does not decompress.
    """

    __slots__ = ("limit", "encoding", "_buffer", "setting")

    def __init__(self, limit: int, encoding: str | None, setting: str) -> None:
        self.limit = limit
        self.encoding = (encoding or "identity").strip().lower()
        self.setting = setting
        self._buffer = bytearray()

    def feed(self, data: bytes) -> Iterator[bytes]:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= 5:
            flag, length = _HEAD.unpack_from(buffer)
            if length > self.limit:
                raise GRPCError(
                    Status.RESOURCE_EXHAUSTED,
                    f"received message larger than max ({length} vs. {self.limit} bytes; the limit is {self.setting})",
                )
            if len(buffer) < 5 + length:
                return
            message = bytes(buffer[5 : 5 + length])
            del buffer[: 5 + length]
            yield self._decompress(message) if flag else message

    @property
    def pending(self) -> bool:
        """Bytes of an unfinished message are buffered (a body cut short)."""
        return bool(self._buffer)

    def _decompress(self, message: bytes) -> bytes:
        try:
            if self.encoding == "gzip":
                data = gzip.decompress(message)
            elif self.encoding == "deflate":
                data = zlib.decompress(message)
            else:
                raise GRPCError(
                    Status.UNIMPLEMENTED,
                    f"message compressed with {self.encoding!r}, which this server does not accept ({ACCEPT_ENCODING})",
                )
        except (OSError, zlib.error, EOFError) as exc:
            raise GRPCError(Status.INTERNAL, f"compressed message does not decompress: {exc}") from None
        if len(data) > self.limit:
            raise GRPCError(
                Status.RESOURCE_EXHAUSTED,
                f"received message larger than max ({len(data)} vs. {self.limit} bytes "
                f"decompressed; the limit is {self.setting})",
            )
        return data


def parse_timeout(value: str | None) -> float | None:
    """``grpc-timeout`` in seconds (``"100m"`` is 0.1); None when absent or malformed."""
    if not value:
        return None
    found = _TIMEOUT.match(value.strip())
    if found is None:
        return None
    return int(found.group(1)) * _UNITS[found.group(2)]


def quote_message(text: str) -> str:
    """``grpc-message`` is percent-encoded UTF-8 (printable ASCII but ``%`` as is)."""
    out = []
    for byte in text.encode("utf-8"):
        if 0x20 <= byte <= 0x7E and byte != 0x25:
            out.append(chr(byte))
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)
