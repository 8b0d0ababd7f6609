import signal
import subprocess
import sys
import threading

import httpx
import pytest
from worker_helpers import alive, starts, wait_for

import skitai

pytestmark = pytest.mark.process


def test_workers_get_ids_and_gpus_round_robin(make_script, port):
    script = make_script(workers=3, gpus=[0, 1])
    with skitai.test_client(str(script), port=port):
        seen = wait_for(lambda: len(starts(script)) == 3 and starts(script), what="3 workers")
    assert sorted((wid, cuda) for wid, _, cuda in seen) == [("1", "0"), ("2", "1"), ("3", "0")]


def test_a_crashed_worker_is_replaced(make_script, port):
    script = make_script(workers=2)
    with skitai.test_client(str(script), port=port) as cli:
        wait_for(lambda: len(starts(script)) == 2, what="2 workers")
        with pytest.raises(httpx.HTTPError):
            cli.get("/crash")
        after = wait_for(lambda: len(starts(script)) == 3 and starts(script), what="a replacement worker")
        crashed_ids = {wid for wid, _, _ in after[:2]}
        assert after[2][0] in crashed_ids
        assert cli.get("/again").status_code == 200


def test_sigterm_drains_in_flight_requests(make_script, port):
    script = make_script(workers=2)
    cli = skitai.test_client(str(script), port=port)
    try:
        result = {}

        def slow():
            result["response"] = httpx.get(f"http://127.0.0.1:{port}/slow?1.5", timeout=30)

        thread = threading.Thread(target=slow)
        thread.start()
        wait_for(lambda: (script.parent / "slow-started").exists(), what="the slow request to start")
        cli.process.send_signal(signal.SIGTERM)
        thread.join(30)
        assert result["response"].status_code == 200
        assert result["response"].text.startswith("v1 /slow")
        assert cli.process.wait(30) == 0
    finally:
        cli.stop()


def test_sigterm_drains_a_single_in_process_worker(make_script, port):
    script = make_script()
    cli = skitai.test_client(str(script), port=port)
    try:
        result = {}
        url = f"http://127.0.0.1:{port}/slow?1"
        thread = threading.Thread(target=lambda: result.setdefault("r", httpx.get(url, timeout=30)))
        thread.start()
        wait_for(lambda: (script.parent / "slow-started").exists(), what="the slow request to start")
        cli.process.send_signal(signal.SIGTERM)
        thread.join(30)
        assert result["r"].status_code == 200
        assert cli.process.wait(30) == 0
    finally:
        cli.stop()


def test_sighup_replaces_every_worker(make_script, port):
    script = make_script(workers=2)
    with skitai.test_client(str(script), port=port) as cli:
        first = wait_for(lambda: len(starts(script)) == 2 and starts(script), what="2 workers")
        cli.process.send_signal(signal.SIGHUP)
        wait_for(lambda: len(starts(script)) == 4, what="2 new workers")
        old_pids = [int(pid) for _, pid, _ in first]
        wait_for(lambda: not any(alive(pid) for pid in old_pids), what="old workers to exit")
        assert sorted(wid for wid, _, _ in starts(script)[2:]) == ["1", "2"]
        assert cli.get("/").status_code == 200


def run_command(script, *args):
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=60)


def test_daemon_start_status_stop(make_script, port, tmp_path):
    script = make_script()
    home = tmp_path / "home" / "testapp"
    started = run_command(script, "--port", str(port), "-d")
    try:
        assert started.returncode == 0, started.stderr
        assert (home / "skitai.pid").exists()
        assert httpx.get(f"http://127.0.0.1:{port}/x").text.startswith("v1 /x")
        status = run_command(script, "status")
        assert status.returncode == 0 and "running" in status.stdout
        wait_for(lambda: "GET /x" in (home / "access.log").read_text(), what="the access log line")
    finally:
        stopped = run_command(script, "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert run_command(script, "status").returncode == 3
    assert not (home / "skitai.pid").exists()


def test_daemon_start_twice_is_refused(make_script, port):
    script = make_script()
    assert run_command(script, "--port", str(port), "start").returncode == 0
    try:
        again = run_command(script, "--port", str(port), "start")
        assert again.returncode == 1 and "already running" in again.stderr
    finally:
        run_command(script, "stop")


def test_import_error_in_a_mount_fails_at_once_with_a_message(tmp_path, port):
    script = tmp_path / "serve.py"
    script.write_text(
        f"import skitai\nskitai.mount('/', 'no_such_pkg_here/wsgi:application')\nskitai.run(port={port})\n"
    )
    result = run_command(script)
    assert result.returncode == 2
    assert "cannot mount" in result.stderr and "no_such_pkg_here" in result.stderr


def test_port_in_use_is_a_clear_error(make_script, port):
    script = make_script()
    with skitai.test_client(str(script), port=port):
        result = run_command(script, "--port", str(port))
    assert result.returncode == 2 and "cannot listen" in result.stderr


def test_daemon_restart_replaces_the_process(make_script, port, tmp_path):
    script = make_script()
    home = tmp_path / "home" / "testapp"
    assert run_command(script, "--port", str(port), "start").returncode == 0
    try:
        first = int((home / "skitai.pid").read_text())
        restarted = run_command(script, "--port", str(port), "restart")
        assert restarted.returncode == 0, restarted.stderr
        second = int((home / "skitai.pid").read_text())
        assert second != first and not alive(first)
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
    finally:
        run_command(script, "stop")


def test_callable_form_of_mount_runs_the_server(tmp_path, port):
    script = tmp_path / "serve.py"
    script.write_text(
        "import skitai\n"
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'callable form']\n"
        "if __name__ == '__main__':\n"
        "    skitai.mount('/', app)(port=5000, threads=2)\n"
    )
    with skitai.test_client(str(script), port=port) as cli:
        assert cli.get("/").text == "callable form"
