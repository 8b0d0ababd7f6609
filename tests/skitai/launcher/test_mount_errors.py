"""A launch script mounting something that is not there, run as a real process."""

import subprocess
import sys

import pytest

from skitai.testing.client import free_port

pytestmark = pytest.mark.process


def launch(tmp_path, target):
    script = tmp_path / "serve.py"
    script.write_text(f"import skitai\nskitai.mount('/', {target!r})\nskitai.run(port={free_port()})\n")
    # started from another folder: relative targets must resolve against the script's
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd="/")


def test_a_missing_folder_says_not_found_and_where_it_looked(tmp_path):
    done = launch(tmp_path, "./no_such_folder")
    assert done.returncode == 2
    assert "cannot mount './no_such_folder' on '/': not found" in done.stderr
    assert f"{tmp_path} (the launch script's folder)" in done.stderr
    assert f"a folder {tmp_path}/no_such_folder;" in done.stderr
    assert f"a file {tmp_path}/no_such_folder.py" in done.stderr
    assert "a folder of static files" in done.stderr and "WSGI or ASGI callable" in done.stderr
    assert "TypeError" not in done.stderr and "expected a Python file" not in done.stderr


def test_a_missing_bare_name_also_lists_the_module_it_tried(tmp_path):
    done = launch(tmp_path, "no_such_folder")
    assert done.returncode == 2
    assert "not found" in done.stderr and "a module 'no_such_folder' on sys.path" in done.stderr
    assert f"a package {tmp_path}/no_such_folder/__init__.py" in done.stderr


def test_not_found_is_said_without_a_traceback(tmp_path):
    done = launch(tmp_path, "./no_such_folder")
    assert "Traceback" not in done.stderr
