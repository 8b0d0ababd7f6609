"""The protocol's edges over the in-memory wire: the HTTP/2 preface, the 413
that names its setting, the Upgrade hand-off's target, and a handler that is
cancelled or interrupted on its first step."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest

from skitai.config import Config
from skitai.contract import Request, UpgradeTarget
from skitai.logs import Logs
from skitai.server_state import ServerState
from skitai.testing.wire import WireServer


class Mount:
    prefix = ""
    priority = 10
    body_limit: int | None = None
    name = None

    def handle(self, request: Any, responder: Any) -> Any:
        responder.respond(200, [("content-type", "text/plain")], b"ok")
        return None

    async def startup(self, engine: Any) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def watch_paths(self) -> list[str]:
        return []


async def exchange(mount: Any, data: bytes) -> tuple[bytes, bool, str]:
    config = Config(access_log=False)
    errors = io.StringIO()
    async with WireServer([mount], config, Logs(config, stream=errors)) as wire:
        raw, closed = await wire.exchange(data)
    return raw, closed, errors.getvalue()


def test_http2_preface_is_handed_to_http2() -> None:
    raw, closed, errors = asyncio.run(exchange(Mount(), b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))
    # the server's SETTINGS frame (type 4 on stream 0), not an HTTP/1.1 answer
    assert raw[3:4] == b"\x04" and raw[5:9] == b"\x00\x00\x00\x00" and not raw.startswith(b"HTTP/1.1")
    assert "[error]" not in errors


def test_413_names_the_setting_that_raises_it() -> None:
    mount = Mount()
    mount.body_limit = 4
    raw, closed, _ = asyncio.run(exchange(mount, b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"))
    assert raw.startswith(b"HTTP/1.1 413 ") and closed
    assert b"larger than 4 bytes" in raw and b"pref.max_client_body_size" in raw and b"max_body_size" in raw


class Echo(asyncio.Protocol):
    """An upgrade target that asks for the request and the server state."""

    def __init__(self, transport: Any, leftover: bytes) -> None:
        self.transport = transport
        self.leftover = leftover
        self.request: Request | None = None
        self.state: ServerState | None = None

    def connection_handed_off(self, request: Request, state: ServerState) -> None:
        self.request, self.state = request, state
        self.transport.write(b"path=" + request.path.encode() + b";" + self.leftover)

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)


class UpgradeMount(Mount):
    def handle(self, request: Any, responder: Any) -> Any:
        responder.start(101, [("upgrade", "echo"), ("connection", "upgrade")])
        responder.upgrade(Echo)
        return None


def test_upgrade_target_is_told_the_request_and_the_state() -> None:
    async def scenario() -> tuple[bytes, Any, int]:
        async with WireServer([UpgradeMount()]) as wire:
            protocol, transport = wire.connect()
            protocol.data_received(b"GET /chat HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\nhi")
            await asyncio.sleep(0.01)
            target = transport.get_protocol()
            counted = len(wire.server.connections)
            return bytes(transport.output), target, counted

    raw, target, counted = asyncio.run(scenario())
    assert isinstance(target, Echo) and isinstance(target, UpgradeTarget)
    assert target.state is not None and target.state.limits is not None
    assert raw.endswith(b"\r\n\r\npath=/chat;hi")
    assert counted == 0  # the HTTP/1.1 connection left the count; the target may rejoin


class FirstStep(Mount):
    def __init__(self, exc: BaseException, suspend: bool) -> None:
        self.exc = exc
        self.suspend = suspend

    def handle(self, request: Any, responder: Any) -> Any:
        return self.run()

    async def run(self) -> None:
        if self.suspend:
            await asyncio.sleep(0)
        raise self.exc


@pytest.mark.parametrize("suspend", [False, True])
def test_cancelled_handler_is_not_a_500_before_or_after_suspending(suspend: bool) -> None:
    raw, _, errors = asyncio.run(
        exchange(FirstStep(asyncio.CancelledError(), suspend), b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    )
    assert b"500" not in raw and "error answering" not in errors


def test_keyboard_interrupt_on_the_first_step_is_not_swallowed() -> None:
    async def scenario() -> None:
        async with WireServer([FirstStep(KeyboardInterrupt(), False)]) as wire:
            protocol, _ = wire.connect()
            protocol.data_received(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")

    with pytest.raises(KeyboardInterrupt):
        asyncio.run(scenario())
