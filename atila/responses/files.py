"""File and Static: answer with a file from disk.

``context.File(path, mimetype=None, filename=None)`` sends any file the app
names; ``context.Static("img/logo.png")`` sends a file from the app's static
folders by its URL (documented under "Static").  Both answer conditional requests
(ETag / Last-Modified -> 304) and send the bytes with ``responder.sendfile``
(zero-copy where the protocol can).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from skitai.static.conditional import evaluate_preconditions
from skitai.static.files import guess_content_type, http_date, open_regular, resolve_path

from .base import Response, RunInThread
from .errors import HttpError

__all__ = ["File", "Static", "find_static"]

_CONDITIONAL_FIELDS = ("if-match", "if-none-match", "if-modified-since", "if-unmodified-since")


class File(Response):
    """A file answer; 404 when the file is missing when sent.

    Example:
        >>> File("/data/report.xlsx", filename="report.xlsx").filename
        'report.xlsx'
    """

    __slots__ = ("path", "mimetype", "filename", "_skip_body")

    one_write = False

    def __init__(self, path: str, mimetype: str | None = None, filename: str | None = None, status: Any = None) -> None:
        super().__init__(status, b"", None)
        self.path = os.fspath(path)
        self.mimetype = mimetype
        self.filename = filename
        self._skip_body = False

    def prepare(self, context: Any) -> None:
        try:
            st = os.stat(self.path)
        except OSError:
            raise HttpError(404, "file not found") from None
        if not os.path.isfile(self.path):
            raise HttpError(404, "file not found")
        etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
        mtime = st.st_mtime_ns // 1_000_000_000
        self.set_default_header("Content-Type", self.mimetype or guess_content_type(self.path))
        self.set_default_header("ETag", etag)
        self.set_default_header("Last-Modified", http_date(mtime))
        if self.filename:
            self.set_default_header("Content-Disposition", _disposition(self.filename))
        request = getattr(context, "request", None) if context is not None else None
        if request is not None and request.method in ("GET", "HEAD") and self.status in (None, 200):
            fields = {name: value for name in _CONDITIONAL_FIELDS if (value := request.get_header(name)) is not None}
            if fields:
                verdict = evaluate_preconditions(fields, etag, mtime)
                if verdict is not None:
                    self.status = verdict
                    self._skip_body = True
                    return
        self.set_header("Content-Length", str(st.st_size))

    async def send(self, responder: Any, run_in_thread: RunInThread) -> None:
        if self._skip_body:
            responder.respond(self.status or 304, self.headers, b"")
            return
        if self.get_header("Content-Length") is None:
            self.prepare(None)
        try:
            file = open_regular(os.path.realpath(self.path))
        except OSError:
            responder.respond(404, [("Content-Type", "text/plain; charset=utf-8")], b"file not found")
            return
        with file:
            size = os.fstat(file.fileno()).st_size
            responder.start(self.status or 200, self.headers)
            if size:
                await responder.sendfile(file, 0, size)
            responder.end()


def _disposition(filename: str) -> str:
    # RFC 6266: an ASCII fallback plus the exact UTF-8 name (RFC 8187).
    fallback = filename.encode("ascii", "replace").decode("ascii").replace('"', "_").replace("\\", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def find_static(statics: list[tuple[str, str]], url: str) -> str | None:
    """The file a static URL points at, or None.

    ``statics`` are ``(url_prefix, folder)`` pairs of the app; a relative ``url``
    ("img/logo.png") is taken under the first static prefix.
    """
    if not statics:
        return None
    if not url.startswith("/"):
        prefix = statics[0][0].rstrip("/")
        url = f"{prefix}/{url}"
    best: tuple[str, str] | None = None
    for prefix, folder in statics:
        base = prefix.rstrip("/")
        if url == base or url.startswith(base + "/"):
            if best is None or len(base) > len(best[0].rstrip("/")):
                best = (prefix, folder)
    if best is None:
        return None
    root = os.path.realpath(best[1])
    resolved = resolve_path(root, url[len(best[0].rstrip("/")) :])
    if resolved is None or not os.path.isfile(resolved[0]):
        return None
    return resolved[0]


class Static(File):
    """A file of the app's static folders, named by its URL."""

    __slots__ = ("url",)

    def __init__(self, url: str, statics: list[tuple[str, str]] | None = None, mimetype: str | None = None) -> None:
        self.url = url
        found = find_static(statics or [], url)
        super().__init__(found or "", mimetype)

    def prepare(self, context: Any) -> None:
        if not self.path:
            raise HttpError(404, f"no static file for {self.url}")
        super().prepare(context)
