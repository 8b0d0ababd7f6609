"""``--devel``: while the code does not start, the port answers with the error.

When the server the supervisor runs dies (a syntax error in the app or the
launch script, an import error, a hook raising at start-up), a port that
refuses connections says nothing to the browser tab the developer is looking
at.  So the supervisor keeps the port: it serves every request with a 500
page showing what the dead server printed (the file, the line, Python's caret
under the error) until the next change starts a new server.

The page is a small WSGI app mounted, through the ordinary mount interface,
on a real :class:`~skitai.server.Server` that runs on its own loop in a
thread of the supervisor (whose main thread is busy watching files).
"""

from __future__ import annotations

import asyncio
import html
import re
import socket
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..config import Config
from ..logs import Logs
from ..mounts.table import MountTable
from ..mounts.wsgi import WSGIMount
from .master import bind

if TYPE_CHECKING:
    from ..server import Server

__all__ = ["ErrorPage", "ErrorServer", "show_error"]

_TRACEBACK = "Traceback (most recent call last):"
_LOCATION = re.compile(r'File "([^"]+)", line (\d+)')
#: how long starting or stopping the page's server may take
_THREAD_TIMEOUT = 10.0


class ErrorPage:
    """The WSGI app answering every request with 500 and the dead server's output."""

    def __init__(self, output: str, exit_code: int | None = None) -> None:
        self.body = render(output, exit_code).encode("utf-8")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response(
            "500 Internal Server Error",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(self.body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [self.body]


def excerpt(output: str) -> str:
    """The traceback in what the server printed (from its first one, with the
    launcher's message just above it), or all of it."""
    start = output.find(_TRACEBACK)
    if start < 0:
        return output.strip("\n")
    above = output.rfind("\n", 0, max(0, start - 1))
    return output[above + 1 :].strip("\n")


def render(output: str, exit_code: int | None = None) -> str:
    shown = excerpt(output)
    lines = [line for line in shown.splitlines() if line.strip()]
    title = lines[-1].strip() if lines else f"the server exited with code {exit_code}"
    places = list(_LOCATION.finditer(shown))
    code = "" if exit_code is None else f" (exit code {exit_code})"
    if places:
        last = places[-1]
        where = f"<p>in {html.escape(last.group(1))}, line {last.group(2)}</p>\n"
        # the innermost frame: its source line and Python's caret under the error
        focus = f"<pre>{html.escape(shown[last.start() :])}</pre>\n<h3>Output</h3>\n"
    else:
        where = focus = ""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>500 '
        f"{html.escape(title)}</title></head>\n<body>\n"
        f"<h1>500: the server could not start{html.escape(code)}</h1>\n"
        f"<h2>{html.escape(title)}</h2>\n{where}{focus}"
        f"<pre>{html.escape(shown)}</pre>\n"
        "<p>--devel answers every request with this page until a watched file "
        "changes; then the server starts again.</p>\n</body></html>\n"
    )


class ErrorServer:
    """Serves an :class:`ErrorPage` on ``config.address:config.port`` from a thread."""

    def __init__(self, config: Config, page: ErrorPage, logs: Logs) -> None:
        self.config = config
        self.page = page
        self.logs = logs
        self._sockets: list[socket.socket] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="skitai-error-page", daemon=True)

    def start(self) -> bool:
        """Bind and serve; False (and logged) when the port cannot be had."""
        try:
            self._sockets = bind(self.config)
        except OSError as exc:
            self.logs.error(f"skitai: cannot show the error page on port {self.config.port}: {exc}")
            return False
        self._thread.start()
        self._started.wait(_THREAD_TIMEOUT)
        return True

    def stop(self) -> None:
        """Close the port (bounded), so a new server can bind it."""
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        self._thread.join(_THREAD_TIMEOUT)
        for sock in self._sockets:
            sock.close()

    def _run(self) -> None:
        from ..server import Server

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        table = MountTable([WSGIMount("", self.page, name="devel-error")])
        server = Server(self.config, table, self.logs)
        try:
            loop.run_until_complete(self._serve(server))
        except Exception as exc:  # the page is a courtesy: never take the supervisor down
            self.logs.error("skitai: the error page stopped", exc_info=exc)
        finally:
            self._started.set()
            loop.close()

    async def _serve(self, server: "Server") -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await server.start(self._sockets)
        self._started.set()
        await self._stop.wait()
        await server.shutdown(1.0)


def show_error(config: Config) -> Callable[[str, int | None], Callable[[], None]]:
    """What the ``--devel`` supervisor calls when its server died: serve the page
    for that output; the returned function closes the port again."""
    logs = Logs(config)

    def show(output: str, exit_code: int | None) -> Callable[[], None]:
        server = ErrorServer(config, ErrorPage(output, exit_code), logs)
        if not server.start():
            return lambda: None
        logs.info(f"skitai: answering http://{config.address}:{config.port} with the error until a change")
        return server.stop

    return show
