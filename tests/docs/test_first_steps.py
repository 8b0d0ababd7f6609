"""What a new user does first: copy the README's first code block and run it, and install the
project into a fresh virtualenv from a wheel and run the example from there."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _wait_answering(port: int, proc: subprocess.Popen[bytes], path: str = "/") -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}")
        try:
            return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered on port {port} within 60 s")


def test_readme_first_code_block_runs_as_copied(tmp_path: Path) -> None:
    first = BLOCK.search((ROOT / "README.md").read_text())
    assert first is not None
    script = tmp_path / "hello.py"
    script.write_text(first.group(1))
    port = free_port()
    with skitai.test_client(str(script), port=port) as cli:
        assert cli.get("/?name=Atila").text == "Hello, Atila"
        assert cli.get("/").text == "Hello, World"


@pytest.mark.timeout(600)
def test_wheel_installs_into_a_fresh_venv_and_runs_the_example(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
        check=True,
        cwd=tmp_path,
    )
    wheels = list(dist.glob("skitai_atila-*.whl"))
    assert len(wheels) == 1, f"expected one skitai_atila wheel, found {wheels}"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheels[0])], check=True, cwd=tmp_path)
    where = subprocess.run(
        [str(python), "-c", "import skitai, atila; print(skitai.__file__); print(atila.__file__)"],
        check=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert all("site-packages" in path for path in where), where
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.Popen(
        [str(python), str(ROOT / "examples" / "dumbseek" / "skitaid.py"), "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert _wait_answering(port, proc).json()["app"] == "Dumb Seek"
        answer = httpx.post(f"http://127.0.0.1:{port}/api/tokens", data={"query": "Detective Holmes"})
        assert answer.json()["result"] == ["detective", "holmes"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
