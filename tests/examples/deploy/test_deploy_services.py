"""The deploy example against a real PostgreSQL and Redis started for the test
(skipped where their server programs or Python drivers are not installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

pytest.importorskip("psycopg")
pytest.importorskip("redis")
for program in ("initdb", "pg_ctl", "redis-server"):
    if shutil.which(program) is None:
        pytest.skip(f"{program} is not installed", allow_module_level=True)

SKITAID = os.path.join(os.path.dirname(__file__), "../../../examples/deploy/skitaid.py")


def as_postgres(args):
    """PostgreSQL refuses to run as root: use its own account then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@pytest.fixture
def postgres():
    folder = tempfile.mkdtemp(prefix="skitai-pg-")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = os.path.join(folder, "data")
    port = free_port()
    subprocess.run(
        as_postgres(["initdb", "-D", data, "-U", "notes", "--auth=trust"]), check=True, capture_output=True, timeout=120
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    subprocess.run(
        as_postgres(["pg_ctl", "-D", data, "-o", options, "-l", os.path.join(folder, "log"), "-w", "start"]),
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        yield f"postgresql://notes@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            as_postgres(["pg_ctl", "-D", data, "-m", "fast", "-w", "stop"]), capture_output=True, timeout=120
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def redis_url():
    import redis

    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    try:
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                server.poll()
                assert server.returncode is None, "redis-server exited"
                import time

                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=30)


def test_notes_with_postgres_and_redis(postgres, redis_url):
    env = {"DATABASE_URL": postgres, "REDIS_URL": redis_url, "SKITAI_WORKERS": "2", "SKITAI_METRICS": "1"}
    with skitai.test_client(SKITAID, port=free_port(), env=env) as cli:
        assert cli.get("/health").json() == {"database": "ok", "redis": "ok"}
        assert cli.post("/notes", data={"body": "first"}).status_code == 201
        assert cli.post("/notes", json={"body": "second"}).status_code == 201
        listed = cli.get("/notes").json()
        assert [note["body"] for note in listed["notes"]] == ["second", "first"]
        assert cli.get("/notes").json()["listed"] == listed["listed"] + 1
        assert cli.get("/notes", params={"limit": 1}).json()["notes"][0]["body"] == "second"
        assert cli.post("/notes", json={"body": 5}).status_code == 400
        assert cli.get("/notes", params={"limit": -1}).status_code == 400
        assert "skitai_requests_total" in cli.get("/metrics").text


def test_health_names_an_unreachable_database(redis_url):
    env = {
        "DATABASE_URL": f"postgresql://notes@127.0.0.1:{free_port()}/postgres",
        "REDIS_URL": redis_url,
        "SKITAI_WORKERS": "1",
    }
    with skitai.test_client(SKITAID, port=free_port(), env=env, timeout=30) as cli:
        health = cli.get("/health")
        assert health.status_code == 503
        assert health.json()["database"].startswith("unreachable") and health.json()["redis"] == "ok"
        notes = cli.get("/notes")
        assert notes.status_code == 503 and "database unreachable" in notes.text
