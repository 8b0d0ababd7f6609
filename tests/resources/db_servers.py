"""Real PostgreSQL and Redis servers for the tests: a throw-away data folder,
a free port on 127.0.0.1, stopped at the end.  No mocks: when a server cannot
be had the fixture fails loudly (scripts/install_test_servers.sh installs them).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

from skitai.testing.client import free_port

__all__ = ["PostgresServer", "RedisServer", "ServerUnavailable"]


class ServerUnavailable(RuntimeError):
    pass


def _wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise ServerUnavailable(f"nothing answers on 127.0.0.1:{port} after {timeout:g} s")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found and shutil.which(name):
        found = [str(shutil.which(name))]
    if not found:
        raise ServerUnavailable(
            f"PostgreSQL's {name} is not installed: run scripts/install_test_servers.sh (apt-get install postgresql)"
        )
    return str(found[-1])


class PostgresServer:
    """``initdb`` + ``postgres`` as the ``postgres`` user when run as root
    (PostgreSQL refuses root); trust authentication on 127.0.0.1 only."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = tempfile.mkdtemp(prefix="skitai-pg-")
        self.data = os.path.join(self.root, "data")
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        self.process: subprocess.Popen[bytes] | None = None
        self.log = os.path.join(self.root, "server.log")

    @property
    def dsn(self) -> str:
        """The alias member: ``user@127.0.0.1:port/postgres``."""
        return f"{self.user}@127.0.0.1:{self.port}/postgres"

    def _as_owner(self, command: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *command]
        return command

    def init(self) -> "PostgresServer":
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        done = subprocess.run(
            self._as_owner(
                [_pg_bin("initdb"), "-D", self.data, "-A", "trust", "-U", self.user, "--no-sync", "-E", "UTF8"]
            ),
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise ServerUnavailable(f"initdb failed: {done.stderr or done.stdout}")
        return self.start()

    def start(self) -> "PostgresServer":
        command = [
            _pg_bin("postgres"),
            "-D",
            self.data,
            "-p",
            str(self.port),
            "-h",
            "127.0.0.1",
            "-k",
            self.root,
            "-c",
            "fsync=off",
            "-c",
            "max_connections=60",
            "-c",
            "full_page_writes=off",
        ]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self._as_owner(command), stdout=log, stderr=log)
        try:
            _wait_port(self.port)
        except ServerUnavailable:
            self.stop()
            with open(self.log) as log:
                raise ServerUnavailable(f"PostgreSQL did not start: {log.read()[-2000:]}") from None
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        # NOTE: fast shutdown (clients are disconnected); a SIGTERM to runuser would
        # ask for a smart one, which waits for the pooled clients forever
        subprocess.run(
            self._as_owner([_pg_bin("pg_ctl"), "-D", self.data, "stop", "-m", "fast", "-w"]),
            capture_output=True,
            timeout=60,
        )
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def restart(self, down_for: float = 0.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServerUnavailable(
                "redis-server is not installed: run scripts/install_test_servers.sh (apt-get install redis-server)"
            )
        self.binary = binary
        self.port = free_port()
        self.root = tempfile.mkdtemp(prefix="skitai-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def member(self) -> str:
        return f"127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        command = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            self.root,
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "no",
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_port(self.port)
        return self

    def close(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.terminate()
            process.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)
