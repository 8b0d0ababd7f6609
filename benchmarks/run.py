"""Load benchmarks: Skitai and Atila against uvicorn, Starlette, FastAPI and nginx.

    .venv/bin/python benchmarks/run.py [--duration 5] [--rounds 2] [--connections 64] [--only GROUP]

Groups (``--only`` may be repeated; default all):

* ``engine``: the same raw ASGI app on Skitai and on uvicorn (httptools, uvloop);
  a native Skitai mount against uvicorn + Starlette, and against granian's bare
  RSGI app (when granian is installed); plaintext and JSON.
* ``static``: a 64 KiB file from a Skitai static mount, nginx (when installed)
  and uvicorn + Starlette ``StaticFiles``.
* ``atila``: Atila on Skitai against uvicorn + Starlette, uvicorn + FastAPI and
  granian (ASGI, uvloop) + Starlette, with ``async def`` and with ``def``
  handlers, and Atila with its access log on; plaintext, JSON and
  ``/users/<int:id>?detail=yes`` registered after 20 other routes.

Method: every server runs one worker on 127.0.0.1 pinned to CPU 0, wrk runs
pinned to CPU 1 (``wrk -t1 -c64 -d5s --latency``); each server gets a 1 s
warm-up per scenario, then rounds alternate between the servers (A B C A B C)
so drift hits all alike.  Reported: per server the median req/s and p99 over
the rounds, the ratios against the baselines and whether each target is met.
Results are written to ``benchmarks/results/`` as JSON and as Markdown tables.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from typing import Any, Callable

HERE = os.path.dirname(os.path.abspath(__file__))
APPS_DIR = os.path.join(HERE, "apps")
RESULTS_DIR = os.path.join(HERE, "results")
GROUPS = ("engine", "static", "atila")


def _imports() -> None:
    """The helper modules live beside this script and in ``apps/``."""
    for path in (HERE, APPS_DIR):
        if path not in sys.path:
            sys.path.insert(0, path)


@dataclasses.dataclass
class Scenario:
    name: str
    path: str
    #: the body a correct answer carries (checked once before loading)
    check: Callable[[bytes], bool]


@dataclasses.dataclass
class Target:
    """``numerator`` req/s >= ``ratio`` x ``denominator`` req/s (and p99 no worse if asked)."""

    numerator: str
    denominator: str
    ratio: float
    p99_no_worse: bool = False


@dataclasses.dataclass
class Section:
    group: str
    title: str
    specs: list[Any]
    scenarios: list[Scenario]
    targets: list[Target]
    #: informative ratios, printed but not judged
    compare: list[tuple[str, str]] = dataclasses.field(default_factory=list)


def build_sections(groups: list[str], workdir: str) -> list[Section]:
    from payloads import MESSAGE, PLAINTEXT, STATIC_NAME, STATIC_SIZE, user_payload
    from servers import ServerSpec, nginx_spec

    plaintext = Scenario("plaintext", "/plaintext", lambda body: body == PLAINTEXT)
    as_json = Scenario("json", "/json", lambda body: json.loads(body) == MESSAGE)
    user = Scenario("user", "/users/42?detail=yes", lambda body: json.loads(body) == user_payload(42, "yes"))
    sections: list[Section] = []
    if "engine" in groups:
        sections.append(
            Section(
                "engine",
                "engine: same raw ASGI app; native mount vs uvicorn + Starlette",
                [
                    ServerSpec.serve("skitai-asgi", "skitai + raw ASGI", "skitai", "raw_asgi"),
                    ServerSpec.serve("uvicorn-asgi", "uvicorn + raw ASGI", "uvicorn", "raw_asgi"),
                    ServerSpec.serve("skitai-native", "skitai native mount", "skitai", "native"),
                    ServerSpec.serve("uvicorn-starlette", "uvicorn + Starlette", "uvicorn", "starlette"),
                ],
                [plaintext, as_json],
                [Target("skitai-asgi", "uvicorn-asgi", 1.0), Target("skitai-native", "uvicorn-starlette", 2.0)],
                [("skitai-native", "uvicorn-asgi")],
            )
        )
        if _has_granian():
            sections.append(
                Section(
                    "engine",
                    "engine: native mount vs granian's bare RSGI app",
                    [
                        ServerSpec.serve("skitai-native", "skitai native mount", "skitai", "native"),
                        ServerSpec.serve("granian-rsgi", "granian + bare RSGI", "granian", "rsgi"),
                    ],
                    [plaintext, as_json],
                    [Target("skitai-native", "granian-rsgi", 1.0)],
                )
            )
    if "static" in groups:
        static_dir = os.path.join(workdir, "static")
        os.makedirs(static_dir, exist_ok=True)
        content = os.urandom(STATIC_SIZE)
        with open(os.path.join(static_dir, STATIC_NAME), "wb") as handle:
            handle.write(content)
        # NOTE: nginx workers run as "nobody" when started by root: let them read.
        for path in (workdir, static_dir):
            os.chmod(path, 0o755)
        os.chmod(os.path.join(static_dir, STATIC_NAME), 0o644)
        specs = [
            ServerSpec.serve("skitai-static", "skitai static mount", "skitai", "static", "--static-dir", static_dir)
        ]
        targets = []
        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
        if nginx:
            specs.append(nginx_spec(workdir, static_dir, nginx))
            targets.append(Target("skitai-static", "nginx", 0.5))
        else:
            print("nginx not installed: the static target is skipped (apt-get install nginx-light)")
        specs.append(
            ServerSpec.serve(
                "uvicorn-staticfiles",
                "uvicorn + Starlette StaticFiles",
                "uvicorn",
                "starlette",
                "--static-dir",
                static_dir,
            )
        )
        sections.append(
            Section(
                "static",
                "static: a 64 KiB file",
                specs,
                [Scenario("file64k", f"/static/{STATIC_NAME}", lambda body: body == content)],
                targets,
                [("skitai-static", "uvicorn-staticfiles")],
            )
        )
    if "atila" in groups:
        granian = _has_granian()
        for handlers in ("async", "sync"):
            specs = [
                ServerSpec.serve(
                    f"atila-{handlers}", f"skitai + Atila ({handlers})", "skitai", "atila", "--handlers", handlers
                ),
                ServerSpec.serve(
                    f"starlette-{handlers}",
                    f"uvicorn + Starlette ({handlers})",
                    "uvicorn",
                    "starlette",
                    "--handlers",
                    handlers,
                ),
                ServerSpec.serve(
                    f"fastapi-{handlers}",
                    f"uvicorn + FastAPI ({handlers})",
                    "uvicorn",
                    "fastapi",
                    "--handlers",
                    handlers,
                ),
            ]
            targets = [
                Target(f"atila-{handlers}", f"starlette-{handlers}", 2.0, p99_no_worse=True),
                Target(f"atila-{handlers}", f"fastapi-{handlers}", 3.0, p99_no_worse=True),
            ]
            compare = []
            if granian:
                specs.append(
                    ServerSpec.serve(
                        f"granian-starlette-{handlers}",
                        f"granian + Starlette ({handlers})",
                        "granian",
                        "starlette",
                        "--handlers",
                        handlers,
                    )
                )
                if handlers == "async":
                    targets.append(Target("atila-async", "granian-starlette-async", 1.3))
                else:
                    compare.append(("atila-sync", "granian-starlette-sync"))
            if handlers == "async":
                # the access log's cost: the same app with the log on (written to the server's log file)
                specs.append(
                    ServerSpec.serve(
                        "atila-async-log",
                        "skitai + Atila (async, access log on)",
                        "skitai",
                        "atila",
                        "--handlers",
                        "async",
                        "--access-log",
                    )
                )
                targets.append(Target("atila-async-log", "atila-async", 0.95))
            sections.append(
                Section("atila", f"atila: {handlers} handlers", specs, [plaintext, as_json, user], targets, compare)
            )
    return sections


def _has_granian() -> bool:
    """granian is an optional peer (``pip install -e .[bench]``); without it its rows are left out."""
    import importlib.util

    if importlib.util.find_spec("granian") is None:
        print("granian not installed: its rows are skipped (pip install -e '.[bench]')")
        return False
    return True


class Bench:
    """One benchmark session: settings, the servers it started, what it measured."""

    def __init__(self, args: argparse.Namespace, workdir: str) -> None:
        self.args = args
        self.workdir = workdir
        self.running: list[Any] = []
        self.report: list[dict[str, Any]] = []

    def run_section(self, section: Section) -> None:
        from servers import Server

        print(f"\n== {section.title}", flush=True)
        servers = [Server(spec, self.args.server_cpu, self.workdir) for spec in section.specs]
        try:
            for server in servers:
                self.running.append(server)
                server.start()
            for server in servers:
                server.wait_ready(section.scenarios[0].path)
                for scenario in section.scenarios:
                    self.verify(server, scenario)
            measured = {scenario.name: self.measure(servers, scenario) for scenario in section.scenarios}
        finally:
            for server in servers:
                server.stop()
                if server in self.running:
                    self.running.remove(server)
        self.report.append(summarize(section, servers, measured))

    def verify(self, server: Any, scenario: Scenario) -> None:
        status, _, body = server.get(scenario.path)
        if status != 200 or not scenario.check(body):
            raise RuntimeError(f"{server.spec.label} answered {scenario.path} wrongly: {status} {body[:200]!r}")

    def measure(self, servers: list[Any], scenario: Scenario) -> dict[str, list[Any]]:
        from wrk import run_wrk

        args = self.args
        runs: dict[str, list[Any]] = {server.spec.key: [] for server in servers}
        for server in servers:
            run_wrk(server.base_url + scenario.path, args.warmup, args.connections, args.wrk_cpu)
        for round_number in range(1, args.rounds + 1):
            for server in servers:
                result = run_wrk(server.base_url + scenario.path, args.duration, args.connections, args.wrk_cpu)
                if server.process is None or server.process.poll() is not None:
                    raise RuntimeError(f"{server.spec.label} died under load; log:\n{server.log_tail()}")
                runs[server.spec.key].append(result)
                failed = result.non_2xx + result.socket_errors
                errors = f"  errors={failed}" if result.non_2xx or result.socket_errors else ""
                print(
                    f"  {scenario.name:<10} round {round_number}  {server.spec.label:<34} "
                    f"{result.rps:>10,.0f} req/s  p99 {result.p99_ms:7.2f} ms{errors}",
                    flush=True,
                )
        return runs

    def stop_all(self) -> None:
        for server in list(self.running):
            server.stop()
        self.running.clear()


def summarize(section: Section, servers: list[Any], measured: dict[str, dict[str, list[Any]]]) -> dict[str, Any]:
    """Medians per server and scenario, ratios and target verdicts; printed and returned."""
    labels = {server.spec.key: server.spec.label for server in servers}
    scenarios: dict[str, Any] = {}
    for name, runs in measured.items():
        figures = {
            key: {
                "label": labels[key],
                "rps_median": statistics.median(result.rps for result in results),
                "p99_ms_median": statistics.median(result.p99_ms for result in results),
                "rps_rounds": [result.rps for result in results],
                "p99_ms_rounds": [result.p99_ms for result in results],
                "errors": sum(result.non_2xx + result.socket_errors for result in results),
            }
            for key, results in runs.items()
        }
        verdicts = []
        for target in section.targets:
            top, bottom = figures[target.numerator], figures[target.denominator]
            ratio = top["rps_median"] / bottom["rps_median"]
            p99_ok = top["p99_ms_median"] <= bottom["p99_ms_median"] if target.p99_no_worse else None
            verdicts.append(
                {
                    "numerator": target.numerator,
                    "denominator": target.denominator,
                    "ratio": ratio,
                    "required": target.ratio,
                    "met": ratio >= target.ratio and p99_ok is not False,
                    "rps_met": ratio >= target.ratio,
                    "p99_no_worse": p99_ok,
                    "shortfall_pct": max(0.0, (target.ratio - ratio) / target.ratio * 100),
                }
            )
        informative = [
            {
                "numerator": top,
                "denominator": bottom,
                "ratio": figures[top]["rps_median"] / figures[bottom]["rps_median"],
            }
            for top, bottom in section.compare
        ]
        scenarios[name] = {"servers": figures, "targets": verdicts, "ratios": informative}
        print_scenario(name, figures, verdicts, informative)
    return {"group": section.group, "title": section.title, "scenarios": scenarios}


def print_scenario(
    name: str, figures: dict[str, Any], verdicts: list[dict[str, Any]], informative: list[dict[str, Any]]
) -> None:
    print(f"\n  {name}: median of rounds")
    for figure in figures.values():
        errors = f"   ({figure['errors']} errors)" if figure["errors"] else ""
        print(
            f"    {figure['label']:<36} {figure['rps_median']:>10,.0f} req/s   "
            f"p99 {figure['p99_ms_median']:7.2f} ms{errors}"
        )
    for verdict in verdicts:
        top, bottom = figures[verdict["numerator"]]["label"], figures[verdict["denominator"]]["label"]
        p99 = {None: "", True: ", p99 no worse", False: ", p99 WORSE"}[verdict["p99_no_worse"]]
        outcome = (
            "met"
            if verdict["met"]
            else (f"MISSED (req/s {verdict['shortfall_pct']:.0f}% short)" if not verdict["rps_met"] else "MISSED (p99)")
        )
        print(f"    {top} / {bottom} = {verdict['ratio']:.2f}x (target >= {verdict['required']:g}x{p99}): {outcome}")
    for ratio in informative:
        top, bottom = figures[ratio["numerator"]]["label"], figures[ratio["denominator"]]["label"]
        print(f"    {top} / {bottom} = {ratio['ratio']:.2f}x")
    print(flush=True)


def environment() -> dict[str, Any]:
    from importlib import metadata

    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    def command_output(argv: list[str]) -> str | None:
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return (done.stdout + done.stderr).strip() or None

    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "packages": {
            name: version(name) for name in ("uvicorn", "starlette", "fastapi", "httptools", "uvloop", "granian")
        },
        "nginx": command_output(["nginx", "-v"]),
        "commit": command_output(["git", "-C", HERE, "rev-parse", "--short", "HEAD"]),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured run (default 5)")
    parser.add_argument("--rounds", type=int, default=2, help="measured runs per server and scenario (default 2)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up seconds per server and scenario")
    parser.add_argument("--only", action="append", choices=GROUPS, help="run only this group (repeatable)")
    parser.add_argument("--server-cpu", type=int, default=0, help="CPU the servers are pinned to (-1: none)")
    parser.add_argument("--wrk-cpu", type=int, default=1, help="CPU wrk is pinned to (-1: none)")
    args = parser.parse_args(argv)
    for name in ("duration", "rounds", "connections", "warmup"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name} must be positive")
    cpus = os.cpu_count() or 1
    for name in ("server_cpu", "wrk_cpu"):
        value = getattr(args, name)
        if value >= cpus:
            parser.error(f"--{name.replace('_', '-')} {value}: this machine has CPUs 0..{cpus - 1}")
        setattr(args, name, None if value < 0 or not shutil.which("taskset") else value)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    _imports()
    groups = args.only or list(GROUPS)
    started = datetime.datetime.now(datetime.UTC)

    def stop_on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_term)
    with tempfile.TemporaryDirectory(prefix="skitai-bench-") as workdir:
        bench = Bench(args, workdir)
        try:
            for section in build_sections(groups, workdir):
                bench.run_section(section)
        except KeyboardInterrupt:
            print("\ninterrupted: servers stopped", file=sys.stderr)
            return 130
        finally:
            bench.stop_all()
    record = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join(["python", "benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)]),
        "settings": {
            name: getattr(args, name)
            for name in ("duration", "rounds", "connections", "warmup", "server_cpu", "wrk_cpu")
        },
        "environment": environment(),
        "sections": bench.report,
    }
    os.makedirs(RESULTS_DIR, exist_ok=True)
    path = os.path.join(RESULTS_DIR, f"bench-{started:%Y%m%d-%H%M%S}.json")
    with open(path, "w") as handle:
        json.dump(record, handle, indent=2)
    from report import markdown

    with open(path[: -len(".json")] + ".md", "w") as handle:
        handle.write(markdown(record))
    missed = [
        verdict
        for section in bench.report
        for scenario in section["scenarios"].values()
        for verdict in scenario["targets"]
        if not verdict["met"]
    ]
    print(f"results: {os.path.relpath(path)}; targets missed: {len(missed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
