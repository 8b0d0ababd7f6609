"""An error worth logging once, not once per request: at most one line a second."""

from __future__ import annotations

import logging
import threading
import time

__all__ = ["ThrottledLog"]


class ThrottledLog:
    def __init__(self, logger: logging.Logger, interval: float = 1.0) -> None:
        self.logger = logger
        self.interval = interval
        self._last = 0.0
        self.suppressed = 0
        self._lock = threading.Lock()

    def error(self, message: str, *args: object) -> bool:
        """Log unless a line went out less than ``interval`` ago; True when logged."""
        now = time.monotonic()
        with self._lock:
            if now - self._last < self.interval:
                self.suppressed += 1
                return False
            self._last, suppressed, self.suppressed = now, self.suppressed, 0
        if suppressed:
            message += f" ({suppressed} more since the last report)"
        self.logger.error(message, *args)
        return True
