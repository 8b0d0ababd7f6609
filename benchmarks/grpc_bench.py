"""gRPC throughput: Atila routes on Skitai against ``grpc.aio.server`` and a
threaded ``grpc.server`` running the same servicer, one process each.

    .venv/bin/python benchmarks/grpc_bench.py [--duration 5] [--rounds 1] [--inflight 64]
        [--stream-size 1000] [--only skitai] [--no-h2load]

Scenarios, each measured on every server in turn (servers alternate within
a round, so a busy moment of the machine does not favour one of them):

- ``unary``: unary calls per second with ``--inflight`` calls in flight on one
  channel (a ``grpc.aio`` client);
- ``unary-h2load``: the same call from ``h2load`` (``-c 1 -m INFLIGHT``, the
  framed request body from a file), when ``h2load`` is installed;
- ``stream``: server-streaming messages per second (``--inflight`` / 8
  concurrent calls of ``--stream-size`` messages each, repeated).

The stubs are generated from ``apps/grpc_bench.proto`` into a temporary
folder with ``grpc_tools.protoc``.  This is a measurement, not a test: run it
on a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from servers import Server, ServerSpec  # noqa: E402

APPS = os.path.join(HERE, "apps", "grpc_apps.py")
PROTO = os.path.join(HERE, "apps", "grpc_bench.proto")
SERVERS = {
    "skitai": "Skitai + Atila gRPC routes",
    "aio": "grpc.aio.server",
    "threaded": "grpc.server (threads)",
}


def generate_stubs(folder: str) -> None:
    from grpc_tools import protoc

    shutil.copy(PROTO, folder)
    code = protoc.main(
        [
            "protoc",
            f"-I{folder}",
            f"--python_out={folder}",
            f"--grpc_python_out={folder}",
            os.path.join(folder, "grpc_bench.proto"),
        ]
    )
    if code != 0:
        raise SystemExit("grpc_bench: protoc failed")
    sys.path.insert(0, folder)


def _spec(key: str, stubs: str) -> ServerSpec:
    def build(port: int) -> list[str]:
        return [sys.executable, APPS, key, "--port", str(port), "--stubs", stubs]

    return ServerSpec(key, SERVERS[key], build)


async def _ready(target: str, timeout: float = 30.0) -> None:
    import grpc
    import grpc_bench_pb2
    import grpc_bench_pb2_grpc

    deadline = time.monotonic() + timeout
    while True:
        try:
            async with grpc.aio.insecure_channel(target) as channel:
                await grpc_bench_pb2_grpc.BenchStub(channel).Unary(grpc_bench_pb2.Msg(id=1), timeout=1)
                return
        except grpc.RpcError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


async def unary(target: str, inflight: int, warmup: float, duration: float) -> float:
    import grpc
    import grpc_bench_pb2
    import grpc_bench_pb2_grpc

    state = {"count": 0, "counting": False, "stop": False}
    async with grpc.aio.insecure_channel(target) as channel:
        stub = grpc_bench_pb2_grpc.BenchStub(channel)
        message = grpc_bench_pb2.Msg(id=7, text="hello")

        async def worker() -> None:
            while not state["stop"]:
                await stub.Unary(message)
                if state["counting"]:
                    state["count"] += 1

        workers = [asyncio.ensure_future(worker()) for _ in range(inflight)]
        await asyncio.sleep(warmup)
        state["counting"] = True
        started = time.perf_counter()
        await asyncio.sleep(duration)
        state["counting"] = False
        elapsed = time.perf_counter() - started
        state["stop"] = True
        await asyncio.gather(*workers, return_exceptions=True)
    return state["count"] / elapsed


async def stream(target: str, calls: int, size: int, warmup: float, duration: float) -> float:
    import grpc
    import grpc_bench_pb2
    import grpc_bench_pb2_grpc

    state = {"count": 0, "counting": False, "stop": False}
    async with grpc.aio.insecure_channel(target) as channel:
        stub = grpc_bench_pb2_grpc.BenchStub(channel)
        request = grpc_bench_pb2.Count(n=size)

        async def worker() -> None:
            while not state["stop"]:
                async for _ in stub.Stream(request):
                    if state["counting"]:
                        state["count"] += 1

        workers = [asyncio.ensure_future(worker()) for _ in range(calls)]
        await asyncio.sleep(warmup)
        state["counting"] = True
        started = time.perf_counter()
        await asyncio.sleep(duration)
        state["counting"] = False
        elapsed = time.perf_counter() - started
        state["stop"] = True
        await asyncio.gather(*workers, return_exceptions=True)
    return state["count"] / elapsed


def unary_h2load(port: int, inflight: int, duration: float, folder: str) -> float | None:
    h2load = shutil.which("h2load")
    if h2load is None:
        return None
    import grpc_bench_pb2

    body = grpc_bench_pb2.Msg(id=7, text="hello").SerializeToString()
    path = os.path.join(folder, "unary.bin")
    with open(path, "wb") as handle:
        handle.write(b"\0" + len(body).to_bytes(4, "big") + body)
    done = subprocess.run(
        [
            h2load,
            "-c",
            "1",
            "-m",
            str(inflight),
            "-D",
            str(int(duration)),
            "-d",
            path,
            "-H",
            "content-type: application/grpc",
            "-H",
            "te: trailers",
            f"http://127.0.0.1:{port}/bench.Bench/Unary",
        ],
        capture_output=True,
        text=True,
        timeout=duration + 30,
    )
    found = re.search(r"finished in [^,]+, ([\d.]+) req/s", done.stdout)
    failed = re.search(r"(\d+) failed", done.stdout)
    if found is None or (failed is not None and int(failed.group(1)) > 0):
        print(done.stdout[-800:], file=sys.stderr)
    return float(found.group(1)) if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--inflight", type=int, default=64)
    parser.add_argument("--stream-size", type=int, default=1000)
    parser.add_argument("--only", action="append", choices=list(SERVERS))
    parser.add_argument("--no-h2load", action="store_true")
    args = parser.parse_args()
    keys = args.only or list(SERVERS)
    folder = tempfile.mkdtemp(prefix="grpc-bench-")
    results: dict[tuple[str, str], list[float]] = {}
    try:
        generate_stubs(folder)
        for _round in range(args.rounds):
            for key in keys:
                server = Server(_spec(key, folder), None, folder)
                server.start()
                try:
                    target = f"127.0.0.1:{server.port}"
                    asyncio.run(_ready(target))
                    measured: dict[str, float | None] = {
                        "unary": asyncio.run(unary(target, args.inflight, args.warmup, args.duration)),
                        "stream": asyncio.run(
                            stream(target, max(1, args.inflight // 8), args.stream_size, args.warmup, args.duration)
                        ),
                    }
                    if not args.no_h2load:
                        measured["unary-h2load"] = unary_h2load(server.port, args.inflight, args.duration, folder)
                    for scenario, value in measured.items():
                        if value is not None:
                            results.setdefault((scenario, key), []).append(value)
                except Exception as exc:
                    print(f"{SERVERS[key]}: {exc}\n{server.log_tail()}", file=sys.stderr)
                finally:
                    server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    _report(results, keys)


def _report(results: dict[tuple[str, str], list[float]], keys: list[str]) -> None:
    print("| scenario | " + " | ".join(SERVERS[key] for key in keys) + " |")
    print("|---|" + "---:|" * len(keys))
    for scenario, unit in (("unary", "calls/s"), ("unary-h2load", "calls/s"), ("stream", "msgs/s")):
        cells = []
        for key in keys:
            values = results.get((scenario, key))
            cells.append(f"{max(values):,.0f}" if values else "-")
        if any(cell != "-" for cell in cells):
            print(f"| {scenario} ({unit}) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
