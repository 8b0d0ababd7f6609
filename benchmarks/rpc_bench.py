"""XML-RPC and JSON-RPC calls per second: one Atila route answering both (by
content type) against Python's ``xmlrpc.server`` and a Starlette JSON-RPC
route, one process each.

    .venv/bin/python benchmarks/rpc_bench.py [--duration 5] [--rounds 1] [--connections 64]

wrk posts the same ``add(1, 2)`` call on every connection (a Lua script sets
the method, body and content type); servers alternate within a round.  Every
answer is checked once before the run (a server that answers a fault is not
measured).  This is a measurement, not a test: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import xmlrpc.client

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from servers import Server, ServerSpec  # noqa: E402
from wrk import WrkError, parse_report  # noqa: E402

APPS = os.path.join(HERE, "apps", "rpc_apps.py")
XML_BODY = xmlrpc.client.dumps((1, 2), "add").encode()
JSON_BODY = json.dumps({"jsonrpc": "2.0", "method": "add", "params": [1, 2], "id": 1}).encode()
#: scenario -> (content type, body, servers)
SCENARIOS = {
    "xmlrpc": ("text/xml", XML_BODY, ["skitai", "xmlrpc"]),
    "jsonrpc": ("application/json", JSON_BODY, ["skitai", "starlette"]),
}
LABELS = {"skitai": "Skitai + Atila route", "xmlrpc": "xmlrpc.server (threads)", "starlette": "uvicorn + Starlette"}


def _spec(key: str) -> ServerSpec:
    return ServerSpec(key, LABELS[key], lambda port: [sys.executable, APPS, key, "--port", str(port)])


def _post(port: int, content_type: str, body: bytes) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("POST", "/", body, {"Content-Type": content_type})
        return connection.getresponse().read()
    finally:
        connection.close()


def _ready(port: int, content_type: str, body: bytes, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return _post(port, content_type, body)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _check(scenario: str, answer: bytes) -> None:
    if scenario == "xmlrpc":
        (value,), _ = xmlrpc.client.loads(answer)
    else:
        value = json.loads(answer)["result"]
    if value != 3:
        raise RuntimeError(f"{scenario}: add(1, 2) answered {value!r}")


def _script(folder: str, content_type: str, body: bytes) -> str:
    path = os.path.join(folder, f"post-{content_type.replace('/', '-')}.lua")
    with open(path, "w") as handle:
        handle.write('wrk.method = "POST"\n')
        handle.write(f'wrk.headers["Content-Type"] = "{content_type}"\n')
        handle.write(f"wrk.body = {json.dumps(body.decode())}\n")
    return path


def _wrk(port: int, script: str, duration: int, connections: int) -> float:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script, f"http://127.0.0.1:{port}/"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 20)
    if done.returncode != 0:
        raise WrkError(done.stderr.strip() or done.stdout.strip())
    result = parse_report(done.stdout)
    if result.non_2xx or result.socket_errors:
        print(f"  ({result.non_2xx} non-2xx answers, {result.socket_errors} socket errors)", file=sys.stderr)
    return result.rps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="rpc-bench-")
    results: dict[tuple[str, str], list[float]] = {}
    for _round in range(args.rounds):
        for scenario, (content_type, body, keys) in SCENARIOS.items():
            script = _script(folder, content_type, body)
            for key in keys:
                server = Server(_spec(key), None, folder)
                server.start()
                try:
                    _check(scenario, _ready(server.port, content_type, body))
                    rps = _wrk(server.port, script, args.duration, args.connections)
                    results.setdefault((scenario, key), []).append(rps)
                except Exception as exc:
                    print(f"{LABELS[key]} ({scenario}): {exc}\n{server.log_tail()}", file=sys.stderr)
                finally:
                    server.stop()
    print("| scenario | server | calls/s |")
    print("|---|---|---:|")
    for (scenario, key), values in results.items():
        print(f"| {scenario} | {LABELS[key]} | {max(values):,.0f} |")


if __name__ == "__main__":
    main()
