"""Seed 001's launch script mounts inside a preference block and never calls run()."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

APP = """
import skitai
from atila import Atila

def __config__ (pref):
    pref.set_static ('/', skitai.abspath ('myapp/static'))

def __app__ ():
    return Atila (__name__)

def __mount__ (app, mntopt):
    @app.route ('/')
    def index (was):
        return 'Index Page'
"""

SERVE = """
import skitai
import myapp

if __name__ == '__main__':
    with skitai.preference () as pref:
        skitai.mount ('/', myapp, pref)
"""


def make_project(root: Path) -> None:
    (root / "myapp" / "static").mkdir(parents=True)
    (root / "myapp" / "__init__.py").write_text(textwrap.dedent(APP))
    (root / "myapp" / "static" / "app.css").write_text("body{}")
    (root / "serve.py").write_text(textwrap.dedent(SERVE))


def test_script_without_run_still_serves(tmp_path: Path) -> None:
    make_project(tmp_path)
    with skitai.test_client(str(tmp_path / "serve.py"), port=free_port()) as cli:
        assert cli.get("/").text == "Index Page"
        assert cli.get("/app.css").text == "body{}"


def test_script_that_fails_does_not_start_a_server(tmp_path: Path) -> None:
    make_project(tmp_path)
    script = tmp_path / "broken.py"
    script.write_text("import skitai, myapp\nskitai.mount('/', myapp)\nraise RuntimeError('script failed')\n")
    done = subprocess.run(
        [sys.executable, str(script), "--port", str(free_port())],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1 and "script failed" in done.stderr and "skitai" not in done.stdout


def test_mount_from_an_imported_module_does_not_arm(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / "lib.py").write_text("import skitai, myapp\nskitai.mount('/', myapp)\n")
    script = tmp_path / "main.py"
    script.write_text("import lib\nprint('done')\n")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout.strip() == "done"
