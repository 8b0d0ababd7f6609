"""Messages between the workers of one host: a unix datagram socket per worker.

Every worker binds ``<folder>/<node>.sock`` in a folder the master made before
forking; publishing sends one datagram to every other socket there, sending
to one worker sends to its socket.  No master in the path (a master relay
would be one more hop and one more process to keep alive), no broker; a
socket left by a worker that died refuses datagrams and is removed by the
first sender that notices.

Datagrams are all-or-nothing, so a message is never half delivered; their
size is bounded (``MAX_DATAGRAM``), larger payloads are refused with an error
naming the limit.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import threading
from typing import Any

from .interface import Handler
from .node import node_id
from .subscribers import Subscribers, decode, encode

__all__ = ["DatagramRelay", "MAX_DATAGRAM"]

logger = logging.getLogger("skitai.state")

#: the largest relayed message between workers of one host (bytes of JSON)
MAX_DATAGRAM = 200 * 1024
_SUFFIX = ".sock"


class DatagramRelay:
    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.subscribers = Subscribers()
        self._sock: socket.socket | None = None
        self._out: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._node = ""

    def _path(self, node: str) -> str:
        return os.path.join(self.folder, node + _SUFFIX)

    def start(self) -> None:
        self._node = node_id()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * MAX_DATAGRAM)
        sock.bind(self._path(self._node))
        self._sock = sock
        out = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        out.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 2 * MAX_DATAGRAM)
        out.setblocking(False)
        self._out = out
        self._thread = threading.Thread(target=self._receive, name="skitai-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            # NOTE: a datagram to ourselves wakes the receiving thread, which then sees no socket
            try:
                if self._out is not None:
                    self._out.sendto(b"", self._path(self._node))
            except OSError:
                pass
            try:
                os.unlink(self._path(self._node))
            except OSError:
                pass
            if self._thread is not None:
                self._thread.join(1.0)
            sock.close()
        if self._out is not None:
            self._out.close()
            self._out = None

    def _receive(self) -> None:
        while True:
            sock = self._sock
            if sock is None:
                return
            try:
                raw = sock.recv(MAX_DATAGRAM + 1)
            except OSError:
                return
            if not raw:
                continue
            message = decode(raw)
            if message is not None:
                self.subscribers.dispatch(message[1], message[2])

    def _datagram(self, topic: str, payload: dict[str, Any]) -> bytes:
        raw = encode(self._node or node_id(), topic, payload)
        if len(raw) > MAX_DATAGRAM:
            raise ValueError(
                f"{topic!r} message of {len(raw)} bytes is over the {MAX_DATAGRAM} bytes "
                "workers of one host relay to each other (skitai.state.relay.MAX_DATAGRAM); "
                "send a key and keep the data in a database"
            )
        return raw

    def _sendto(self, raw: bytes, node: str) -> bool:
        out = self._out
        if out is None:
            return False
        path = self._path(node)
        try:
            out.sendto(raw, path)
            return True
        except (ConnectionRefusedError, FileNotFoundError):
            try:
                os.unlink(path)  # a worker that died without removing its socket
            except OSError:
                pass
        except BlockingIOError:
            logger.error("worker %s is not reading relayed messages: one dropped", node)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                logger.error("relaying to worker %s failed: %s", node, exc)
        return False

    def nodes(self) -> list[str]:
        try:
            names = os.listdir(self.folder)
        except OSError:
            return []
        return [name[: -len(_SUFFIX)] for name in names if name.endswith(_SUFFIX)]

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        raw = self._datagram(topic, payload)
        for node in self.nodes():
            if node != self._node:
                self._sendto(raw, node)

    def send(self, node: str, topic: str, payload: dict[str, Any]) -> bool:
        if not node or "/" in node or node == self._node:
            return False
        return self._sendto(self._datagram(topic, payload), node)

    def subscribe(self, topic: str, handler: Handler) -> None:
        self.subscribers.add(topic, handler)
