"""The HTTP/2 protocol with a real Server and mounts over an in-memory
transport, driven by a raw ``h2`` client: flow control both ways, trailers,
push, resets, timeouts and the switch from HTTP/1.1."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from typing import Any, Callable, Coroutine

import h2.config
import h2.connection
import h2.events
import h2.settings
import pytest
from h2.errors import ErrorCodes

from skitai.body import HIGH_WATER
from skitai.config import Config, Limits
from skitai.errors import ClientGone
from skitai.http2.protocol import H2Protocol
from skitai.testing.wire import MemoryTransport, WireServer

GET = [(b":method", b"GET"), (b":scheme", b"http"), (b":authority", b"example.com")]
CHUNK = 64 * 1024


class Mount:
    prefix = ""
    priority = 10
    body_limit = None
    name = None

    def __init__(self) -> None:
        self.calls = 0
        self.progress = 0
        self.errors: list[BaseException] = []
        self.release = asyncio.Event()
        self.requests: list[Any] = []

    def handle(self, request: Any, responder: Any) -> Any:
        self.calls += 1
        self.requests.append(request)
        path = request.path
        if path == "/big":
            responder.respond(200, [("content-type", "application/octet-stream")], b"b" * 200_000)
            return None
        if path == "/page":
            responder.respond(
                200,
                [
                    ("content-type", "text/html"),
                    ("link", "</style.css>; rel=preload; as=style"),
                    ("link", "</nopush.js>; rel=preload; nopush"),
                ],
                b"<html>",
            )
            return None
        if path == "/style.css":
            responder.respond(200, [("content-type", "text/css")], b"body{}")
            return None
        if path == "/stream":
            return self.stream(responder)
        if path == "/sized":
            return self.sized(responder)
        if path == "/trailers":
            return self.trailers(responder)
        if path == "/hold":
            return self.hold(request, responder)
        if path == "/echo":
            return self.echo(request, responder)
        responder.respond(200, [("content-type", "text/plain")], f"{request.method} {path} {request.version}".encode())
        return None

    async def stream(self, responder: Any) -> None:
        responder.start(200, [("content-type", "application/octet-stream")])
        try:
            for _ in range(16):
                await responder.write(b"s" * CHUNK)
                self.progress += CHUNK
        except ClientGone as exc:
            self.errors.append(exc)
            raise
        responder.end()

    async def sized(self, responder: Any) -> None:
        responder.start(200, [("content-length", "4")])
        await responder.write(b"size")
        responder.end()

    async def trailers(self, responder: Any) -> None:
        responder.start(200, [("content-type", "text/plain")])
        await responder.write(b"data")
        responder.end([("grpc-status", "0")])

    async def hold(self, request: Any, responder: Any) -> None:
        await self.release.wait()
        data = await request.body.read()
        responder.respond(200, [], str(len(data)).encode())

    async def echo(self, request: Any, responder: Any) -> None:
        data = await request.body.read()
        responder.respond(200, [], data)

    async def startup(self, engine: Any) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def watch_paths(self) -> list[str]:
        return []


class Client:
    """A raw h2 client connection wired to an H2Protocol in memory."""

    def __init__(self, wire: WireServer, **settings: int) -> None:
        self.protocol = H2Protocol(wire.server.state)
        self.transport = MemoryTransport(self.protocol)
        wire.transports.append(self.transport)
        self.protocol.connection_made(self.transport)
        config = h2.config.H2Configuration(client_side=True, header_encoding=None)
        self.h2 = h2.connection.H2Connection(config=config)
        self.h2.local_settings = h2.settings.Settings(
            client=True,
            initial_values={getattr(h2.settings.SettingCodes, k.upper()): v for k, v in settings.items()},
        )
        self.h2.initiate_connection()
        self.events: list[Any] = []
        self.read = 0

    def send(self) -> None:
        data = self.h2.data_to_send()
        if data and not self.transport.closed:
            self.protocol.data_received(data)

    async def pump(self, rounds: int = 5) -> list[Any]:
        new: list[Any] = []
        for _ in range(rounds):
            self.send()
            await asyncio.sleep(0)
            out = bytes(self.transport.output[self.read :])
            self.read += len(out)
            if out:
                new.extend(self.h2.receive_data(out))
        self.send()
        self.events.extend(new)
        return new

    def get(self, path: str, extra: list[tuple[bytes, bytes]] | None = None, end: bool = True) -> int:
        stream_id = self.h2.get_next_available_stream_id()
        self.h2.send_headers(stream_id, [*GET, (b":path", path.encode()), *(extra or [])], end_stream=end)
        return stream_id

    def body(self, stream_id: int) -> bytes:
        return b"".join(
            e.data for e in self.events if isinstance(e, h2.events.DataReceived) and e.stream_id == stream_id
        )

    def headers(self, stream_id: int) -> dict[bytes, bytes]:
        for event in self.events:
            if isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream_id:
                return dict(event.headers)
        raise AssertionError(f"no response on stream {stream_id}")

    def ended(self, stream_id: int) -> bool:
        return any(isinstance(e, h2.events.StreamEnded) and e.stream_id == stream_id for e in self.events)

    def reset_code(self, stream_id: int) -> int | None:
        for event in self.events:
            if isinstance(event, h2.events.StreamReset) and event.stream_id == stream_id:
                return int(event.error_code)
        return None

    def goaway(self) -> int | None:
        for event in self.events:
            if isinstance(event, h2.events.ConnectionTerminated):
                return int(event.error_code)
        return None


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def config(**limits: Any) -> Config:
    return Config(access_log=False, limits=dataclasses.replace(Limits(), **limits))


@pytest.fixture
def mount() -> Mount:
    return Mount()


@sync
async def test_get_is_answered_with_engine_headers(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        client = Client(wire)
        stream_id = client.get("/hello")
        await client.pump()
        head = client.headers(stream_id)
        assert head[b":status"] == b"200" and head[b"server"] == b"skitai" and b"date" in head
        assert head[b"content-length"] == b"12"
        assert client.body(stream_id) == b"GET /hello 2" and client.ended(stream_id)
        assert mount.requests[0].headers["host"] == "example.com"


@sync
async def test_a_slow_reader_holds_the_app_not_a_buffer(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        client = Client(wire, initial_window_size=1000)
        stream_id = client.get("/stream")
        await client.pump(10)
        # one window's worth went out; the app waits in its first write
        assert len(client.body(stream_id)) == 1000
        assert len(client.transport.output) < 1000 + 1024
        assert mount.progress == 0
        data = client.body(stream_id)
        client.h2.acknowledge_received_data(len(data), stream_id)
        client.h2.increment_flow_control_window(16 * CHUNK, stream_id)
        client.h2.increment_flow_control_window(16 * CHUNK)
        await client.pump(80)
        assert client.body(stream_id) == b"s" * 16 * CHUNK and client.ended(stream_id)
        assert mount.progress == 16 * CHUNK


@sync
async def test_respond_keeps_the_rest_of_a_large_body_until_windows_open(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        client = Client(wire, initial_window_size=1000)
        stream_id = client.get("/big")
        await client.pump()
        assert len(client.body(stream_id)) == 1000 and not client.ended(stream_id)
        client.h2.increment_flow_control_window(200_000, stream_id)
        client.h2.increment_flow_control_window(200_000)
        await client.pump()
        assert client.body(stream_id) == b"b" * 200_000 and client.ended(stream_id)


@sync
async def test_zero_window_stall_is_reset_after_send_timeout(mount: Mount) -> None:
    async with WireServer([mount], config(send_timeout=1.0)) as wire:
        client = Client(wire, initial_window_size=0)
        stream_id = client.get("/stream")
        await client.pump()
        assert client.body(stream_id) == b""
        client.protocol.check_timeouts(wire.server.now + 5.0)
        await client.pump()
        assert client.reset_code(stream_id) == ErrorCodes.CANCEL
        assert mount.errors and isinstance(mount.errors[0], ClientGone)
        # the connection itself still serves
        other = client.get("/ok")
        await client.pump()
        assert client.headers(other)[b":status"] == b"200"


@sync
async def test_an_upload_the_app_does_not_read_stops_at_the_windows(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        client = Client(wire)
        stream_id = client.get("/hold", end=False)
        sent = 0  # send as much as the windows let us
        for _ in range(200):
            window = client.h2.local_flow_control_window(stream_id)
            if window == 0:
                break
            size = min(window, client.h2.max_outbound_frame_size)
            client.h2.send_data(stream_id, b"u" * size)
            sent += size
            await client.pump(2)
        body = mount.requests[0].body
        # the server stopped acknowledging once HIGH_WATER was buffered
        assert client.h2.local_flow_control_window(stream_id) == 0
        assert body.received == sent and sent <= HIGH_WATER + 2 * 65535
        mount.release.set()
        client.h2.end_stream(stream_id)
        await client.pump(10)
        assert client.body(stream_id) == str(sent).encode()


@sync
async def test_head_of_a_sized_stream_keeps_its_length_and_ends_cleanly(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        client = Client(wire)
        get = client.get("/sized")
        head = client.h2.get_next_available_stream_id()
        client.h2.send_headers(head, [(b":method", b"HEAD"), *GET[1:], (b":path", b"/sized")], end_stream=True)
        await client.pump()
        assert client.body(get) == b"size" and client.ended(get)
        assert client.headers(head)[b"content-length"] == b"4"
        assert client.body(head) == b"" and client.ended(head) and client.reset_code(head) is None


@sync
async def test_trailers_both_ways(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        client = Client(wire)
        stream_id = client.get("/trailers")
        await client.pump()
        trailers = [e for e in client.events if isinstance(e, h2.events.TrailersReceived)]
        assert trailers and trailers[0].headers == [(b"grpc-status", b"0")]
        assert client.body(stream_id) == b"data"

        upload = client.get("/echo", end=False)
        client.h2.send_data(upload, b"abc")
        client.h2.send_headers(upload, [(b"x-checksum", b"1")], end_stream=True)
        await client.pump()
        assert client.body(upload) == b"abc"
        assert mount.requests[-1].state["trailers"] == [("x-checksum", "1")]


@sync
async def test_a_stream_reset_in_the_same_read_never_reaches_the_app(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        client = Client(wire)
        for _ in range(20):
            stream_id = client.get("/hello")
            client.h2.reset_stream(stream_id, ErrorCodes.CANCEL)
        await client.pump()
        assert mount.calls == 0
        alive = client.get("/hello")
        await client.pump()
        assert client.headers(alive)[b":status"] == b"200" and mount.calls == 1


@sync
async def test_server_push_when_the_client_allows_it(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        client = Client(wire, enable_push=1)
        stream_id = client.get("/page", [(b"cookie", b"sid=1")])
        await client.pump()
        promises = [e for e in client.events if isinstance(e, h2.events.PushedStreamReceived)]
        assert [dict(p.headers)[b":path"] for p in promises] == [b"/style.css"]
        pushed = promises[0].pushed_stream_id
        assert client.body(pushed) == b"body{}" and client.headers(pushed)[b":status"] == b"200"
        assert client.body(stream_id) == b"<html>"
        assert mount.requests[-1].headers["cookie"] == "sid=1"


@sync
async def test_no_push_when_the_client_disables_it(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        client = Client(wire, enable_push=0)
        client.get("/page")
        await client.pump()
        assert not [e for e in client.events if isinstance(e, h2.events.PushedStreamReceived)]
        links = [
            v for e in client.events if isinstance(e, h2.events.ResponseReceived) for k, v in e.headers if k == b"link"
        ]
        assert links[0].startswith(b"</style.css>")
        assert mount.calls == 1


@sync
async def test_garbage_gets_goaway_protocol_error_and_a_close(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        client = Client(wire)
        await client.pump()
        client.protocol.data_received(b"\x00\x00\x04\x99\x00\x00\x00\x00\x01" + b"x" * 2 + b"\x00" * 100)
        client.protocol.data_received(b"\x00\x00\x08\x07\x00\x00\x00\x00\x01" + b"\x00" * 8)  # GOAWAY on a stream
        await asyncio.sleep(0)
        out = bytes(client.transport.output[client.read :])
        client.events.extend(client.h2.receive_data(out))
        assert client.goaway() == ErrorCodes.PROTOCOL_ERROR
        assert client.transport.closed
        # other connections are unaffected
        other = Client(wire)
        stream_id = other.get("/x")
        await other.pump()
        assert other.headers(stream_id)[b":status"] == b"200"


@sync
async def test_shutdown_sends_goaway_and_finishes_streams_in_progress(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        client = Client(wire)
        stream_id = client.get("/hold")
        await client.pump()
        client.protocol.shutdown()
        late = client.get("/x")
        await client.pump()
        assert client.reset_code(late) == ErrorCodes.REFUSED_STREAM and not client.transport.closed
        mount.release.set()
        await client.pump()
        assert client.body(stream_id) == b"0" and client.ended(stream_id)
        assert client.goaway() == ErrorCodes.NO_ERROR and client.transport.closed


@sync
async def test_idle_connection_closes_after_keepalive_timeout(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        client = Client(wire)
        stream_id = client.get("/x")
        await client.pump()
        assert client.ended(stream_id)
        client.protocol.check_timeouts(wire.server.now + Limits().keepalive_timeout + 1)
        await client.pump()
        assert client.goaway() == ErrorCodes.NO_ERROR and client.transport.closed


@sync
async def test_413_for_a_declared_body_over_the_limit(mount: Mount) -> None:
    async with WireServer([mount], config(max_body_size=100)) as wire:
        client = Client(wire)
        stream_id = client.get("/echo", [(b"content-length", b"1000")], end=False)
        await client.pump()
        assert client.headers(stream_id)[b":status"] == b"413"
        assert b"max_body_size" in client.body(stream_id)
        assert client.reset_code(stream_id) == ErrorCodes.NO_ERROR and mount.calls == 0


@sync
async def test_prior_knowledge_through_http1_even_split(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        h1, transport = wire.connect()
        config = h2.config.H2Configuration(client_side=True, header_encoding=None)
        client = h2.connection.H2Connection(config=config)
        client.initiate_connection()
        client.send_headers(1, [*GET, (b":path", b"/pk")], end_stream=True)
        data = client.data_to_send()
        h1.data_received(data[:5])
        h1.data_received(data[5:30])
        transport.protocol.data_received(data[30:])
        await asyncio.sleep(0.01)
        events = client.receive_data(bytes(transport.output))
        body = b"".join(e.data for e in events if isinstance(e, h2.events.DataReceived))
        assert body == b"GET /pk 2"


@sync
async def test_prior_knowledge_one_byte_at_a_time(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        h1, transport = wire.connect()
        config = h2.config.H2Configuration(client_side=True, header_encoding=None)
        client = h2.connection.H2Connection(config=config)
        client.initiate_connection()
        client.send_headers(1, [*GET, (b":path", b"/bytes")], end_stream=True)
        for byte in client.data_to_send():
            transport.protocol.data_received(bytes([byte]))
        await asyncio.sleep(0.01)
        events = client.receive_data(bytes(transport.output))
        body = b"".join(e.data for e in events if isinstance(e, h2.events.DataReceived))
        assert body == b"GET /bytes 2"


@sync
async def test_h2c_upgrade_answers_the_request_on_stream_1(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        h1, transport = wire.connect()
        config = h2.config.H2Configuration(client_side=True, header_encoding=None)
        client = h2.connection.H2Connection(config=config)
        settings = client.initiate_upgrade_connection()
        request = (
            b"GET /up HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            b"Upgrade: h2c\r\nHTTP2-Settings: " + settings + b"\r\n\r\n"
        )
        h1.data_received(request + client.data_to_send())
        await asyncio.sleep(0.01)
        out = bytes(transport.output)
        head, _, rest = out.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101") and b"upgrade: h2c" in head
        events = client.receive_data(rest)
        body = b"".join(e.data for e in events if isinstance(e, h2.events.DataReceived) and e.stream_id == 1)
        assert body == b"GET /up 2"


@sync
async def test_h2c_upgrade_with_bad_settings_is_400(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        out, closed = await wire.exchange(
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            b"HTTP2-Settings: AAAA\r\n\r\n"
        )
        assert out.startswith(b"HTTP/1.1 400") and b"HTTP2-Settings" in out and closed


@sync
async def test_nothing_is_pumped_while_the_socket_is_backed_up(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        client = Client(wire, initial_window_size=2**31 - 1)
        client.h2.increment_flow_control_window(2**31 - 1 - 65535)
        await client.pump()
        client.protocol.pause_writing()  # what the transport says past its high-water mark
        stream_id = client.get("/big")
        await client.pump()
        assert client.headers(stream_id)[b":status"] == b"200" and client.body(stream_id) == b""
        client.protocol.resume_writing()
        await client.pump()
        assert client.body(stream_id) == b"b" * 200_000 and client.ended(stream_id)


@sync
async def test_send_timeout_counts_from_the_last_progress(mount: Mount) -> None:
    async with WireServer([mount], config(send_timeout=1.0)) as wire:
        wire.server._sweeper.cancel()  # this test moves the clock itself
        client = Client(wire, initial_window_size=1000)
        stream_id = client.get("/big")
        await client.pump()
        for _ in range(3):  # a slow but steady reader: 1000 bytes per "second"
            wire.server.now += 0.9
            client.h2.increment_flow_control_window(1000, stream_id)
            await client.pump()
            client.protocol.check_timeouts(wire.server.now + 0.5)
            await client.pump()
        assert client.reset_code(stream_id) is None and len(client.body(stream_id)) == 4000
        client.protocol.check_timeouts(wire.server.now + 1.5)  # and now it stalls
        await client.pump()
        assert client.reset_code(stream_id) == ErrorCodes.CANCEL


@sync
async def test_h2c_upgrade_of_a_request_with_a_body(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        h1, transport = wire.connect()
        config = h2.config.H2Configuration(client_side=True, header_encoding=None)
        client = h2.connection.H2Connection(config=config)
        settings = client.initiate_upgrade_connection()
        head = (
            b"POST /echo HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            b"Upgrade: h2c\r\nContent-Length: 11\r\nHTTP2-Settings: " + settings + b"\r\n\r\n"
        )
        h1.data_received(head + b"hello")
        transport.protocol.data_received(b" world" + client.data_to_send())  # the rest of the body, then HTTP/2
        await asyncio.sleep(0.01)
        out = bytes(transport.output)
        assert out.startswith(b"HTTP/1.1 101")
        events = client.receive_data(out.partition(b"\r\n\r\n")[2])
        body = b"".join(e.data for e in events if isinstance(e, h2.events.DataReceived) and e.stream_id == 1)
        assert body == b"hello world"


@sync
async def test_h2c_upgrade_with_a_chunked_body_is_refused_clearly(mount: Mount) -> None:
    async with WireServer([mount]) as wire:
        out, closed = await wire.exchange(
            b"POST /echo HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            b"HTTP2-Settings: AAMAAABkAAQAAP__\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
        )
        assert out.startswith(b"HTTP/1.1 400") and b"chunked" in out and closed
