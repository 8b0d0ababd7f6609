"""WebSocket echo throughput: Skitai (Atila ``WS_NOTHREAD`` and ``WS_STREAM``)
against uvicorn with its ``websockets-sansio`` protocol, one worker each.

    .venv/bin/python benchmarks/ws_echo.py [--duration 5] [--connections 64] [--size 32]
        [--clients 2] [--only skitai-nothread] [--url ws://127.0.0.1:8000/ws]

Each client process opens ``--connections / --clients`` sockets and keeps one
message in flight on each (send, wait for the echo, send again) for
``--duration`` seconds after a one-second warm-up; the result is echoed
messages per second over all clients.  The client is ``picows`` (a Cython
client, so the client is not the bottleneck) when it is installed
(``pip install picows``), else the ``websockets`` asyncio client.

With ``--url`` only that endpoint is measured (no server is started).  Servers
run pinned to CPU 0 and clients to the other CPUs when ``taskset`` exists.
This is a measurement, not a test: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from servers import Server, ServerSpec  # noqa: E402

APPS = os.path.join(HERE, "apps", "ws_echo_apps.py")

SERVERS = {
    "skitai-nothread": ("skitai", "/ws", "Skitai + Atila WS_NOTHREAD"),
    "skitai-stream": ("skitai", "/stream", "Skitai + Atila WS_STREAM"),
    "uvicorn-sansio": ("uvicorn", "/ws", "uvicorn websockets-sansio (raw ASGI)"),
}


def _spec(key: str) -> ServerSpec:
    server, _path, label = SERVERS[key]

    def build(port: int) -> list[str]:
        return [sys.executable, APPS, server, "--port", str(port)]

    return ServerSpec(key, label, build)


# -- clients -------------------------------------------------------------------------
async def _picows_run(url: str, connections: int, payload: bytes, warmup: float, duration: float) -> int:
    from picows import WSListener, WSMsgType, ws_connect

    state = {"counting": False, "count": 0}

    class Echo(WSListener):
        def on_ws_connected(self, transport: Any) -> None:
            transport.send(WSMsgType.TEXT, payload)

        def on_ws_frame(self, transport: Any, frame: Any) -> None:
            if frame.msg_type == WSMsgType.CLOSE:
                transport.disconnect()
                return
            if state["counting"]:
                state["count"] += 1
            transport.send(WSMsgType.TEXT, payload)

    transports = [(await ws_connect(Echo, url))[0] for _ in range(connections)]
    await asyncio.sleep(warmup)
    state["counting"] = True
    await asyncio.sleep(duration)
    state["counting"] = False
    for transport in transports:
        transport.disconnect()
    return int(state["count"])


async def _websockets_run(url: str, connections: int, payload: bytes, warmup: float, duration: float) -> int:
    from websockets.asyncio.client import connect

    text = payload.decode()
    deadline_start = time.monotonic() + warmup
    deadline_end = deadline_start + duration
    counts = []

    async def one() -> None:
        count = 0
        async with connect(url, compression=None) as ws:
            while True:
                await ws.send(text)
                await ws.recv()
                now = time.monotonic()
                if now >= deadline_end:
                    break
                if now >= deadline_start:
                    count += 1
        counts.append(count)

    await asyncio.gather(*(one() for _ in range(connections)))
    return sum(counts)


def _client(
    url: str, connections: int, size: int, warmup: float, duration: float, cpu: int | None, results: Any
) -> None:
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {cpu})
        except OSError:
            pass
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    payload = b"x" * size
    try:
        import picows  # noqa: F401

        runner = _picows_run
    except ImportError:
        runner = _websockets_run
    results.put(asyncio.run(runner(url, connections, payload, warmup, duration)))


def measure(url: str, connections: int, clients: int, size: int, duration: float, warmup: float = 1.0) -> float:
    """Echoed messages per second at ``url``."""
    results: Any = multiprocessing.Queue()
    cpus = os.cpu_count() or 1
    per = max(1, connections // clients)
    processes = [
        multiprocessing.Process(
            target=_client,
            args=(url, per, size, warmup, duration, (1 + index % max(1, cpus - 1)) if cpus > 1 else None, results),
        )
        for index in range(clients)
    ]
    for process in processes:
        process.start()
    total = 0
    for _ in processes:
        total += results.get(timeout=duration + warmup + 60)
    for process in processes:
        process.join(10)
    return total / duration


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--size", type=int, default=32, help="message bytes")
    parser.add_argument("--only", action="append", choices=sorted(SERVERS))
    parser.add_argument("--url", help="measure this endpoint only")
    args = parser.parse_args()
    client = "picows" if _has("picows") else "websockets"
    print(
        f"client: {client}, {args.connections} connections in {args.clients} processes, "
        f"{args.size}-byte messages, {args.duration:g} s"
    )
    if args.url:
        print(f"{args.url}: {measure(args.url, args.connections, args.clients, args.size, args.duration):,.0f} msg/s")
        return
    cpu = 0 if shutil.which("taskset") else None
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as logs:
        for key in args.only or list(SERVERS):
            _kind, path, label = SERVERS[key]
            server = Server(_spec(key), cpu, logs)
            server.start()
            try:
                server.wait_ready("/")
                url = f"ws://127.0.0.1:{server.port}{path}"
                rates[key] = measure(url, args.connections, args.clients, args.size, args.duration)
                print(f"{label:45s} {rates[key]:>12,.0f} msg/s")
            finally:
                server.stop()
    base = rates.get("uvicorn-sansio")
    if base:
        for key, rate in rates.items():
            if key != "uvicorn-sansio":
                print(f"{key}: {rate / base:.2f}x uvicorn websockets-sansio")


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
