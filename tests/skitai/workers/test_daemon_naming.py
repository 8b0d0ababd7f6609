"""Two projects, each with its own ``serve.py`` daemon: their pid and log folders
must not collide, so ``stop`` in one leaves the other running."""

import subprocess
import sys

import httpx
import pytest
from worker_helpers import wait_for

from skitai.testing.client import free_port

pytestmark = pytest.mark.process

SERVE = """
import skitai

def app(environ, start_response):
    start_response("200 OK", [("content-type", "text/plain")])
    return [PROJECT.encode()]

PROJECT = __file__
skitai.mount("/", app)
skitai.run(RUN_SETTINGS)
"""


def project(root, settings=""):
    root.mkdir(parents=True)
    script = root / "serve.py"
    script.write_text(SERVE.replace("RUN_SETTINGS", settings))
    return script


def command(script, *args):
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=60)


def answers(port):
    try:
        return httpx.get(f"http://127.0.0.1:{port}/", timeout=2).text
    except httpx.HTTPError:
        return None


def test_two_projects_serve_py_daemons_are_kept_apart(tmp_path, monkeypatch):
    monkeypatch.setenv("SKITAI_HOME", str(tmp_path / "home"))
    first, second = project(tmp_path / "shop"), project(tmp_path / "blog")
    first_port, second_port = free_port(), free_port()
    try:
        assert command(first, "--port", str(first_port), "start").returncode == 0
        started = command(second, "--port", str(second_port), "start")
        assert started.returncode == 0, started.stderr
        assert answers(first_port) == str(first) and answers(second_port) == str(second)

        status = command(first, "status")
        assert status.returncode == 0 and str(first) in status.stdout and str(second) not in status.stdout

        assert command(first, "stop").returncode == 0
        assert command(first, "status").returncode == 3
        assert command(second, "status").returncode == 0
        assert answers(second_port) == str(second)
    finally:
        command(first, "stop")
        command(second, "stop")
    wait_for(lambda: answers(second_port) is None, what="the second daemon to stop")
    homes = sorted(path.name for path in (tmp_path / "home").iterdir())
    assert len(homes) == 2 and all(name.startswith("serve-") for name in homes)


def test_a_run_name_keys_the_daemon_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SKITAI_HOME", str(tmp_path / "home"))
    script = project(tmp_path / "shop", 'name="shop"')
    port = free_port()
    try:
        assert command(script, "--port", str(port), "start").returncode == 0
        assert (tmp_path / "home" / "shop" / "skitai.pid").exists()
        status = command(script, "status")
        assert status.returncode == 0 and str(script) in status.stdout
    finally:
        command(script, "stop")
