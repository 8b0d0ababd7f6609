"""HTTP/2 load: h2load against Skitai (and granian when installed), plaintext.

    apt-get install -y nghttp2-client        # h2load
    .venv/bin/pip install granian            # optional comparison
    .venv/bin/python benchmarks/h2_bench.py [--duration 10] [--clients 64] [--streams 10]

Each server runs one worker on 127.0.0.1 (prior knowledge, no TLS), pinned to CPU
0 with h2load on CPU 1 as in ``run.py``.  h2load runs ``-c CLIENTS -m STREAMS``
for ``--duration`` seconds after a 1 s warm-up; the request log it writes gives
the p99 latency (h2load's own summary has no percentiles).  The target for
Skitai: at least half granian's requests/s, p99 under 100 ms.  These are
measurements, not tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from servers import Server, ServerSpec  # noqa: E402

_RPS = re.compile(r"finished in [\d.]+\w+, ([\d.]+) req/s")
_DONE = re.compile(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored")


@dataclass
class H2Result:
    rps: float
    done: int
    failed: int
    p99_ms: float


def skitai_spec(app: str = "native") -> ServerSpec:
    label = "Skitai (native mount)" if app == "native" else "Skitai (raw ASGI)"
    return ServerSpec.serve(f"skitai-{app}", label, "skitai", app)


def granian_spec() -> ServerSpec:
    def build(port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--http",
            "auto",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-ws",
            "--working-dir",
            os.path.join(HERE, "apps"),
            "--no-access-log",
            "raw_asgi:app",
        ]

    return ServerSpec("granian", "granian (raw ASGI)", build)


def run_h2load(url: str, duration: float, clients: int, streams: int, cpu: int | None) -> H2Result:
    with tempfile.NamedTemporaryFile("r", suffix=".log") as log:
        argv = ["h2load", "-c", str(clients), "-m", str(streams), "-D", str(int(duration)), "--log-file", log.name, url]
        if cpu is not None and shutil.which("taskset"):
            argv = ["taskset", "-c", str(cpu), *argv]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 30).stdout
        rps = _RPS.search(out)
        done = _DONE.search(out)
        if rps is None or done is None:
            raise RuntimeError(f"cannot read h2load's report:\n{out}")
        # each line: start time, status, request time in microseconds
        times = sorted(int(line.split()[2]) for line in log if line.strip())
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] / 1000 if times else float("nan")
    return H2Result(float(rps.group(1)), int(done.group(1)), int(done.group(3)) + int(done.group(4)), p99)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--streams", type=int, default=10)
    parser.add_argument("--server-cpu", type=int, default=0, help="-1: do not pin")
    parser.add_argument("--h2load-cpu", type=int, default=1, help="-1: do not pin")
    parser.add_argument(
        "--skitai-app",
        action="append",
        choices=["native", "raw_asgi"],
        help="Skitai's app (repeatable; default native; raw_asgi is granian's app)",
    )
    args = parser.parse_args(argv)
    if shutil.which("h2load") is None:
        parser.error("h2load not found: apt-get install -y nghttp2-client")
    specs = [skitai_spec(app) for app in args.skitai_app or ["native"]]
    if importlib.util.find_spec("granian") is not None:
        specs.append(granian_spec())
    results: dict[str, H2Result] = {}
    with tempfile.TemporaryDirectory() as logs:
        for spec in specs:
            server = Server(spec, None if args.server_cpu < 0 else args.server_cpu, logs)
            server.start()
            try:
                server.wait_ready("/plaintext")
                url = f"{server.base_url}/plaintext"
                cpu = None if args.h2load_cpu < 0 else args.h2load_cpu
                run_h2load(url, 1, args.clients, args.streams, cpu)  # warm-up
                results[spec.label] = run_h2load(url, args.duration, args.clients, args.streams, cpu)
            finally:
                server.stop()
    print(f"h2load -c {args.clients} -m {args.streams} -D {args.duration:g} /plaintext")
    print(f"{'server':<26} {'req/s':>10} {'p99 ms':>8} {'failed':>7}")
    for label, result in results.items():
        print(f"{label:<26} {result.rps:>10.0f} {result.p99_ms:>8.1f} {result.failed:>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
