"""The ``Engine`` a mount's ``startup`` receives when no Skitai worker serves it.

Two places run an Atila app without Skitai's server: the ASGI adapter (the app
under uvicorn or another ASGI server) and the in-memory test driver.  Both need
the same small engine: one worker, a private thread pool for
``run_in_thread`` and errors sent to the caller's logger.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from skitai.contract import Mount

__all__ = ["LocalEngine"]


class LocalEngine:
    """One worker's ``Engine`` on ``loop``; the owner shuts ``executor`` down."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        threads: int,
        mounts: list[Mount],
        debug: bool,
        *,
        thread_name_prefix: str,
        log: logging.Logger,
    ) -> None:
        self.loop = loop
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix=thread_name_prefix)
        self.mounts = mounts
        self.debug = debug
        self.worker_id = 0
        #: one process: the caller's (wsgi.multiprocess is False)
        self.workers = 1
        self._log = log

    def run_in_thread(self, func: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        return self.loop.run_in_executor(self.executor, func, *args)

    def log_error(self, message: str, exc_info: Any = None) -> None:
        self._log.error(message, exc_info=exc_info)
