"""In-memory harness for the Atila core: mount an app as the engine would,
start it with a small engine (a real thread pool), send requests to ``handle``."""

from __future__ import annotations

import asyncio
import functools
import http.server
import inspect
import json as jsonlib
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import pytest

from skitai.contract import NOT_FOUND
from skitai.testing.memory import MemoryResponder, make_request


class FakeEngine:
    def __init__(self, mounts: list[Any], debug: bool = False) -> None:
        self.debug = debug
        self.worker_id = 0
        self.mounts = mounts
        self.executor = ThreadPoolExecutor(4)
        self.errors: list[str] = []

    def run_in_thread(self, func: Any, *args: Any) -> Any:
        return asyncio.get_running_loop().run_in_executor(self.executor, functools.partial(func, *args))

    def log_error(self, message: str, exc_info: Any = None) -> None:
        self.errors.append(message)


class Result:
    def __init__(self, responder: MemoryResponder) -> None:
        self.status = responder.status
        self.headers = responder.headers
        self.body = responder.body
        self.ended = responder.ended

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self) -> Any:
        return jsonlib.loads(self.body)


class Harness:
    def __init__(self, apps: list[tuple[Any, str, dict[str, Any]]], debug: bool = False) -> None:
        self.loop = asyncio.new_event_loop()
        mounts: list[Any] = []
        for app, prefix, options in apps:
            mounts.extend(app.__skitai_mount__(prefix, **options))
        self.mounts = mounts
        self.engine = FakeEngine(mounts, debug)
        self.started = False

    def start(self) -> "Harness":
        for mount in self.mounts:
            self.loop.run_until_complete(mount.startup(self.engine))
        self.started = True
        return self

    def request(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]] | None = None,
        body: bytes = b"",
        json: Any = None,
        form: dict[str, Any] | None = None,
        scheme: str = "http",
    ) -> Result:
        headers = list(headers or [])
        if json is not None:
            body = jsonlib.dumps(json).encode()
            headers.append(("Content-Type", "application/json"))
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        if body:
            headers.append(("Content-Length", str(len(body))))
        path = target.split("?", 1)[0]
        mount = max(
            (m for m in self.mounts if path == m.prefix or path.startswith(m.prefix + "/") or m.prefix == ""),
            key=lambda m: len(m.prefix),
        )
        request = make_request(method, target, headers, body, script_name=mount.prefix)
        request.scheme = scheme
        responder = MemoryResponder()
        result = mount.handle(request, responder)
        if result is NOT_FOUND:
            result = mount.not_found(request, responder)
        if inspect.isawaitable(result):
            self.loop.run_until_complete(result)
        return Result(responder)

    def get(self, target: str, **kwargs: Any) -> Result:
        return self.request("GET", target, **kwargs)

    def post(self, target: str, **kwargs: Any) -> Result:
        return self.request("POST", target, **kwargs)

    def run(self, awaitable: Any) -> Any:
        return self.loop.run_until_complete(awaitable)

    def close(self) -> None:
        if self.loop.is_closed():
            return
        if self.started:
            for mount in reversed(self.mounts):
                self.loop.run_until_complete(mount.shutdown())
        self.engine.executor.shutdown(wait=True)
        self.loop.close()


@pytest.fixture
def harnesses():
    """The harnesses a test made; all closed at its end."""
    made: list[Harness] = []
    yield made
    for harness in made:
        harness.close()


@pytest.fixture
def harness(harnesses):
    """``harness(app, prefix="", **mount_options)`` -> an unstarted Harness (closed at the end)."""

    def factory(app: Any, prefix: str = "", debug: bool = False, **options: Any) -> Harness:
        harnesses.append(Harness([(app, prefix, options)], debug=debug))
        return harnesses[-1]

    return factory


@pytest.fixture
def serve(harnesses):
    """``serve(app, prefix="", debug=False, **mount_options)`` -> a started Harness."""

    def factory(app: Any, prefix: str = "", debug: bool = False, **options: Any) -> Harness:
        harnesses.append(Harness([(app, prefix, options)], debug=debug))
        return harnesses[-1].start()

    return factory


@pytest.fixture
def serve_many(harnesses):
    """``serve_many((app, prefix, mount_options), ...)`` -> one started Harness for all."""

    def factory(*apps: tuple[Any, str, dict[str, Any]]) -> Harness:
        harnesses.append(Harness(list(apps)))
        return harnesses[-1].start()

    return factory


@pytest.fixture(scope="module")
def upstream():
    """A plain HTTP server answering ``upstream saw <path> <X-Token>`` (ProxyPass target)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = f"upstream saw {self.path} {self.headers.get('X-Token')}".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
