"""A subprocess wired to a WebSocket (``context.websocket.pipe([...])``).

Each line the process writes to stdout goes to the client as a text message;
each client message is written to its stdin (a newline added when missing).
The process is killed when the socket closes, and the socket closes (1000,
the exit status in the reason) when the process exits.

Back-pressure: stdout is read only as fast as the client takes the lines
(``await send`` drains), and client messages wait for stdin to drain.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from skitai.websocket.messages import Message

if TYPE_CHECKING:
    from .channel import WebSocket

__all__ = ["PipedProcess"]

log = logging.getLogger("atila.websocket")

#: longest stdout line passed on in one message
_LINE_LIMIT = 1024 * 1024


class PipedProcess:
    def __init__(self, ws: "WebSocket", args: list[str] | str, popen: dict[str, Any]) -> None:
        self.ws = ws
        self.args = [args] if isinstance(args, str) else list(args)
        self.popen = popen
        self.process: asyncio.subprocess.Process | None = None
        self.returncode: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._stdin: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._exited: asyncio.Future[int] = ws.loop.create_future()

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    def feed(self, message: Message) -> None:
        data = message.encode() if isinstance(message, str) else message
        if not data.endswith(b"\n"):
            data += b"\n"
        self._stdin.put_nowait(data)
        session = self.ws.session
        if session is not None and self._stdin.qsize() >= self.ws.route.limits().ws_max_queue:
            session.hold_reading()

    def kill(self) -> None:
        process = self.process
        if process is not None and process.returncode is None:
            try:
                process.kill()
            except ProcessLookupError:
                pass
        self._stdin.put_nowait(None)

    async def wait(self) -> int:
        """The exit status, once the process has ended."""
        return await asyncio.shield(self._exited)

    async def _run(self) -> None:
        ws = self.ws
        try:
            self.process = await asyncio.create_subprocess_exec(
                *self.args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=_LINE_LIMIT,
                **self.popen,
            )
        except OSError as exc:
            log.error("websocket pipe: cannot start %r: %s", self.args, exc)
            ws.fail(1011, f"cannot start process: {exc.strerror or exc}")
            self._exited.set_result(-1)
            return
        if ws.closed:
            self.kill()
        writer = asyncio.ensure_future(self._write_stdin())
        try:
            assert self.process.stdout is not None
            async for line in self.process.stdout:
                if not await ws.send(line.decode("utf-8", "replace").rstrip("\n")):
                    break
        except ValueError:  # a line longer than the limit
            ws.fail(1009, "process output line too long")
        finally:
            writer.cancel()
            if self.process.returncode is None and ws.closed:
                self.kill()
            try:
                self.returncode = await self.process.wait()
            except asyncio.CancelledError:  # the worker is stopping: never leave the child behind
                self.kill()
                self.returncode = await self.process.wait()
                raise
            if not self._exited.done():
                self._exited.set_result(self.returncode)
            ws.close(1000, f"process exited with {self.returncode}")

    async def _write_stdin(self) -> None:
        process = self.process
        assert process is not None and process.stdin is not None
        session = self.ws.session
        while True:
            data = await self._stdin.get()
            if data is None:
                break
            try:
                process.stdin.write(data)
                await process.stdin.drain()
            except (BrokenPipeError, ConnectionResetError):
                break
            if session is not None and self._stdin.qsize() < self.ws.route.limits().ws_max_queue // 2:
                session.release_reading()
        try:
            process.stdin.close()
        except (BrokenPipeError, ConnectionResetError):
            pass
