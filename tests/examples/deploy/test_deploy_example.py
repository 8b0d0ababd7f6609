"""examples/deploy: the app runs and reports missing services, reloads on SIGHUP
without failing a request (what ``systemctl reload`` sends), and the unit,
compose and Docker files say what docs/deployment.md says they do."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import signal
import threading
import time

import httpx
import pytest
import yaml

import skitai
from skitai.cli import parse
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

HERE = os.path.dirname(__file__)
DEPLOY = os.path.normpath(os.path.join(HERE, "../../../examples/deploy"))
ROOT = os.path.normpath(os.path.join(DEPLOY, "../.."))
SKITAID = os.path.join(DEPLOY, "skitaid.py")
NO_SERVICES = {"DATABASE_URL": "", "REDIS_URL": "", "SKITAI_WORKERS": "1"}


def test_missing_services_are_reported_not_hidden():
    with skitai.test_client(SKITAID, port=free_port(), env=NO_SERVICES) as cli:
        assert cli.get("/").json() == {"app": "Notes", "version": "1.0"}
        health = cli.get("/health")
        assert health.status_code == 503
        assert health.json()["database"] == "not configured" and health.json()["redis"] == "not configured"
        notes = cli.get("/notes")
        assert notes.status_code == 503 and "DATABASE_URL" in notes.text
        assert cli.get("/notes", params={"limit": "many"}).status_code == 400


def test_sighup_replaces_workers_without_failing_a_request():
    port = free_port()
    env = dict(NO_SERVICES, SKITAI_WORKERS="2")
    failures: list[str] = []
    answered = []
    stop = threading.Event()

    def load():
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            while not stop.is_set():
                try:
                    response = client.get("/")
                    answered.append(response.status_code)
                    if response.status_code != 200:
                        failures.append(str(response.status_code))
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))

    with skitai.test_client(SKITAID, port=port, env=env) as cli:
        master = cli.process.pid
        first = wait_for(lambda: len(children(master)) == 2 and children(master), "2 workers")
        worker = threading.Thread(target=load)
        worker.start()
        try:
            cli.process.send_signal(signal.SIGHUP)
            # every old worker replaced by a new one, while requests kept coming
            wait_for(lambda: len(children(master)) == 2 and not children(master) & first, "2 new workers")
            count = len(answered)
            wait_for(lambda: len(answered) > count, "answers from the new workers")
        finally:
            stop.set()
            worker.join()
    assert failures == []


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as file:
            return {int(child) for child in file.read().split()}
    except OSError:
        return set()


def wait_for(predicate, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_systemd_unit_reloads_with_sighup_and_starts_the_launch_script():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(os.path.join(DEPLOY, "skitai-notes.service"))
    service = unit["Service"]
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert service["KillSignal"] == "SIGTERM" and service["Type"] == "simple"
    command = shlex.split(service["ExecStart"])
    assert command[1] == "skitaid.py"
    options = parse(command[2:])
    assert options.port == 5000 and options.production
    # the stop timeout covers the engine's graceful drain
    assert int(service["TimeoutStopSec"]) > 30


def test_compose_file_wires_the_app_to_postgres_and_redis():
    with open(os.path.join(DEPLOY, "compose.yaml")) as file:
        compose = yaml.safe_load(file)
    services = compose["services"]
    assert {"app", "postgres", "redis", "nginx"} <= set(services)
    app = services["app"]
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "@postgres:5432/" in app["environment"]["DATABASE_URL"]
    assert app["environment"]["REDIS_URL"].startswith("redis://redis:6379")
    assert os.path.normpath(os.path.join(DEPLOY, app["build"]["context"])) == ROOT
    assert os.path.isfile(os.path.join(ROOT, app["build"]["dockerfile"]))


def test_dockerfile_copies_files_that_exist():
    with open(os.path.join(DEPLOY, "Dockerfile")) as file:
        text = file.read()
    sources = [part for line in re.findall(r"^COPY (.+)$", text, re.M) for part in line.split()[:-1]]
    assert sources
    for source in sources:
        assert os.path.exists(os.path.join(ROOT, source)), source
    assert 'CMD ["python", "skitaid.py"]' in text
