"""Server CPU time per request: the figure a busy machine distorts least.

    .venv/bin/python benchmarks/cpu.py atila-async atila-sync --duration 4 --rounds 3
    .venv/bin/python benchmarks/cpu.py atila-async --code ../old-checkout --code .   # A/B two trees
    .venv/bin/python benchmarks/cpu.py --list

req/s from wrk depends on how much of the machine the server got; the CPU the
server process spent per answered request barely does.  Each run starts the
server (pinned like ``run.py`` pins it), warms it up, reads utime + stime of
the server and all its descendants (threads included, so a thread pool or a
log flusher is counted) from ``/proc``, runs wrk for ``--duration`` seconds,
reads them again and divides by the requests wrk counted.  Runs alternate
(A B A B ...) between servers and between ``--code`` trees, so drift hits all
alike; the median of the rounds is reported, with wrk's req/s and p99 for
context (those ARE distorted by other load).

``--code DIR`` runs the server with ``PYTHONPATH=DIR``, so the ``skitai`` and
``atila`` packages of another checkout (``git worktree`` or ``git archive``
of an older commit) are measured with this checkout's benchmark apps.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
for _path in (HERE, os.path.join(HERE, "apps")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from servers import Server, ServerSpec  # noqa: E402
from wrk import run_wrk  # noqa: E402

#: name -> (serve.py server, app, extra arguments)
SERVERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "atila-async": ("skitai", "atila", ("--handlers", "async")),
    "atila-sync": ("skitai", "atila", ("--handlers", "sync")),
    "atila-async-log": ("skitai", "atila", ("--handlers", "async", "--access-log")),
    "atila-sync-1thread": ("skitai", "atila", ("--handlers", "sync", "--threads", "1")),
    "atila-sync-log": ("skitai", "atila", ("--handlers", "sync", "--access-log")),
    "native": ("skitai", "native", ()),
    "skitai-asgi": ("skitai", "raw_asgi", ()),
    "uvicorn-starlette": ("uvicorn", "starlette", ("--handlers", "async")),
    "uvicorn-starlette-sync": ("uvicorn", "starlette", ("--handlers", "sync")),
    "granian-starlette": ("granian", "starlette", ("--handlers", "async")),
    "granian-starlette-sync": ("granian", "starlette", ("--handlers", "sync")),
    "granian-rsgi": ("granian", "rsgi", ()),
}
PATHS = {"plaintext": "/plaintext", "json": "/json", "user": "/users/42?detail=yes"}
_TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """Seconds of user + system CPU used so far by ``pid`` and its descendants."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields:
                parents[int(entry)] = int(fields[1])
    family, total = {pid}, 0.0
    changed = True
    while changed:
        changed = False
        for child, parent in parents.items():
            if parent in family and child not in family:
                family.add(child)
                changed = True
    for member in family:
        fields = _stat(member)
        if fields:
            # utime, stime: fields 14 and 15 of /proc/PID/stat (after the command name)
            total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            text = handle.read()
    except OSError:
        return None
    # the command name may hold spaces and parentheses: split after its last ")"
    return text[text.rindex(")") + 2 :].split()


def spec_for(name: str, code: str | None) -> ServerSpec:
    server, app, extra = SERVERS[name]
    key = name if code is None else f"{name}@{os.path.basename(os.path.abspath(code))}"
    spec = ServerSpec.serve(key, key, server, app, *extra)
    if code is not None:
        build = spec.build
        root = os.path.abspath(code)

        def with_code(port: int) -> list[str]:
            return ["env", f"PYTHONPATH={root}", *build(port)]

        spec.build = with_code
    return spec


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("servers", nargs="*", help="server names (see --list)")
    parser.add_argument("--scenario", action="append", choices=sorted(PATHS), help="default: all three")
    parser.add_argument("--code", action="append", help="a tree whose skitai/atila to run (repeatable)")
    parser.add_argument("--duration", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--wrk-cpu", type=int, default=1)
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args(argv)
    if args.list or not args.servers:
        print("\n".join(SERVERS))
        return 0
    codes: list[str | None] = list(args.code) if args.code else [None]
    scenarios = args.scenario or list(PATHS)
    specs = [spec_for(name, code) for name in args.servers for code in codes]
    cpu = None if args.server_cpu < 0 else args.server_cpu
    wrk_cpu = None if args.wrk_cpu < 0 else args.wrk_cpu
    results: dict[tuple[str, str], list[tuple[float, float, float, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="skitai-cpu-") as workdir:
        servers = [Server(spec, cpu, workdir) for spec in specs]
        try:
            for server in servers:
                server.start()
            for server in servers:
                server.wait_ready("/plaintext")
            for scenario in scenarios:
                url_path = PATHS[scenario]
                runnable = [s for s in servers if _answers(s, url_path)]
                for server in runnable:
                    run_wrk(server.base_url + url_path, 1, args.connections, wrk_cpu)
                for _ in range(args.rounds):
                    for server in runnable:
                        assert server.process is not None
                        before = tree_cpu(server.process.pid)
                        result = run_wrk(server.base_url + url_path, args.duration, args.connections, wrk_cpu)
                        spent = tree_cpu(server.process.pid) - before
                        errors = result.non_2xx + result.socket_errors
                        results.setdefault((scenario, server.spec.key), []).append(
                            (spent / max(result.requests, 1) * 1e6, result.rps, result.p99_ms, errors)
                        )
        finally:
            for server in servers:
                server.stop()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| scenario | server | CPU µs/request (median) | per round | req/s (median, noisy) | p99 ms | errors |")
    print("|---|---|---:|---|---:|---:|---:|")
    for (scenario, key), runs in results.items():
        us = statistics.median(run[0] for run in runs)
        rounds = ", ".join(f"{run[0]:.0f}" for run in runs)
        rps = statistics.median(run[1] for run in runs)
        p99 = statistics.median(run[2] for run in runs)
        errors = sum(run[3] for run in runs)
        print(f"| {scenario} | {key} | {us:.1f} | {rounds} | {rps:,.0f} | {p99:.1f} | {errors} |")
    return 0


def _answers(server: Any, path: str) -> bool:
    try:
        status, _, _ = server.get(path)
    except OSError:
        return False
    return status == 200


if __name__ == "__main__":
    raise SystemExit(main())
