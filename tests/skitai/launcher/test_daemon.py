import os
import subprocess
import sys

import pytest

from skitai.workers import daemon


def test_app_home_follows_skitai_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SKITAI_HOME", str(tmp_path))
    assert daemon.app_home("dumb seek/1") == str(tmp_path / "dumb-seek-1")


def test_status_without_pid_file_is_stopped(tmp_path, capsys):
    assert daemon.status(str(tmp_path)) == daemon.EXIT_STOPPED
    assert "stopped" in capsys.readouterr().out


def test_status_with_live_pid_is_running(tmp_path, capsys):
    (tmp_path / daemon.PID_FILE).write_text(f"{os.getpid()}\n")
    assert daemon.status(str(tmp_path)) == 0
    assert str(os.getpid()) in capsys.readouterr().out


@pytest.mark.process
def test_stale_pid_file_is_removed(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / daemon.PID_FILE).write_text(finished.stdout)
    assert daemon.read_pid(str(tmp_path)) is None
    assert not (tmp_path / daemon.PID_FILE).exists()


def test_garbage_pid_file_reads_as_stopped(tmp_path):
    (tmp_path / daemon.PID_FILE).write_text("not a pid")
    assert daemon.read_pid(str(tmp_path)) is None


def test_stop_when_not_running_is_not_an_error(tmp_path, capsys):
    assert daemon.stop(str(tmp_path), 1.0) == 0
    assert "not running" in capsys.readouterr().out


@pytest.mark.process
def test_stop_terminates_the_recorded_process(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / daemon.PID_FILE).write_text(f"{sleeper.pid}\n")
        assert daemon.stop(str(tmp_path), 5.0) == 0
        assert sleeper.wait(5) != 0
        assert not (tmp_path / daemon.PID_FILE).exists()
    finally:
        sleeper.kill()


def test_app_home_of_a_script_path_is_its_name_and_a_hash_of_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv("SKITAI_HOME", str(tmp_path))
    shop, blog = daemon.app_home("/srv/shop/serve.py"), daemon.app_home("/srv/blog/serve.py")
    assert shop != blog
    assert os.path.basename(shop).startswith("serve-") and os.path.dirname(shop) == str(tmp_path)
    assert daemon.app_home("/srv/shop/serve.py") == shop


def test_status_names_the_script_that_started_the_daemon(tmp_path, capsys):
    (tmp_path / daemon.SCRIPT_FILE).write_text("/srv/shop/serve.py\n")
    assert daemon.status(str(tmp_path)) == daemon.EXIT_STOPPED
    assert "/srv/shop/serve.py" in capsys.readouterr().out
