"""The HTTP/1.1 protocol end to end over an in-memory transport."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs

import pytest

from skitai.config import Config, Limits
from skitai.testing.wire import WireServer


class EchoMount:
    prefix = ""
    priority = 10
    body_limit = None
    name = None

    def handle(self, request: Any, responder: Any) -> Any:
        if request.path == "/stream":
            return self.stream(responder)
        if request.path == "/boom":
            raise RuntimeError("boom")
        if request.path == "/silent":
            return None
        return self.echo(request, responder)

    async def echo(self, request: Any, responder: Any) -> None:
        data = await request.body.read()
        headers = [("content-type", "text/plain")]
        values = parse_qs(request.query).get("h")
        if values:
            headers.append(("x-echo", values[0]))
        responder.respond(200, headers, data or request.path.encode())

    async def stream(self, responder: Any) -> None:
        responder.start(200, [("content-type", "text/plain")])
        for part in (b"a", b"bc"):
            await responder.write(part)
        responder.end()

    async def startup(self, engine: Any) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def watch_paths(self) -> list[str]:
        return []


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def exchange(data: bytes, config: Config | None = None, **kw: Any) -> tuple[bytes, bool]:
    async with WireServer([EchoMount()], config) as wire:
        return await wire.exchange(data, **kw)


def responses(raw: bytes) -> list[bytes]:
    return [part for part in raw.split(b"HTTP/1.1 ")[1:]]


def test_keep_alive_and_pipelining_in_order() -> None:
    raw, closed = run(exchange(b"".join(b"GET /%d HTTP/1.1\r\nHost: a\r\n\r\n" % i for i in range(5))))
    parts = responses(raw)
    assert len(parts) == 5 and not closed
    assert [p.rsplit(b"\r\n\r\n", 1)[1] for p in parts] == [b"/%d" % i for i in range(5)]


def test_connection_close_closes() -> None:
    raw, closed = run(exchange(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
    assert raw.startswith(b"HTTP/1.1 200") and b"connection: close" in raw and closed


def test_http10_closes_and_keepalive_is_honoured() -> None:
    raw, closed = run(exchange(b"GET / HTTP/1.0\r\n\r\n"))
    assert closed and raw.startswith(b"HTTP/1.1 200")
    raw, closed = run(exchange(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))
    assert not closed and b"connection: keep-alive" in raw


def test_http10_streaming_is_close_delimited() -> None:
    raw, closed = run(exchange(b"GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))
    assert closed and raw.endswith(b"\r\n\r\nabc") and b"chunked" not in raw


def test_chunked_response_framing() -> None:
    raw, _ = run(exchange(b"GET /stream HTTP/1.1\r\nHost: a\r\n\r\n"))
    assert b"transfer-encoding: chunked" in raw and raw.endswith(b"1\r\na\r\n2\r\nbc\r\n0\r\n\r\n")
    assert b"content-length" not in raw


def test_head_has_no_body_and_same_length() -> None:
    raw, _ = run(exchange(b"HEAD /abc HTTP/1.1\r\nHost: a\r\n\r\n"))
    assert b"content-length: 4\r\n" in raw and raw.endswith(b"\r\n\r\n")


class HeadlessMount(EchoMount):
    """Answers HEAD with an empty body and no length, as Werkzeug does for a stream."""

    def handle(self, request: Any, responder: Any) -> Any:
        responder.respond(200, [("content-type", "text/plain")], b"" if request.method == "HEAD" else b"data")


def test_empty_head_answer_without_a_length_gets_no_content_length() -> None:
    raw, _ = run(exchange_with([HeadlessMount()], b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"))
    assert raw.startswith(b"HTTP/1.1 200") and b"content-length" not in raw.lower()


def test_empty_get_answer_still_gets_content_length_zero() -> None:
    raw, _ = run(exchange(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"))
    assert b"content-length: 1\r\n" in raw  # echoes the path "/"


def test_date_and_server_headers() -> None:
    raw, _ = run(exchange(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
    assert b"\r\ndate: " in raw and b"\r\nserver: skitai\r\n" in raw


def test_chunked_request_body_is_decoded() -> None:
    raw, _ = run(exchange(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
    assert raw.endswith(b"\r\n\r\nhello")


def test_expect_100_continue_then_answer() -> None:
    raw, _ = run(exchange(b"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello"))
    assert raw.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK") and raw.endswith(b"hello")


def test_expect_100_over_limit_is_413_without_100() -> None:
    config = Config(access_log=False, limits=Limits(max_body_size=10))
    raw, closed = run(
        exchange(b"POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 99\r\n\r\n", config)
    )
    assert raw.startswith(b"HTTP/1.1 413") and b"100 Continue" not in raw and closed


class LimitedMount(EchoMount):
    def __init__(self, body_limit: int | None, priority: int = 10) -> None:
        self.body_limit = body_limit
        self.priority = priority


async def exchange_with(mounts: list[Any], data: bytes, config: Config | None = None) -> tuple[bytes, bool]:
    async with WireServer(mounts, config) as wire:
        return await wire.exchange(data)


def post(size: int) -> bytes:
    return b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % size + b"x" * size


def test_mount_body_limit_below_the_default_gives_413() -> None:
    raw, closed = run(exchange_with([LimitedMount(10)], post(11)))
    assert raw.startswith(b"HTTP/1.1 413") and closed


def test_mount_body_limit_below_the_default_accepts_up_to_it() -> None:
    raw, _ = run(exchange_with([LimitedMount(10)], post(10)))
    assert raw.startswith(b"HTTP/1.1 200") and raw.endswith(b"x" * 10)


def test_mount_body_limit_above_the_default_is_honoured() -> None:
    config = Config(access_log=False, limits=Limits(max_body_size=10))
    raw, _ = run(exchange_with([LimitedMount(50)], post(40), config))
    assert raw.startswith(b"HTTP/1.1 200")


def test_mount_without_a_limit_does_not_widen_its_neighbours_limit() -> None:
    # a static folder (no limit of its own) sharing the prefix of a limited app
    raw, _ = run(exchange_with([LimitedMount(None, priority=0), LimitedMount(10)], post(11)))
    assert raw.startswith(b"HTTP/1.1 413")


def test_chunked_over_limit_is_413_and_close() -> None:
    config = Config(access_log=False, limits=Limits(max_body_size=10))
    data = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + b"8\r\nxxxxxxxx\r\n" * 4
    raw, closed = run(exchange(data, config))
    assert raw.startswith(b"HTTP/1.1 413") and closed


@pytest.mark.parametrize("value", [b"a%0d%0aX-Injected:%20yes", b"a%0aX-Injected:%20yes", b"a%0dX:%20y", b"a%00b"])
def test_header_injection_is_refused_with_500(value: bytes) -> None:
    raw, _ = run(exchange(b"GET /x?h=" + value + b" HTTP/1.1\r\nHost: a\r\n\r\n"))
    assert raw.startswith(b"HTTP/1.1 500") and b"X-Injected" not in raw and b"x-echo" not in raw


def test_app_error_is_500_and_connection_survives() -> None:
    raw, closed = run(exchange(b"GET /boom HTTP/1.1\r\nHost: a\r\n\r\nGET /ok HTTP/1.1\r\nHost: a\r\n\r\n"))
    parts = responses(raw)
    assert parts[0].startswith(b"500") and parts[1].startswith(b"200") and not closed


def test_mount_that_does_not_answer_is_500() -> None:
    raw, _ = run(exchange(b"GET /silent HTTP/1.1\r\nHost: a\r\n\r\n"))
    assert raw.startswith(b"HTTP/1.1 500")


def test_bad_request_after_good_one_is_answered_in_order_then_closed() -> None:
    raw, closed = run(
        exchange(
            b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\nHost: a\r\n\r\n"
        )
    )
    parts = responses(raw)
    assert parts[0].startswith(b"200") and parts[1].startswith(b"400") and closed


def test_smuggling_shape_gets_400_and_close() -> None:
    raw, closed = run(
        exchange(
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"0\r\n\r\n"
            b"GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"
        )
    )
    assert raw.startswith(b"HTTP/1.1 400") and closed and b"/smuggled" not in raw


def test_header_timeout_cuts_a_slow_client() -> None:
    async def scenario() -> tuple[bytes, bool]:
        config = Config(access_log=False, limits=Limits(header_timeout=0.0))
        async with WireServer([EchoMount()], config) as wire:
            protocol, transport = wire.connect()
            protocol.data_received(b"GET / HTTP/1.1\r\nHo")
            wire.server.now += 1.0
            protocol.check_timeouts(wire.server.now)
            await asyncio.sleep(0.01)
            return bytes(transport.output), transport.closed

    raw, closed = run(scenario())
    assert raw.startswith(b"HTTP/1.1 408") and closed


def test_slow_body_is_cut_off() -> None:
    async def scenario() -> tuple[bytes, bool]:
        config = Config(access_log=False, limits=Limits(body_grace=1.0, min_body_rate=100))
        async with WireServer([EchoMount()], config) as wire:
            protocol, transport = wire.connect()
            protocol.data_received(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\nx")
            await asyncio.sleep(0)
            wire.server.now += 5.0
            protocol.check_timeouts(wire.server.now)
            await asyncio.sleep(0.01)
            return bytes(transport.output), transport.closed

    raw, closed = run(scenario())
    assert raw.startswith(b"HTTP/1.1 408") and closed


def test_idle_keepalive_connection_is_closed() -> None:
    async def scenario() -> bool:
        config = Config(access_log=False, limits=Limits(keepalive_timeout=1.0))
        async with WireServer([EchoMount()], config) as wire:
            protocol, transport = wire.connect()
            protocol.data_received(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            await asyncio.sleep(0.01)
            assert not transport.closed
            wire.server.now += 2.0
            protocol.check_timeouts(wire.server.now)
            await asyncio.sleep(0.01)
            return transport.closed

    assert run(scenario())


def test_body_larger_than_high_water_is_read_whole() -> None:
    body = b"y" * (1 << 20)
    config = Config(access_log=False, limits=Limits(max_body_size=2 << 20))
    head = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % len(body)
    raw, _ = run(exchange(head + body, config, chunks=64))
    assert raw.startswith(b"HTTP/1.1 200") and raw.endswith(body)


class UpgradeMount(EchoMount):
    """Hands the connection to a line-echo protocol after a 101 answer."""

    def handle(self, request: Any, responder: Any) -> Any:
        if request.headers.get("upgrade") != "line-echo":
            return super().handle(request, responder)
        responder.start(101, [("upgrade", "line-echo"), ("connection", "upgrade")])
        responder.upgrade(LineEcho)
        return None


class LineEcho(asyncio.Protocol):
    def __init__(self, transport: Any, leftover: bytes) -> None:
        self.transport = transport
        if leftover:
            self.data_received(leftover)

    def data_received(self, data: bytes) -> None:
        self.transport.write(b"echo:" + data)


def test_upgrade_hands_the_transport_to_the_new_protocol() -> None:
    async def scenario() -> bytes:
        async with WireServer([UpgradeMount()]) as wire:
            protocol, transport = wire.connect()
            protocol.data_received(
                b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: line-echo\r\n\r\nearly"
            )
            await asyncio.sleep(0.01)
            transport.get_protocol().data_received(b"later")
            return bytes(transport.output)

    raw = run(scenario())
    assert raw.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    assert raw.count(b"connection: upgrade\r\n") == 1 and b"upgrade: line-echo\r\n" in raw
    assert raw.endswith(b"\r\n\r\necho:earlyecho:later")


def test_upgrade_request_answered_normally_closes() -> None:
    raw, closed = run(exchange(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: other\r\n\r\n"))
    assert raw.startswith(b"HTTP/1.1 200") and closed


class ClosingMount(EchoMount):
    def handle(self, request: Any, responder: Any) -> Any:
        responder.respond(200, [("Connection", "close"), ("content-type", "text/plain")], b"bye")
        return None


def test_app_connection_close_closes_with_one_header() -> None:
    async def scenario() -> tuple[bytes, bool]:
        async with WireServer([ClosingMount()]) as wire:
            return await wire.exchange(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")

    raw, closed = run(scenario())
    assert closed and raw.count(b"HTTP/1.1 200") == 1 and raw.lower().count(b"connection: close") == 1
