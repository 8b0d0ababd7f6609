"""Apps' own log records (Python ``logging``) in the engine's error log.

Atila logs a failed request (the 500's traceback) through ``logging``; so do
most libraries.  When the process has not configured logging itself (the root
logger has no handler), each worker routes warnings and errors of the
``atila`` logger and the root logger into its :class:`skitai.logs.Logs`: the
lines land in ``error.log`` in daemon mode, and carry the request id like the
engine's own lines.  A process that configures logging keeps full control.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["LogsHandler", "route_app_logs"]


class LogsHandler(logging.Handler):
    """Writes records to a ``Logs`` (errors with their traceback)."""

    def __init__(self, logs: Any) -> None:
        super().__init__(logging.WARNING)
        self.logs = logs

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = f"{record.name}: {record.getMessage()}"
        except Exception:
            message = f"{record.name}: {record.msg!r}"
        if record.levelno >= logging.ERROR:
            self.logs.error(message, exc_info=record.exc_info)
        else:
            self.logs.info(f"[{record.levelname.lower()}] {message}")


def route_app_logs(logs: Any) -> None:
    """Install (or re-point) the handler on the root logger, unless logging is configured."""
    root = logging.getLogger()
    ours = [handler for handler in root.handlers if isinstance(handler, LogsHandler)]
    if ours:
        for handler in ours:
            handler.logs = logs
        return
    if root.handlers:
        return  # the app (or a test runner) configured logging: leave it alone
    root.addHandler(LogsHandler(logs))
