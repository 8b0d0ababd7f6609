"""Sync WebSocket clients for tests: ``cli.websocket("/path")``.

Two clients, one interface (``send``, ``receive``, ``close``, ``close_code``,
``with`` and iteration):

- :class:`RemoteWebSocket` talks to a real server process
  (``skitai.test_client(...).websocket(path)``) through websockets' own sync
  client, with the test client's cookies;
- :class:`MemoryWebSocket` talks to an in-process app (``app.test_client``):
  the handshake goes through the mount like any request, then websockets'
  sans-I/O ``ClientProtocol`` frames the bytes and they are fed straight to
  the server side's connection on the app's loop.

Example::

    with app.test_client("/") as cli, cli.websocket("/echo") as ws:
        ws.send("hello")
        assert ws.receive() == "hello"
"""

from __future__ import annotations

import abc
import asyncio
import queue
from typing import Any, Callable, Iterator, cast

import orjson
from websockets.client import ClientProtocol
from websockets.datastructures import Headers as WSHeaders
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.http11 import Response as WSResponse
from websockets.protocol import State

from ..websocket.messages import Message, MessageAssembler
from .transport import InMemoryTransport

__all__ = ["WebSocketClosed", "RemoteWebSocket", "MemoryWebSocket", "RECEIVE_TIMEOUT", "keep_cookies"]

#: seconds ``receive()`` waits for a message by default
RECEIVE_TIMEOUT = 10.0


def keep_cookies(cookies: Any, headers: WSHeaders) -> None:
    """Store the Set-Cookie fields of a 101 in an httpx cookie jar, so the
    next request of the test client carries what ``onopen`` wrote."""
    from http.cookies import SimpleCookie

    for value in headers.get_all("Set-Cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(value)
        for name, morsel in jar.items():
            cookies.set(name, morsel.value)


class WebSocketClosed(Exception):
    """The server closed the socket (or it dropped: 1006)."""

    def __init__(self, code: int | None, reason: str = "") -> None:
        super().__init__(f"websocket closed: {code} {reason}".rstrip())
        self.code = code
        self.reason = reason


def _outgoing(value: Any) -> Message:
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return value  # type: ignore[no-any-return]


class _Client(abc.ABC):
    close_code: int | None = None
    close_reason: str = ""

    @abc.abstractmethod
    def send(self, value: Any) -> None: ...

    @abc.abstractmethod
    def receive(self, timeout: float | None = RECEIVE_TIMEOUT) -> Message: ...

    @abc.abstractmethod
    def close(self, code: int = 1000, reason: str = "") -> None: ...

    def recv(self, timeout: float | None = RECEIVE_TIMEOUT) -> Message:
        return self.receive(timeout)

    def receive_json(self, timeout: float | None = RECEIVE_TIMEOUT) -> Any:
        return orjson.loads(self.receive(timeout))

    def __enter__(self) -> "_Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __iter__(self) -> Iterator[Message]:
        while True:
            try:
                yield self.receive()
            except WebSocketClosed:
                return


class RemoteWebSocket(_Client):
    def __init__(
        self,
        url: str,
        headers: list[tuple[str, str]] | None = None,
        subprotocols: list[str] | None = None,
        open_timeout: float = 10.0,
    ) -> None:
        from websockets.sync.client import connect
        from websockets.typing import Subprotocol

        self.url = url
        # NOTE: entered by hand: the connection outlives this call (closed by close())
        self._context = connect(
            url,
            additional_headers=headers or None,
            open_timeout=open_timeout,
            subprotocols=[Subprotocol(name) for name in subprotocols] if subprotocols else None,
        )
        self.connection = self._context.__enter__()
        #: the 101 answer's header fields
        self.headers = self.connection.response.headers if self.connection.response else WSHeaders()
        self.subprotocol = self.connection.subprotocol

    def send(self, value: Any) -> None:
        try:
            self.connection.send(_outgoing(value))
        except ConnectionClosed as exc:
            raise self._closed(exc) from None

    def receive(self, timeout: float | None = RECEIVE_TIMEOUT) -> Message:
        try:
            return self.connection.recv(timeout)
        except ConnectionClosed as exc:
            raise self._closed(exc) from None

    def _closed(self, exc: ConnectionClosed) -> WebSocketClosed:
        close = exc.rcvd or exc.sent
        self.close_code = close.code if close is not None else 1006
        self.close_reason = close.reason if close is not None else ""
        return WebSocketClosed(self.close_code, self.close_reason)

    def close(self, code: int = 1000, reason: str = "") -> None:
        self.connection.close(code, reason)
        self._context.__exit__(None, None, None)
        protocol = self.connection.protocol
        if self.close_code is None:
            close = protocol.close_rcvd or protocol.close_sent
            self.close_code = close.code if close is not None else 1006
            self.close_reason = close.reason if close is not None else ""


class _QueueTransport(InMemoryTransport):
    """The server side's transport: what it writes lands in the client's queue."""

    def __init__(self, output: "queue.SimpleQueue[bytes | None]") -> None:
        super().__init__()
        self.output = output

    def _deliver(self, data: Any) -> None:
        self.output.put(bytes(data))

    def _closing(self) -> None:
        self.output.put(None)

    def get_write_buffer_size(self) -> int:
        return 0


class MemoryWebSocket(_Client):
    """See the module docstring.  Made by :meth:`connect` once the mount has
    answered the handshake request."""

    def __init__(self, loop: asyncio.AbstractEventLoop, client: ClientProtocol) -> None:
        self.loop = loop
        self.client = client
        self.output: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.transport = _QueueTransport(self.output)
        self.connection: Any = None
        self.assembler = MessageAssembler()
        self.messages: list[Message] = []
        self.headers: WSHeaders = WSHeaders()

    @classmethod
    def connect(
        cls,
        loop: asyncio.AbstractEventLoop,
        client: ClientProtocol,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        factory: Callable[[Any, bytes], Any] | None,
    ) -> "MemoryWebSocket":
        """Finish the client's handshake with the mount's answer.

        Raises:
            WebSocketClosed: the mount refused (``code`` is None, ``reason`` the
                status and body).
        """
        if status != 101 or factory is None:
            raise WebSocketClosed(None, f"handshake refused: {status} {body.decode('utf-8', 'replace')}")
        ws = cls(loop, client)
        fields = WSHeaders(headers)
        if "Connection" not in fields:
            fields["Connection"] = "Upgrade"  # what the engine adds to every 101
        response = WSResponse(101, "Switching Protocols", fields)
        client.receive_data(response.serialize())
        client.events_received()
        if client.state is not State.OPEN:
            raise WebSocketClosed(None, f"handshake answer rejected by the client: {client.handshake_exc}")
        ws.headers = response.headers

        async def hand_off() -> None:
            ws.connection = factory(ws.transport, b"")
            ws.transport.set_protocol(ws.connection)

        asyncio.run_coroutine_threadsafe(hand_off(), loop).result(RECEIVE_TIMEOUT)
        return ws

    def _push(self) -> None:
        for data in self.client.data_to_send():
            if data:
                self.loop.call_soon_threadsafe(self._feed, data)
            else:
                self.loop.call_soon_threadsafe(self._feed_eof)

    def _feed(self, data: bytes) -> None:
        if not self.transport.closed:
            self.connection.data_received(data)

    def _feed_eof(self) -> None:
        if not self.transport.closed:
            self.connection.eof_received()

    def send(self, value: Any) -> None:
        message = _outgoing(value)
        if self.client.state is not State.OPEN:
            raise WebSocketClosed(self.close_code, self.close_reason)
        if isinstance(message, str):
            self.client.send_text(message.encode())
        else:
            self.client.send_binary(message)
        self._push()

    def receive(self, timeout: float | None = RECEIVE_TIMEOUT) -> Message:
        while not self.messages:
            if self.close_code is not None:
                raise WebSocketClosed(self.close_code, self.close_reason)
            try:
                data = self.output.get(timeout=timeout)
            except queue.Empty:
                raise TimeoutError(f"no websocket message in {timeout} s") from None
            if data is None:
                self.client.receive_eof()
                self._note_close()
                continue
            self.client.receive_data(data)
            for frame in cast("list[Frame]", self.client.events_received()):
                if frame.opcode is Opcode.CLOSE:
                    self._note_close()
                    continue
                message = self.assembler.feed(frame)
                if message is not None:
                    self.messages.append(message)
            self._push()
        return self.messages.pop(0)

    def _note_close(self) -> None:
        if self.close_code is None:
            close = self.client.close_rcvd or self.client.close_sent
            self.close_code = close.code if close is not None else 1006
            self.close_reason = close.reason if close is not None else ""

    def close(self, code: int = 1000, reason: str = "") -> None:
        if self.client.state is State.OPEN:
            self.client.send_close(code, reason)
            self._push()
            try:
                while self.close_code is None:
                    self.receive(RECEIVE_TIMEOUT)
            except (WebSocketClosed, TimeoutError):
                pass
        self._note_close()
