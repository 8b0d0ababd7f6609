"""Two PostgreSQL queries per request on a 100k-row table ``foo``: Atila
(``def`` and ``async def`` routes, one worker) against uvicorn + Starlette +
psycopg (the same pools and queries).

    .venv/bin/python benchmarks/db_bench.py --duration 5        # smoke run
    .venv/bin/python benchmarks/db_bench.py --duration 30 --dsn user@127.0.0.1:5432/postgres

Without ``--dsn`` a throw-away PostgreSQL is started (the test suite's helper).
Prints requests/s and p99 per server and route; non-2xx answers fail the run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests", "resources"))

from benchmarks.servers import free_port  # noqa: E402
from benchmarks.wrk import run_wrk  # noqa: E402

ROWS = 100_000


def fill(conninfo: str) -> None:
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS foo")
        conn.execute("CREATE TABLE foo (id SERIAL PRIMARY KEY, detail TEXT NOT NULL, created_at TIMESTAMP NOT NULL)")
        conn.execute(
            "INSERT INTO foo (detail, created_at) SELECT CASE WHEN n %% 10 = 0 THEN 'ReturnTx' ELSE 'Tx' END, "
            "now() - n * interval '1 second' FROM generate_series(1, %s) AS n",
            (ROWS,),
        )
        conn.execute("CREATE INDEX foo_detail_created ON foo (detail, created_at DESC)")
        conn.execute("ANALYZE foo")


def wait_ready(port: int, path: str, timeout: float = 30.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per server and route")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--dsn", help="alias member user[:pass]@host:port/db (default: start a PostgreSQL)")
    options = parser.parse_args()

    from skitai.resources.members import parse_member
    from skitai.resources.postgres import conninfo

    server = None
    dsn = options.dsn
    if dsn is None:
        from db_servers import PostgresServer

        server = PostgresServer().init()
        dsn = server.dsn
    info = conninfo(parse_member(dsn))
    try:
        fill(info)
        env = {**os.environ, "DB_BENCH_DSN": dsn, "DB_BENCH_CONNINFO": info, "PYTHONPATH": ROOT}
        targets = {
            "atila": lambda port: [sys.executable, os.path.join(HERE, "apps", "db_atila.py"), "--port", str(port)],
            "starlette": lambda port: [
                sys.executable,
                "-m",
                "uvicorn",
                "benchmarks.apps.db_starlette:app",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
                "--loop",
                "uvloop",
                "--http",
                "httptools",
            ],
        }
        results = {}
        for name, build in targets.items():
            port = free_port()
            process = subprocess.Popen(build(port), env=env, cwd=ROOT, start_new_session=True)
            try:
                wait_ready(port, "/sync/1")
                for route in ("sync", "async"):
                    result = run_wrk(
                        f"http://127.0.0.1:{port}/{route}/50000", options.duration, options.connections, None
                    )
                    if result.non_2xx or result.socket_errors:
                        raise RuntimeError(
                            f"{name} /{route}: {result.non_2xx} non-2xx, {result.socket_errors} socket errors"
                        )
                    results[(name, route)] = result
                    print(f"{name:10} {route:6} {result.rps:9.0f} req/s  p99 {result.p99_ms:7.2f} ms", flush=True)
            finally:
                process.terminate()
                process.wait(10)
        for route in ("sync", "async"):
            ratio = results[("atila", route)].rps / results[("starlette", route)].rps
            print(f"atila / starlette, {route}: {ratio:.2f}x")
    finally:
        if server is not None:
            server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
