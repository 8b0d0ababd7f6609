"""What a user types on the command line, against a real launch script process."""

import subprocess
import sys

import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

SERVE = """
import skitai

opts, args = skitai.getopt("v", ["origin="])
OPTS = dict(opts)

def app(environ, start_response):
    start_response("200 OK", [("content-type", "text/plain")])
    return [f"origin={OPTS.get('--origin')} verbose={'-v' in OPTS} args={args}".encode()]

if __name__ == "__main__":
    skitai.mount("/", app)
    skitai.run(port=5000)
"""

PLAIN = """
import skitai

def app(environ, start_response):
    start_response("200 OK", [("content-type", "text/plain")])
    return [b"ok"]

skitai.mount("/", app)
skitai.run(port=5000)
"""


def run_script(script, *argv):
    return subprocess.run([sys.executable, str(script), *argv], capture_output=True, text=True, timeout=60)


def test_a_mistyped_switch_stops_the_launch_naming_it(tmp_path):
    script = tmp_path / "serve.py"
    script.write_text(PLAIN)
    done = run_script(script, "--prot", str(free_port()))
    assert done.returncode == 2
    assert "unknown switch --prot" in done.stderr
    assert "--port" in done.stderr and "--devel" in done.stderr
    assert "skitai" not in done.stdout  # no banner: nothing was served


def test_a_mistyped_command_is_refused_too(tmp_path):
    script = tmp_path / "serve.py"
    script.write_text(PLAIN)
    done = run_script(script, "stauts")
    assert done.returncode == 2 and "unexpected argument 'stauts'" in done.stderr


def test_a_script_reads_the_switches_it_declared(tmp_path):
    script = tmp_path / "serve.py"
    script.write_text(SERVE)
    with skitai.test_client(str(script), port=free_port(), args=["--origin", "https://a.example", "-v", "x"]) as cli:
        assert cli.get("/").text == "origin=https://a.example verbose=True args=['x']"


def test_undeclared_switches_are_still_refused_when_the_script_declares_some(tmp_path):
    script = tmp_path / "serve.py"
    script.write_text(SERVE)
    done = run_script(script, "--orgin", "x", "--port", str(free_port()))
    assert done.returncode == 2 and "unknown switch --orgin" in done.stderr and "--origin" in done.stderr


def test_help_lists_the_scripts_own_switches(tmp_path):
    script = tmp_path / "serve.py"
    script.write_text(SERVE)
    done = run_script(script, "--help")
    assert done.returncode == 0
    assert "--origin" in done.stdout and "--port" in done.stdout
