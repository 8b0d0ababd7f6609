"""A static folder mounted on a URL prefix.

``StaticMount`` is tried before the apps mounted on the same prefix
(``priority = 0``) and answers ``NOT_FOUND`` for every path it has no file for,
so ``skitai.mount('/', './static')`` and ``skitai.mount('/', app)`` share ``/``
the documented way: a static file has priority over an app route.

Speed comes from doing as little as possible per request: one ``stat``, one
dict lookup for the cached validators (and content, for small files), one pass
over the request headers, and a single ``respond`` call; large files go out
with ``sendfile``.
"""

from __future__ import annotations

import os
import stat as stat_module
from typing import Any, BinaryIO, Iterable
from urllib.parse import quote

from ..contract import NOT_FOUND, HeaderList, Request, Responder
from .conditional import (
    CONDITIONAL_HEADERS,
    evaluate_preconditions,
    multipart_parts,
    new_boundary,
    select_ranges,
)
from .files import FileCache, FileInfo, is_regular, open_regular, resolve_path

__all__ = ["StaticMount"]

_ALLOWED = "GET, HEAD"
_TEXT = "text/plain; charset=utf-8"
# Characters RFC 3986 allows unescaped in a path; everything else is re-encoded.
_PATH_SAFE = "/!$&'()*+,;=:@-._~"


def _error(responder: Responder, status: int, message: str, extra: HeaderList | None = None) -> None:
    headers: HeaderList = [("content-type", _TEXT)]
    if extra:
        headers.extend(extra)
    responder.respond(status, headers, message.encode("utf-8"))


class StaticMount:
    """Serve the files under ``root`` at URL ``prefix``.

    Args:
        prefix: the URL prefix, e.g. ``"/static"`` (``"/"`` or ``""`` for the root).
        root: the folder to serve; must exist.
        name: optional name for cross-app lookups.
        max_ages: ``(url_prefix, seconds)`` pairs; the longest prefix matching a
            request's path sets ``Cache-Control: max-age=seconds``.

    Example:
        ``StaticMount("/static", "myapp/static", max_ages=[("/static/img", 86400)])``
    """

    #: static folders are tried before apps (priority 10) on the same prefix
    priority = 0
    # NOTE: None (the engine default), not 0: this mount never reads a body, and a
    # limit of 0 enforced before dispatch would refuse uploads meant for an app
    # that shares the prefix and gets the request after our NOT_FOUND.
    body_limit: int | None = None

    def __init__(
        self,
        prefix: str,
        root: str,
        name: str | None = None,
        max_ages: list[tuple[str, int]] | None = None,
        cache: FileCache | None = None,
        allow_origins: list[str] | None = None,
    ) -> None:
        real = os.path.realpath(root)
        if not os.path.isdir(real):
            raise NotADirectoryError(f"static root {root!r} is not a directory")
        self.prefix = prefix.rstrip("/")
        self.root = real
        self.name = name
        self.cache = cache if cache is not None else FileCache()
        self._max_ages: list[tuple[str, str]] = []
        for url_prefix, seconds in max_ages or ():
            self.set_max_age(url_prefix, seconds)
        #: pref.access_control_allow_origin: origins whose pages may read these files
        self.allow_origins = list(allow_origins or ())

    def __repr__(self) -> str:
        return f"<StaticMount {self.prefix or '/'!r} -> {self.root!r}>"

    # -- configuration ---------------------------------------------------------
    def set_max_age(self, url_prefix: str, seconds: int) -> None:
        """Send ``Cache-Control: max-age=seconds`` for paths under ``url_prefix``."""
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
            raise ValueError(f"max age for {url_prefix!r} must be a whole number of seconds >= 0, got {seconds!r}")
        url_prefix = url_prefix.rstrip("/")
        rules = [rule for rule in self._max_ages if rule[0] != url_prefix]
        rules.append((url_prefix, f"max-age={seconds}"))
        # Longest prefix first, so the first match is the most specific one.
        rules.sort(key=lambda rule: len(rule[0]), reverse=True)
        self._max_ages = rules

    def cache_control(self, path: str) -> str | None:
        """The Cache-Control value for a URL path, None when no rule matches."""
        for url_prefix, value in self._max_ages:
            if not url_prefix or path == url_prefix or path.startswith(url_prefix) and path[len(url_prefix)] == "/":
                return value
        return None

    def extra_headers(self, request: Request) -> HeaderList:
        """Cache-Control for the path and, for an allowed cross-origin page,
        ``Access-Control-Allow-Origin`` (a single-page app's ``dist`` folder is mounted
        with the pref that lists the origins)."""
        extra: HeaderList = []
        if self._max_ages:
            cache_control = self.cache_control(request.path)
            if cache_control is not None:
                extra.append(("cache-control", cache_control))
        if self.allow_origins:
            origin = request.headers.get("origin")
            if "*" in self.allow_origins:
                extra.append(("access-control-allow-origin", "*"))
            else:
                extra.append(("vary", "Origin"))
                if origin is not None and origin in self.allow_origins:
                    extra.append(("access-control-allow-origin", origin))
        return extra

    # -- Mount protocol --------------------------------------------------------
    async def startup(self, engine: Any) -> None:
        """Nothing to prepare: files are looked up and cached on first request."""

    async def shutdown(self) -> None:
        self.cache.clear()

    def watch_paths(self) -> Iterable[str]:
        # Served files need no reload: every hit is checked against a fresh stat.
        return ()

    def handle(self, request: Request, responder: Responder) -> Any:
        path_info = request.path_info
        if path_info and path_info[0] != "/":
            return NOT_FOUND
        resolved = resolve_path(self.root, path_info)
        if resolved is None:
            return NOT_FOUND
        real, segments, st = resolved
        if stat_module.S_ISDIR(st.st_mode):
            index = self._find_index(path_info)
            if index is None:
                return NOT_FOUND
            if not path_info.endswith("/"):
                if not self._allowed(request.method, responder):
                    return None
                return self._redirect_to_slash(request, segments, responder)
            real, st = index
        elif not is_regular(st) or path_info.endswith("/"):
            return NOT_FOUND
        if not self._allowed(request.method, responder):
            return None

        file: BinaryIO | None = None
        info = self.cache.lookup(real, st)
        try:
            if info is None and st.st_size <= self.cache.small_file_size:
                info = self.cache.load_small(real)
            if info is None or info.body is None:
                # Large file: validators come from the open file, so they describe
                # exactly the bytes sendfile will send.
                file = open_regular(real)
                info = self.cache.describe(real, os.fstat(file.fileno()))
        except PermissionError:
            _error(responder, 403, "403 Forbidden: the file is not readable")
            return None
        except OSError:
            return NOT_FOUND
        try:
            result = self._answer(request, responder, info, file)
        except BaseException:
            if file is not None:
                file.close()
            raise
        if result is None and file is not None:
            file.close()
        return result

    # -- helpers ---------------------------------------------------------------
    def _find_index(self, path_info: str) -> tuple[str, os.stat_result] | None:
        resolved = resolve_path(self.root, path_info + "/index.html")
        if resolved is None or not is_regular(resolved.stat):
            return None
        return resolved.path, resolved.stat

    def _allowed(self, method: str, responder: Responder) -> bool:
        if method == "GET" or method == "HEAD":
            return True
        _error(responder, 405, f"405 Method Not Allowed: static files answer {_ALLOWED}", [("allow", _ALLOWED)])
        return False

    def _redirect_to_slash(self, request: Request, segments: list[str], responder: Responder) -> None:
        # Built from the cleaned segments, never the raw target: "//evil.example"
        # must not become a protocol-relative Location (an open redirect).
        path = request.script_name.rstrip("/") + "/" + "".join(s + "/" for s in segments)
        location = quote(path, safe=_PATH_SAFE)
        if request.query:
            location += "?" + request.query
        _error(responder, 301, f"301 Moved Permanently: {location}", [("location", location)])

    def _answer(self, request: Request, responder: Responder, info: FileInfo, file: BinaryIO | None) -> Any:
        fields: dict[str, str] | None = None
        for key, value in request.headers.raw:
            if key in CONDITIONAL_HEADERS:
                if fields is None:
                    fields = {}
                # Repeated fields join as a list (RFC 9110 5.3); a repeated Range
                # then fails to parse and is ignored, as it should be.
                fields[key] = fields[key] + ", " + value if key in fields else value
        extra = self.extra_headers(request) if self._max_ages or self.allow_origins else []

        if fields is not None:
            status = evaluate_preconditions(fields, info.etag, info.mtime)
            if status == 304:
                # RFC 9110 15.4.5: the validators and Cache-Control a 200 would carry.
                headers: HeaderList = [("etag", info.etag), ("last-modified", info.last_modified), *extra]
                responder.respond(304, headers, b"")
                return None
            if status == 412:
                _error(responder, 412, "412 Precondition Failed: the file has changed")
                return None
            if request.method == "GET":
                ranges = select_ranges(fields, info.size, info.etag, info.last_modified)
                if ranges is not None:
                    return self._answer_ranges(responder, info, file, ranges, extra)

        headers = info.headers + extra if extra else info.headers
        if info.body is not None:
            responder.respond(200, headers, info.body)
            return None
        headers = headers + [("content-length", str(info.size))]
        if request.method == "HEAD":
            # The same head as GET; the engine sends no body for HEAD.
            responder.start(200, headers)
            responder.end()
            return None
        assert file is not None, "large files are opened before answering"
        return _stream(responder, file, 200, headers, [(0, info.size)])

    def _answer_ranges(
        self,
        responder: Responder,
        info: FileInfo,
        file: BinaryIO | None,
        ranges: list[tuple[int, int]],
        extra: HeaderList,
    ) -> Any:
        size = info.size
        if not ranges:
            _error(responder, 416, "416 Range Not Satisfiable", [("content-range", f"bytes */{size}")])
            return None
        headers: HeaderList = [h for h in info.headers if h[0] != "content-type"]
        headers.extend(extra)
        if len(ranges) == 1:
            first, last = ranges[0]
            headers.append(("content-type", info.content_type))
            headers.append(("content-range", f"bytes {first}-{last}/{size}"))
            pieces: list[bytes | tuple[int, int]] = [(first, last - first + 1)]
        else:
            boundary = new_boundary()
            headers.append(("content-type", f"multipart/byteranges; boundary={boundary}"))
            pieces = list(multipart_parts(ranges, size, info.content_type, boundary))
        if info.body is not None:
            body = info.body
            responder.respond(
                206,
                headers,
                b"".join(
                    piece if isinstance(piece, bytes) else body[piece[0] : piece[0] + piece[1]] for piece in pieces
                ),
            )
            return None
        assert file is not None, "large files are opened before answering"
        length = sum(len(p) if isinstance(p, bytes) else p[1] for p in pieces)
        headers.append(("content-length", str(length)))
        return _stream(responder, file, 206, headers, pieces)


async def _stream(
    responder: Responder, file: BinaryIO, status: int, headers: HeaderList, pieces: list[bytes | tuple[int, int]]
) -> None:
    """Send a large file (or parts of it) with sendfile; the file is closed at the end."""
    try:
        responder.start(status, headers)
        for piece in pieces:
            if isinstance(piece, bytes):
                await responder.write(piece)
            else:
                await responder.sendfile(file, piece[0], piece[1])
        responder.end()
    finally:
        file.close()
