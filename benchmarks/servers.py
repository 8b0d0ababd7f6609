"""Benchmarked servers as subprocesses: start pinned to a CPU, wait until they
answer, stop them and their children (also on Ctrl-C).

Each server runs in its own session, so stopping signals the whole process
group: nginx's worker and any helper process go with it.
"""

from __future__ import annotations

import dataclasses
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from typing import IO, Callable

__all__ = ["ServerSpec", "Server", "free_port", "nginx_spec", "SERVE_SCRIPT"]

HERE = os.path.dirname(os.path.abspath(__file__))
SERVE_SCRIPT = os.path.join(HERE, "apps", "serve.py")
#: seconds a server may take to answer its first request
START_TIMEOUT = 30.0
#: seconds between SIGTERM and SIGKILL when stopping
STOP_GRACE = 5.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclasses.dataclass
class ServerSpec:
    """How to start one server: ``build(port)`` returns its command line."""

    key: str
    label: str
    build: Callable[[int], list[str]]

    @classmethod
    def serve(cls, key: str, label: str, server: str, app: str, *extra: str) -> "ServerSpec":
        """A server started through ``apps/serve.py`` with this interpreter."""

        def build(port: int) -> list[str]:
            return [sys.executable, SERVE_SCRIPT, server, app, "--port", str(port), *extra]

        return cls(key, label, build)


class Server:
    """One running server.  Use :meth:`start`, :meth:`wait_ready`, :meth:`stop`."""

    def __init__(self, spec: ServerSpec, cpu: int | None, log_dir: str) -> None:
        self.spec = spec
        self.cpu = cpu
        self.port = free_port()
        self.log_path = os.path.join(log_dir, f"{spec.key}.log")
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        argv = self.spec.build(self.port)
        if self.cpu is not None:
            argv = ["taskset", "-c", str(self.cpu), *argv]
        self._log = open(self.log_path, "wb")
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            argv,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
            cwd=HERE,
        )

    def wait_ready(self, path: str, timeout: float = START_TIMEOUT) -> None:
        """Poll ``GET path`` until it answers (any status); raise if the process
        dies or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.spec.label} exited before answering; log:\n{self.log_tail()}")
            try:
                self.get(path, timeout=1.0)
                return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.spec.label} did not answer within {timeout:g}s; log:\n{self.log_tail()}")
            time.sleep(delay)
            delay = min(delay * 2, 0.25)

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it after a grace period."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(STOP_GRACE)
        if process is not None:
            # the group may outlive its leader (nginx workers): make sure it is gone
            _signal_group(process.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 20) -> str:
        try:
            with open(self.log_path, "rb") as handle:
                return b"\n".join(handle.read().splitlines()[-lines:]).decode("utf-8", "replace")
        except OSError:
            return "(no log)"


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def nginx_spec(workdir: str, static_root: str, nginx: str) -> ServerSpec:
    """nginx serving ``static_root`` at ``/static/``: one worker, no access log,
    sendfile on, keep-alive without a request cap (the Python servers have none).

    The config is written into ``workdir`` when the server starts, since the
    port is chosen then.
    """

    def build(port: int) -> list[str]:
        conf = os.path.join(workdir, f"nginx-{port}.conf")
        with open(conf, "w") as handle:
            handle.write(_NGINX_CONF.format(workdir=workdir, root=static_root, port=port))
        return [nginx, "-e", os.path.join(workdir, "nginx-error.log"), "-p", workdir, "-c", conf]

    return ServerSpec("nginx", "nginx", build)


_NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {workdir}/nginx-{port}.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location /static/ {{ alias {root}/; }}
    }}
}}
"""
