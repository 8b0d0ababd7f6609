"""``skitai.test_client``: a real server process and a requests-like client for it.

Given a launch script, the client starts it as its own process (``--port``,
``--devel`` when asked), waits until the port answers — polling, never a fixed
sleep — and stops it (SIGTERM, so it drains) on ``stop()`` or when the ``with``
block ends.  Without a script it attaches to a server already running.

Example::

    with skitai.test_client("serve.py", port=30371) as cli:
        r = cli.post("/api/tokens", data={"query": "Detective Holmes"})
        assert r.json()["result"] == ["detective", "holmes"]
        assert cli.api().apis.pets(45).get().data["id"] == 45
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import IO, Any

import httpx

__all__ = ["TestClient", "Response", "APIStub", "ServerNotStarted", "free_port"]

#: how long a launched server gets to answer on its port
START_TIMEOUT = 30.0
#: how long stop() waits for the server to drain before killing it
STOP_TIMEOUT = 15.0


class ServerNotStarted(RuntimeError):
    """The launched script exited, or did not answer on its port in time."""


class Response:
    """An ``httpx.Response`` with the requests-style extras tests expect."""

    def __init__(self, response: httpx.Response) -> None:
        self.raw = response

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)

    @property
    def status_code(self) -> int:
        return self.raw.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.raw.headers

    @property
    def text(self) -> str:
        return self.raw.text

    @property
    def content(self) -> bytes:
        return self.raw.content

    @property
    def reason(self) -> str:
        return self.raw.reason_phrase

    @property
    def ok(self) -> bool:
        return self.raw.status_code < 400

    def json(self) -> Any:
        return self.raw.json()

    @property
    def data(self) -> Any:
        """The body parsed as JSON when it is JSON, the text otherwise."""
        kind = self.raw.headers.get("content-type", "")
        if "json" in kind:
            try:
                return self.raw.json()
            except ValueError:
                return self.raw.text
        return self.raw.text

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"


class TestClient:
    """See the module docstring.  ``silent=False`` shows the server's output.

    ``http2=True`` speaks HTTP/2 (httpx with h2): prior knowledge over plain
    http, ALPN with ``scheme="https"`` (``verify`` is httpx's: a CA file, an
    ``ssl.SSLContext`` or False).
    """

    __test__ = False  # not a pytest test class despite the name

    def __init__(
        self,
        script: str | None = None,
        port: int = 5000,
        devel: bool = False,
        silent: bool = True,
        address: str = "127.0.0.1",
        args: list[str] | tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        timeout: float = START_TIMEOUT,
        http2: bool = False,
        scheme: str = "http",
        verify: Any = True,
    ) -> None:
        self.script = os.path.abspath(script) if script else None
        self.port = port
        self.address = address
        self.base_url = f"{scheme}://{address}:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None
        # NOTE: over plain http, HTTP/2 means prior knowledge (no HTTP/1.1 at all);
        # over https, ALPN offers h2 and http/1.1 and the server picks.
        self.http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            http2=http2,
            http1=not (http2 and scheme == "http"),
            verify=verify,
        )
        if self.script is not None:
            try:
                self._launch(devel, silent, list(args), env, timeout)
            except BaseException:
                self.http.close()
                raise

    # -- process ------------------------------------------------------------------

    def _launch(self, devel: bool, silent: bool, args: list[str], env: dict[str, str] | None, timeout: float) -> None:
        assert self.script is not None
        if not os.path.isfile(self.script):
            raise FileNotFoundError(f"launch script not found: {self.script}")
        if _answers(self.address, self.port):
            raise ServerNotStarted(f"port {self.port} is already in use; stop that server or pick another port")
        command = [sys.executable, self.script, "--port", str(self.port), *(["--devel"] if devel else []), *args]
        if silent:
            self._output = tempfile.TemporaryFile()
        # NOTE: a new session, so a server that will not stop can be killed with
        # all its workers at once; SIGTERM still goes to the top process only.
        self.process = subprocess.Popen(
            command,
            cwd=os.path.dirname(self.script),
            env=dict(os.environ, **(env or {})),
            stdout=self._output,
            stderr=subprocess.STDOUT if silent else None,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while not _answers(self.address, self.port):
            if self.process.poll() is not None:
                output = self.output()
                self._cleanup()
                raise ServerNotStarted(f"{self.script} exited with code {self.process.returncode}:\n{output}")
            if time.monotonic() > deadline:
                output = self.output()
                self.stop()
                raise ServerNotStarted(f"{self.script} did not answer on port {self.port} in {timeout:.0f}s:\n{output}")
            time.sleep(0.05)

    def output(self) -> str:
        """What the server wrote so far (when launched with ``silent=True``)."""
        if self._output is None:
            return ""
        self._output.seek(0)
        return self._output.read().decode("utf-8", "replace")

    def stop(self) -> int | None:
        """Stop the launched server (drain, then kill past ``STOP_TIMEOUT``) and
        close the connections.  Returns the server's exit code, None if attached."""
        self.http.close()
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                _kill_group(process.pid)
                process.wait()
        _kill_group(process.pid)  # workers orphaned by a crashed master
        self._cleanup()
        return process.returncode

    def _cleanup(self) -> None:
        if self._output is not None:
            self._output.close()
            self._output = None

    def __enter__(self) -> "TestClient":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- requests -----------------------------------------------------------------

    def request(self, method: str, url: str, **kwargs: Any) -> Response:
        """requests-style keywords: ``params``, ``data``, ``json``, ``headers``,
        ``files``, ``cookies``, ``allow_redirects``, ``timeout``."""
        data = kwargs.pop("data", None)
        if isinstance(data, (dict, list, tuple)):
            kwargs["data"] = data  # form fields
        elif data is not None:
            kwargs["content"] = data  # bytes, text, a file or an iterator (sent chunked)
        follow = kwargs.pop("allow_redirects", method.upper() != "HEAD")
        kwargs.setdefault("follow_redirects", follow)
        return Response(self.http.request(method.upper(), url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, data: Any = None, **kwargs: Any) -> Response:
        return self.request("POST", url, data=data, **kwargs)

    def put(self, url: str, data: Any = None, **kwargs: Any) -> Response:
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url: str, data: Any = None, **kwargs: Any) -> Response:
        return self.request("PATCH", url, data=data, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Response:
        return self.request("DELETE", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> Response:
        return self.request("HEAD", url, **kwargs)

    def options(self, url: str, **kwargs: Any) -> Response:
        return self.request("OPTIONS", url, **kwargs)

    def api(self, prefix: str = "") -> "APIStub":
        """A path-building stub: ``cli.api().apis.pets(45).get()`` is ``GET /apis/pets/45``."""
        return APIStub(self, prefix.rstrip("/"))

    def websocket(self, path: str, headers: dict[str, str] | None = None, subprotocols: list[str] | None = None) -> Any:
        """A sync WebSocket client for ``path`` (:mod:`skitai.testing.websocket`:
        ``send``, ``receive``, ``close``); cookies go both ways, like requests'."""
        from .websocket import keep_cookies

        fields = list((headers or {}).items())
        cookies = "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())
        if cookies:
            fields.append(("Cookie", cookies))
        ws = self._open_websocket(path, fields, subprotocols)
        keep_cookies(self.http.cookies, ws.headers)
        return ws

    def _open_websocket(self, path: str, fields: list[tuple[str, str]], subprotocols: list[str] | None) -> Any:
        from .websocket import RemoteWebSocket

        return RemoteWebSocket(f"ws://{self.address}:{self.port}{path}", fields, subprotocols)


class APIStub:
    """Attribute access and calls append path segments; the HTTP verbs send.

    ``get/delete/head/options(**params)`` send the keywords as the query string;
    ``post/put/patch(data=None, **fields)`` send JSON, both with ``Accept: application/json``.
    """

    def __init__(self, client: TestClient, path: str) -> None:
        self._client = client
        self._path = path

    def __getattr__(self, name: str) -> "APIStub":
        if name.startswith("__"):
            raise AttributeError(name)
        return APIStub(self._client, f"{self._path}/{name}")

    def __call__(self, *segments: Any) -> "APIStub":
        path = self._path + "".join(f"/{segment}" for segment in segments)
        return APIStub(self._client, path)

    def _send(self, method: str, **kwargs: Any) -> Response:
        headers = {"Accept": "application/json", **kwargs.pop("headers", {})}
        return self._client.request(method, self._path or "/", headers=headers, **kwargs)

    def get(self, **params: Any) -> Response:
        return self._send("GET", params=params)

    def delete(self, **params: Any) -> Response:
        return self._send("DELETE", params=params)

    def head(self, **params: Any) -> Response:
        return self._send("HEAD", params=params)

    def options(self, **params: Any) -> Response:
        return self._send("OPTIONS", params=params)

    def post(self, data: Any = None, **fields: Any) -> Response:
        return self._send("POST", json=data if data is not None else fields)

    def put(self, data: Any = None, **fields: Any) -> Response:
        return self._send("PUT", json=data if data is not None else fields)

    def patch(self, data: Any = None, **fields: Any) -> Response:
        return self._send("PATCH", json=data if data is not None else fields)

    def __repr__(self) -> str:
        return f"<APIStub {self._path or '/'}>"


def free_port(address: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the OS picks it), for test servers."""
    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


def _answers(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=0.5) as probe:
            # NOTE: with nothing listening, Linux may pick the target port as the
            # probe's own port and connect the socket to itself; that is no server.
            return bool(probe.getsockname() != probe.getpeername())
    except OSError:
        return False


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
