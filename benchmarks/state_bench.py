"""Cross-worker state backends under load: what each costs per request.

Starts the state test site (``tests/resources/site/cluster.py``, one worker)
with each backend (in-process, host, Redis; Redis started here on a free
port) and measures, for ``/plaintext`` (no state at all) and ``/lu``
(``getlu``), requests per second from one keep-alive client and the server's
CPU microseconds per request (``os.times`` of the worker before and after:
robust on a busy machine, unlike req/s).  Then two servers sharing the Redis:
the latency of a broadcast event from one host to the other (p50/p99).

    .venv/bin/python benchmarks/state_bench.py [--requests 2000] [--events 200]

Targets: the in-process backend adds nothing measurable to plaintext (< 2 %),
the Redis-backed ``getlu`` route runs at >= 0.5x the in-process one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import httpx

import skitai
from skitai.testing.client import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
SITE = os.path.join(HERE, "..", "tests", "resources", "site", "cluster.py")
BACKENDS = {"process": "process", "host": "host", "redis": None}


def start_redis() -> tuple[subprocess.Popen[bytes], str, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed: run scripts/install_test_servers.sh")
    port, root = free_port(), tempfile.mkdtemp(prefix="state-bench-redis-")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", root, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    import socket

    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return process, f"redis://127.0.0.1:{port}/0", root


def measure(base: str, path: str, requests: int) -> dict[str, float]:
    with httpx.Client(base_url=base, timeout=10) as client:
        for _ in range(min(200, requests)):
            client.get(path)
        cpu_before = client.get("/cpu").json()["cpu"]
        started = time.perf_counter()
        for _ in range(requests):
            response = client.get(path)
            assert response.status_code == 200, response.text
        elapsed = time.perf_counter() - started
        cpu_after = client.get("/cpu").json()["cpu"]
    # NOTE: the two /cpu requests are in the CPU figure; negligible against ``requests``
    return {"rps": requests / elapsed, "cpu_us": (cpu_after - cpu_before) / requests * 1e6}


def broadcast_latency(url: str, events: int) -> dict[str, float]:
    env = {"CLUSTER_WORKERS": "1", "CLUSTER_URL": url}
    with (
        skitai.test_client(SITE, port=free_port(), env=env) as a,
        skitai.test_client(SITE, port=free_port(), env=env) as b,
    ):
        # warm-up: B subscribes once its worker started, which may be after its port answers
        deadline = time.monotonic() + 10
        while not b.get("/latencies").json()["latencies"] and time.monotonic() < deadline:
            a.post("/timed")
            time.sleep(0.05)
        skip = len(b.get("/latencies").json()["latencies"])
        for _ in range(events):
            a.post("/timed")
            time.sleep(0.002)
        deadline = time.monotonic() + 10
        while True:
            latencies = b.get("/latencies").json()["latencies"][skip:]
            if len(latencies) >= events or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    latencies = sorted(latencies)
    if not latencies:
        return {"received": 0}
    return {
        "received": len(latencies),
        "p50_ms": statistics.median(latencies) * 1e3,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1e3,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args(argv)
    redis_process, redis_url, redis_root = start_redis()
    results: dict[str, Any] = {}
    try:
        for name, setting in BACKENDS.items():
            env = {"CLUSTER_WORKERS": "1", "CLUSTER_URL": setting or redis_url}
            with skitai.test_client(SITE, port=free_port(), env=env, args=["---production"]) as engine:
                scope = engine.get("/whoami").json()["scope"]
                results[name] = {
                    "scope": scope,
                    **{path: measure(engine.base_url, path, args.requests) for path in ("/plaintext", "/lu")},
                }
        results["broadcast"] = broadcast_latency(redis_url, args.events)
    finally:
        redis_process.terminate()
        redis_process.wait(10)
        shutil.rmtree(redis_root, ignore_errors=True)
    print(f"{'backend':10} {'route':11} {'req/s':>9} {'server µs/req':>14}")
    for name in BACKENDS:
        for path in ("/plaintext", "/lu"):
            figures = results[name][path]
            print(f"{name:10} {path:11} {figures['rps']:9.0f} {figures['cpu_us']:14.1f}")
    base = results["process"]
    plain = results["redis"]["/plaintext"]["cpu_us"] / base["/plaintext"]["cpu_us"] - 1
    lu_ratio = base["/lu"]["cpu_us"] / results["redis"]["/lu"]["cpu_us"]
    print(f"redis vs in-process: plaintext CPU {plain:+.1%}; getlu route speed {lu_ratio:.2f}x (CPU-based)")
    broadcast = results["broadcast"]
    if broadcast.get("received"):
        print(
            f"broadcast across two hosts: {broadcast['received']} events, "
            f"p50 {broadcast['p50_ms']:.2f} ms, p99 {broadcast['p99_ms']:.2f} ms"
        )
    else:
        print("broadcast across two hosts: no event arrived")
    return 0


if __name__ == "__main__":
    sys.exit(main())
