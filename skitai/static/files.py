"""Files under a static root: safe path resolution, MIME types, validators and a
small per-worker cache.

Resolution is the security boundary of the static mount, so it is strict and
done in two independent steps: the URL path is split into segments and refused
outright when it carries anything a file name never needs (``..``, NUL, a
backslash, undecodable bytes), then the joined path is resolved with
``os.path.realpath`` and must still lie under the real root, which also stops
symlinks that point out of it.

The cache exists for speed: a small file (the common CSS/JS/icon case) is
answered from memory with one ``respond`` call, and every file's validators
(ETag, Last-Modified, Content-Type) are formatted once rather than per request.
Entries are validated against a fresh ``stat`` on every use, so an edited file
is never served stale.
"""

from __future__ import annotations

import mimetypes
import os
import stat as stat_module
from email.utils import formatdate
from typing import BinaryIO, NamedTuple

__all__ = [
    "SMALL_FILE_SIZE",
    "FileInfo",
    "FileCache",
    "Resolved",
    "resolve_path",
    "open_regular",
    "is_regular",
    "guess_content_type",
    "http_date",
]

#: files up to this size are kept in memory and answered in one write
SMALL_FILE_SIZE = 64 * 1024

# NOTE: the platform's mime.types differs between hosts (and Python 3.11 still
# maps .js to application/javascript); the types browsers are strict about are
# fixed here so a static site behaves the same everywhere.
_WEB_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".webmanifest": "application/manifest+json",
}

# Types that are text but not text/* (RFC 6838 wants the charset stated for them too).
_TEXTUAL_TYPES = frozenset(
    {"application/json", "application/xml", "application/javascript", "image/svg+xml", "application/manifest+json"}
)

_DEFAULT_TYPE = "application/octet-stream"


def guess_content_type(path: str) -> str:
    """Content-Type for a file name; text types carry ``charset=utf-8``."""
    ext = os.path.splitext(path)[1].lower()
    mime = _WEB_TYPES.get(ext)
    if mime is None:
        mime, encoding = mimetypes.guess_type(path, strict=False)
        # NOTE: "x.tar.gz" guesses application/x-tar with encoding gzip; sending that
        # type would make clients unpack it, so a compressed file is plain bytes.
        if mime is None or encoding is not None:
            return _DEFAULT_TYPE
    if mime.startswith("text/") or mime in _TEXTUAL_TYPES:
        return mime + "; charset=utf-8"
    return mime


def http_date(timestamp: float) -> str:
    """IMF-fixdate (RFC 9110 5.6.7), e.g. ``Sun, 06 Nov 1994 08:49:37 GMT``."""
    return formatdate(timestamp, usegmt=True)


class Resolved(NamedTuple):
    """A file system entry found under the root for a URL path."""

    path: str  # real path: no symlink, "." or ".." in it
    segments: list[str]  # the clean URL segments that named it
    stat: os.stat_result


def resolve_path(root: str, path_info: str) -> Resolved | None:
    """Find the entry a decoded URL path names under ``root``.

    ``root`` must already be a real path (``os.path.realpath``).  Returns None
    when the path is unsafe, points outside the root or names nothing; None
    means "this folder has nothing there", never an error to explain to a
    probing client.

    Example:
        ``resolve_path("/srv/www", "/css/site.css").path == "/srv/www/css/site.css"``
    """
    if "\x00" in path_info or "\\" in path_info:
        return None
    if not path_info.isascii():
        try:
            # Undecodable bytes arrive as lone surrogates (surrogateescape);
            # overlong UTF-8 such as %c0%ae is one of them.
            path_info.encode("utf-8")
        except UnicodeEncodeError:
            return None
    segments: list[str] = []
    # Empty and "." segments are dropped, so "//etc/passwd" stays under the root.
    for segment in path_info.split("/"):
        if segment == "..":
            return None
        if segment and segment != ".":
            segments.append(segment)
    # PERF: os.path.realpath lstat()s every component from "/" (about 10x the cost
    # of this loop); the root is known to be real, so only the components below it
    # are checked, and a symlink among them sends us to realpath after all.
    path = root.rstrip(os.sep)
    try:
        if not segments:
            return Resolved(root, segments, os.stat(root))
        for segment in segments:
            path = path + os.sep + segment
            st = os.lstat(path)
            if stat_module.S_ISLNK(st.st_mode):
                return _resolve_links(root, segments)
    except (OSError, ValueError):
        return None
    return Resolved(path, segments, st)


def _resolve_links(root: str, segments: list[str]) -> Resolved | None:
    """The slow path for URL paths through symlinks: they must end under the root."""
    real = os.path.realpath(os.path.join(root, *segments))
    inside = root if root.endswith(os.sep) else root + os.sep
    if real != root and not real.startswith(inside):
        return None
    try:
        return Resolved(real, segments, os.stat(real))
    except (OSError, ValueError):
        return None


class FileInfo:
    """What the static mount sends for one version of one file.

    ``headers`` are the representation headers shared by 200, 206 and HEAD
    answers; ``body`` is the content for small files and None for large ones.
    """

    __slots__ = (
        "path",
        "size",
        "mtime_ns",
        "inode",
        "etag",
        "last_modified",
        "mtime",
        "content_type",
        "headers",
        "body",
    )

    def __init__(self, path: str, st: os.stat_result, body: bytes | None) -> None:
        self.path = path
        # NOTE: a file truncated while being read is described by the bytes held;
        # its size then differs from the next stat, so it is read again.
        self.size = len(body) if body is not None else st.st_size
        self.mtime_ns = st.st_mtime_ns
        self.inode = st.st_ino
        self.mtime = st.st_mtime_ns // 1_000_000_000
        # A strong validator: nanosecond mtime and size change with every write
        # (the same recipe as nginx's, with finer time), so it is safe for If-Range.
        self.etag = f'"{self.mtime_ns:x}-{self.size:x}"'
        self.last_modified = http_date(self.mtime)
        self.content_type = guess_content_type(path)
        self.body = body
        self.headers: list[tuple[str, str]] = [
            ("content-type", self.content_type),
            ("etag", self.etag),
            ("last-modified", self.last_modified),
            ("accept-ranges", "bytes"),
            ("x-content-type-options", "nosniff"),
        ]

    def matches(self, st: os.stat_result) -> bool:
        """True when ``st`` describes the same version of the file."""
        return st.st_mtime_ns == self.mtime_ns and st.st_size == self.size and st.st_ino == self.inode


def is_regular(st: os.stat_result) -> bool:
    # NOTE: FIFOs and devices are never served: opening a FIFO blocks the loop.
    return stat_module.S_ISREG(st.st_mode)


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def open_regular(path: str) -> BinaryIO:
    """Open a resolved file for reading, refusing anything but a regular file.

    ``path`` is a realpath, so its last component is no symlink; O_NOFOLLOW keeps
    it that way if one is swapped in after resolution, and O_NONBLOCK keeps a
    FIFO swapped in from blocking the loop (it is then refused by the fstat).
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        if not is_regular(os.fstat(fd)):
            raise FileNotFoundError(f"not a regular file: {path}")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class FileCache:
    """Per-worker cache of ``FileInfo`` by real path, bounded in entries and bytes.

    Eviction is first-in first-out: static sets are small and hot, and FIFO
    costs nothing on a hit, which is the path being optimised.
    """

    def __init__(
        self, max_entries: int = 4096, max_bytes: int = 32 * 1024 * 1024, small_file_size: int = SMALL_FILE_SIZE
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.small_file_size = small_file_size
        self._entries: dict[str, FileInfo] = {}
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def cached_bytes(self) -> int:
        return self._bytes

    def lookup(self, path: str, st: os.stat_result) -> FileInfo | None:
        """The cached info for this version of ``path``, if any."""
        info = self._entries.get(path)
        if info is not None and info.matches(st):
            return info
        return None

    def load_small(self, path: str) -> FileInfo | None:
        """Read a small file whole and cache it; None if it grew past the limit.

        Size and time come from ``fstat`` of the open file, so the cached
        validators always describe the bytes actually read.
        """
        with open_regular(path) as file:
            st = os.fstat(file.fileno())
            if st.st_size > self.small_file_size:
                return None
            body = file.read(st.st_size)
        info = FileInfo(path, st, body)
        return self.store(info) if info.size == st.st_size else info

    def describe(self, path: str, st: os.stat_result) -> FileInfo:
        """Info without content for a large file (validators only)."""
        return self.lookup(path, st) or self.store(FileInfo(path, st, None))

    def store(self, info: FileInfo) -> FileInfo:
        weight = len(info.body) if info.body is not None else 0
        if weight > self.max_bytes:
            return info
        old = self._entries.pop(info.path, None)
        if old is not None and old.body is not None:
            self._bytes -= len(old.body)
        entries = self._entries
        while entries and (len(entries) >= self.max_entries or self._bytes + weight > self.max_bytes):
            evicted = entries.pop(next(iter(entries)))
            if evicted.body is not None:
                self._bytes -= len(evicted.body)
        entries[info.path] = info
        self._bytes += weight
        return info

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
