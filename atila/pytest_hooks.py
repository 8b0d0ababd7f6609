"""pytest integration: ``from atila.pytest_hooks import *`` in a ``conftest.py``.

Gives the fixtures ``launch`` (``functools.partial(skitai.test_client, port=<a
free port>)``: call it with a launch script) and ``client`` (a client attached to
a server already running on ``SKITAI_TEST_PORT``, 5000 by default), and the
``--docs`` option (documented under "Integrating pytest and API Documentation")::

    cd tests && pytest --docs        # writes docs/api/index.md
    pytest account --docs            # writes docs/api/account.md

With ``--docs`` every request made through a test client (real process or
in-process) is recorded; when the session passes, one Markdown page lists each
route with its URL parameters, methods, and an example request and response
per status seen.  Route names and templates come from the app when the client
is in-process, and from the server's ``X-Atila-Route: <name> <template>`` answer
when it is a real process: the recorder asks for it on every request, and
``--docs`` sets ``ATILA_ROUTE_HEADER=1`` so servers the tests launch answer it (a
server started by hand answers it with ``--devel``).  A server that does not
answer it is documented by the literal URL paths.

Installing the project registers ``--docs`` as a pytest plugin (entry point
``pytest11``, :mod:`atila.pytest_plugin`), so it works without any conftest
import; the fixtures come with the star import.  Both together are fine: the
option, the recording and the page are made once.

``pytest`` and ``partial`` are exported too, because the documented conftest uses
them after the star import.
"""

from __future__ import annotations

import json
import os
import re
from functools import partial
from typing import Any, Iterator
from urllib.parse import parse_qsl

import httpx
import pytest

import skitai
from skitai.testing.client import TestClient, free_port

from .route_header import DESCRIBE_HEADER, ROUTE_HEADER, ROUTE_HEADER_ENV

__all__ = [
    "pytest",
    "partial",
    "pytest_addoption",
    "pytest_configure",
    "pytest_unconfigure",
    "pytest_sessionfinish",
    "launch",
    "client",
    "DocsRecorder",
]

_RECORDER = pytest.StashKey["DocsRecorder"]()
_PATCH = pytest.StashKey[pytest.MonkeyPatch]()
_PLACEHOLDER = re.compile(r"<(?:[a-z]+:)?([A-Za-z_]\w*)>")
_MAX_TEXT = 2000


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("atila")
    try:
        group.addoption(
            "--docs",
            action="store_true",
            default=False,
            help="write docs/api/<test dir or index>.md from the requests the tests make",
        )
    except ValueError:
        pass  # NOTE: a second conftest star-importing this module; already added


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("--docs", default=False) or _RECORDER in config.stash:
        return
    recorder = config.stash[_RECORDER] = DocsRecorder()
    patch = config.stash[_PATCH] = pytest.MonkeyPatch()
    patch.setenv(ROUTE_HEADER_ENV, "1")
    original = TestClient.request

    # NOTE: TestClient is where every test request goes through (real process and
    # in-process alike), so recording there covers clients built by any fixture.
    def recording_request(self: TestClient, method: str, url: str, **kwargs: Any) -> Any:
        headers = httpx.Headers(kwargs.get("headers"))
        headers.setdefault(DESCRIBE_HEADER, "1")
        kwargs["headers"] = headers
        response = original(self, method, url, **kwargs)
        recorder.record(response.raw)
        return response

    patch.setattr(TestClient, "request", recording_request)


def pytest_unconfigure(config: pytest.Config) -> None:
    patch = config.stash.get(_PATCH, None)
    if patch is not None:
        patch.undo()
        del config.stash[_PATCH]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    recorder = session.config.stash.get(_RECORDER, None)
    if recorder is None or exitstatus != 0 or not recorder.routes:
        return
    # NOTE: made once even when both the plugin and a conftest star import run this hook
    del session.config.stash[_RECORDER]
    root = str(session.config.invocation_params.dir)
    path = os.path.join(root, "docs", "api", docs_name(session.config.args, root) + ".md")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        file.write(recorder.markdown())


def docs_name(args: list[str], root: str) -> str:
    """``account`` for ``pytest account``; ``index`` for anything else."""
    if len(args) == 1:
        target = os.path.normpath(os.path.join(root, args[0].split("::", 1)[0]))
        if target != os.path.normpath(root) and os.path.isdir(target):
            return os.path.basename(target)
    return "index"


@pytest.fixture
def launch() -> Any:
    """``launch("serve.py", devel=True)`` starts the script on a free port."""
    return partial(skitai.test_client, port=free_port())


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """A client attached to a server already running on ``SKITAI_TEST_PORT``."""
    attached = skitai.test_client(port=int(os.environ.get("SKITAI_TEST_PORT", "5000")))
    yield attached
    attached.stop()


class DocsRecorder:
    """Request/response pairs grouped by route, then by method and status."""

    def __init__(self) -> None:
        #: route key -> {"name", "path", "params", "auth", "examples": {(method, status): example}}
        self.routes: dict[tuple[str, str], dict[str, Any]] = {}

    def record(self, response: Any) -> None:
        request = response.request
        info = response.extensions.get("atila_route") or _route_from_header(response.headers.get(ROUTE_HEADER))
        url_path = request.url.path
        if info is None:
            info = {"name": url_path, "path": url_path, "params": []}
        route = self.routes.setdefault(
            (info["name"], info["path"]),
            {**info, "auth": False, "examples": {}},
        )
        if "authorization" in request.headers or response.status_code == 401:
            route["auth"] = True
        key = (request.method, response.status_code)
        if key not in route["examples"]:
            route["examples"][key] = _example(request, response)

    def markdown(self) -> str:
        lines = ["# API Reference", "", "## Table of Content"]
        for number, route in enumerate(self.routes.values(), 1):
            methods = sorted({method for method, _ in route["examples"]}, key=_method_order)
            path = route["path"]
            links = " ".join(f"[**`{m}`**](#{slug(_method_heading(m, path))})" for m in methods)
            lines.append(f"{number}. [{route['path']}](#{slug(route['name'])}) {links}")
        for route in self.routes.values():
            lines += ["", f"## {route['name']}"]
            params = ", ".join(f"`{p}`" for p in route["params"]) or "None"
            lines.append(f"**URL Parameters**: {params}  ")
            lines.append(f"**Authorization Required**: {'YES' if route['auth'] else 'NO'}")
            by_method: dict[str, list[tuple[int, dict[str, Any]]]] = {}
            for (method, status), example in route["examples"].items():
                by_method.setdefault(method, []).append((status, example))
            for method in sorted(by_method, key=_method_order):
                lines += ["", "#### " + _method_heading(method, route["path"])]
                for status, example in sorted(by_method[method], key=lambda item: item[0]):
                    lines += _example_lines(status, example)
        return "\n".join(lines) + "\n"


def _method_heading(method: str, path: str) -> str:
    return f"`{method}` `{path}`"


def _route_from_header(value: str | None) -> dict[str, Any] | None:
    if not value or " " not in value:
        return None
    name, _, path = value.strip().partition(" ")
    return {"name": name, "path": path, "params": _PLACEHOLDER.findall(path)}


def _example(request: Any, response: Any) -> dict[str, Any]:
    target = request.url.raw_path.decode("ascii")
    params = dict(parse_qsl(request.url.query.decode("ascii")))
    request_type = request.headers.get("content-type", "").split(";")[0].strip()
    response_type = response.headers.get("content-type", "").split(";")[0].strip()
    return {
        "url": target,
        "params": params,
        "request_type": request_type,
        "request_data": _body(request.content, request_type),
        "status": f"{response.status_code} {response.reason_phrase}".strip(),
        "response_type": response_type,
        "response_data": _body(response.content, response_type),
    }


def _body(content: bytes, media_type: str) -> Any:
    if not content:
        return None
    if "json" in media_type:
        try:
            return json.loads(content)
        except ValueError:
            pass
    if media_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(content.decode("utf-8", "replace")))
    if media_type.startswith("multipart/"):
        return "(multipart form data)"
    text = content.decode("utf-8", "replace")
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "..."


def _example_lines(status: int, example: dict[str, Any]) -> list[str]:
    kind = "Success" if status < 400 else "Error"
    lines = ["", f"**{kind} Response Example**", f"> **_URL_**: `{example['url']}`  "]
    if example["params"]:
        lines.append(f"> **_Parameters_**: `{json.dumps(example['params'], ensure_ascii=False)}`  ")
    if example["request_data"] is not None:
        lines.append(f"> **_Request Data_** ({example['request_type'] or 'unknown'})")
        lines += _data_block(example["request_data"])
    lines.append(f"> **_Response_**: `{example['status']}`  ")
    if example["response_data"] is not None:
        lines.append(f"> **_Response Data_** ({example['response_type'] or 'unknown'})")
        lines += _data_block(example["response_data"])
    return lines


def _data_block(data: Any) -> list[str]:
    if isinstance(data, str):
        return ["", "```", data, "```"]
    return ["", "```json", json.dumps(data, indent=2, ensure_ascii=False, default=str), "```"]


_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _method_order(method: str) -> int:
    return _METHODS.index(method) if method in _METHODS else len(_METHODS)


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")
