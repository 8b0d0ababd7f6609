"""Uploaded files and the multipart/form-data parser that produces them.

Parts are parsed as the body arrives (python-multipart), so a large upload is
never held in memory: file parts go to a ``SpooledTemporaryFile`` that moves to
disk past ``SPOOL_LIMIT`` bytes.  Handlers receive :class:`UploadedFile`
objects (documented under "File Upload": ``path, name, size, mimetype, ext, read(),
move(), save(), remove()``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header

__all__ = ["UploadedFile", "MultipartReader", "SPOOL_LIMIT"]

SPOOL_LIMIT = 1024 * 1024


class UploadedFile:
    """One file part of a multipart body.

    ``path`` is a real file on disk (written on first access when the upload
    was small enough to stay in memory); it is removed at the end of the request
    unless the handler moved or saved it somewhere.
    """

    def __init__(self, name: str, mimetype: str, spool: Any, size: int) -> None:
        self.name = name
        self.mimetype = mimetype or "application/octet-stream"
        self.size = size
        self._spool = spool
        self._path: str | None = None

    @property
    def ext(self) -> str:
        """The extension of the original name, without the dot ("" when none)."""
        return os.path.splitext(self.name)[1][1:].lower()

    @property
    def path(self) -> str:
        if self._path is None:
            fd, path = tempfile.mkstemp(prefix="atila-upload-")
            with os.fdopen(fd, "wb") as out:
                self._spool.seek(0)
                shutil.copyfileobj(self._spool, out)
            self._spool.close()
            self._path = path
        return self._path

    def read(self, size: int = -1) -> bytes:
        if self._path is not None:
            with open(self._path, "rb") as file:
                return file.read(size)
        self._spool.seek(0)
        data: bytes = self._spool.read(size)
        return data

    def move(self, to: str) -> str:
        """Move the upload to the file path ``to``; returns it."""
        shutil.move(self.path, to)
        self._path = to
        return to

    def save(self, into: str, name: str | None = None, mkdir: bool = False, dup: str = "u") -> str:
        """Store the upload in folder ``into`` as ``name`` (the original name by default).

        ``dup="u"`` makes a unique name when the file exists, ``"o"`` overwrites.
        The file name is reduced to its last component, so a client cannot pick
        another folder ("../../etc/passwd" becomes "passwd").

        Raises:
            ValueError: an unknown ``dup`` or an empty file name.
        """
        if dup not in ("u", "o"):
            raise ValueError(f"dup must be 'u' (unique) or 'o' (overwrite), got {dup!r}")
        if mkdir:
            os.makedirs(into, exist_ok=True)
        filename = os.path.basename((name or self.name).replace("\\", "/"))
        if not filename or filename in (".", ".."):
            raise ValueError("an uploaded file needs a name to be saved")
        target = os.path.join(into, filename)
        if dup == "u":
            stem, ext = os.path.splitext(filename)
            count = 0
            while os.path.exists(target):
                count += 1
                target = os.path.join(into, f"{stem}.{count}{ext}")
        return self.move(target)

    def remove(self) -> None:
        if self._path is not None:
            if os.path.exists(self._path) and os.path.basename(self._path).startswith("atila-upload-"):
                os.remove(self._path)
        else:
            self._spool.close()

    def cleanup(self) -> None:
        """End of request: drop the temporary copy if nobody kept it."""
        if self._path is None:
            self._spool.close()
        elif os.path.basename(self._path).startswith("atila-upload-") and os.path.exists(self._path):
            os.remove(self._path)

    def __repr__(self) -> str:
        return f"<UploadedFile {self.name!r} {self.mimetype} {self.size} bytes>"


class MultipartReader:
    """Feed body chunks with :meth:`feed`; :meth:`finish` returns the form fields
    (str values) and files (:class:`UploadedFile`), repeated names as lists.

    Raises:
        ValueError: a content type without boundary or a malformed body.
    """

    def __init__(self, content_type: str, max_fields: int = 1000) -> None:
        _, params = parse_options_header(content_type)
        boundary = params.get(b"boundary")
        if not boundary:
            raise ValueError("multipart body without boundary")
        self.fields: dict[str, Any] = {}
        self.files: list[UploadedFile] = []
        self._max_fields = max_fields
        self._count = 0
        self._headers: dict[bytes, bytes] = {}
        self._header_name = b""
        self._header_value = b""
        self._data: list[bytes] = []
        self._spool: Any = None
        self._size = 0
        self._parser = MultipartParser(
            boundary,
            callbacks={
                "on_part_begin": self._part_begin,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value_cb,
                "on_header_end": self._header_end,
            },
        )

    def feed(self, chunk: bytes) -> None:
        self._parser.write(chunk)

    def finish(self) -> dict[str, Any]:
        self._parser.finalize()
        return self.fields

    def _part_begin(self) -> None:
        self._headers = {}
        self._data = []
        self._spool = None
        self._size = 0
        self._count += 1
        if self._count > self._max_fields:
            raise ValueError(f"too many multipart fields (limit {self._max_fields})")

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_cb(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name = b""
        self._header_value = b""

    def _disposition(self) -> tuple[str, str | None]:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = params.get(b"name")
        if name is None:
            raise ValueError("multipart part without a name")
        filename = params.get(b"filename")
        return name.decode("utf-8", "replace"), None if filename is None else filename.decode("utf-8", "replace")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        piece = data[start:end]
        self._size += len(piece)
        if self._spool is None and b"filename=" in self._headers.get(b"content-disposition", b""):
            self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_LIMIT)
        if self._spool is not None:
            self._spool.write(piece)
        else:
            self._data.append(piece)

    def _part_end(self) -> None:
        name, filename = self._disposition()
        value: Any
        if filename is not None:
            spool = self._spool or tempfile.SpooledTemporaryFile(max_size=SPOOL_LIMIT)
            if not filename and self._size == 0:
                # NOTE: browsers send an empty file part when no file was chosen.
                spool.close()
                value = None
            else:
                content_type = self._headers.get(b"content-type", b"").decode("latin-1")
                value = UploadedFile(filename, content_type, spool, self._size)
                self.files.append(value)
        else:
            value = b"".join(self._data).decode("utf-8", "replace")
        if value is None:
            return
        existing = self.fields.get(name)
        if existing is None:
            self.fields[name] = value
        elif isinstance(existing, list):
            existing.append(value)
        else:
            self.fields[name] = [existing, value]
