"""What the mount tests share: an engine to start mounts on, and bounded polling."""

from __future__ import annotations

import asyncio
from typing import Any


class Engine:
    """The ``Engine`` a mount's ``startup`` receives, minus the server.

    ``strict`` turns a logged error into a test failure; otherwise the messages
    are kept in ``errors`` for the test to check.
    """

    debug = False
    worker_id = 0

    def __init__(self, *, strict: bool = False, workers: int = 1) -> None:
        self.strict = strict
        self.workers = workers
        self.mounts: list[Any] = []
        self.errors: list[str] = []

    def run_in_thread(self, func: Any, *args: Any) -> Any:
        return asyncio.get_running_loop().run_in_executor(None, func, *args)

    def log_error(self, message: str, exc_info: Any = None) -> None:
        if self.strict:
            raise AssertionError(message)
        self.errors.append(message)


async def wait_until(condition: Any) -> None:
    """Yield to the loop until ``condition()`` holds (bounded: about 5 s)."""
    for _ in range(5000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition never became true")
