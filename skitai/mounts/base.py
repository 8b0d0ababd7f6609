"""What the WSGI and ASGI mounts share: the mount fields and the error answer.

Both wrap a foreign app on a URL prefix, so both need the same ``Mount``
attributes, the same reload bookkeeping and the same way of turning an
exception the app raised before answering into a short plain-text response.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from ..contract import Engine, HeaderList, Responder
from ..errors import HTTPError, reason_phrase

__all__ = ["AppMount", "answer_error", "error_response"]

log = logging.getLogger(__name__)


def error_response(exc: Exception) -> tuple[int, HeaderList, bytes]:
    """A short plain-text answer; details only for the client's own errors."""
    if isinstance(exc, HTTPError):
        status, detail = exc.status, exc.detail
    else:
        status, detail = 500, reason_phrase(500)
    body = f"{status} {reason_phrase(status)}: {detail}\n".encode()
    return status, [("Content-Type", "text/plain; charset=utf-8")], body


def answer_error(responder: Responder, exc: Exception, engine: Engine | None, what: str) -> None:
    """Answer a failed request that has not started; log it unless it is the client's fault."""
    if not isinstance(exc, HTTPError):
        if engine is not None:
            engine.log_error(what, exc_info=exc)
        else:
            log.error(what, exc_info=exc)
    responder.respond(*error_response(exc))


class AppMount:
    """The ``Mount`` fields of a foreign app on a URL prefix; subclasses serve it."""

    #: foreign apps answer every path, so they go after static folders and Atila apps
    priority = 20

    def __init__(self, prefix: str, app: Any, name: str | None = None, body_limit: int | None = None) -> None:
        self.prefix = prefix
        self.app = app
        self.name = name
        self.body_limit = body_limit
        #: files and folders the reloader watches (the loader fills this in)
        self.sources: list[str] = []
        self._engine: Engine | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.prefix or '/'} {self.app!r}>"

    async def startup(self, engine: Engine) -> None:
        self._engine = engine

    async def shutdown(self) -> None:
        self._engine = None

    def watch_paths(self) -> Iterable[str]:
        return list(self.sources)
