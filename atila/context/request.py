"""The request as a handler sees it: ``context.request`` (documented
under "Request Object").

A read-only view over the engine's :class:`skitai.contract.Request`.  Nothing
is parsed until asked for (PERF: a handler that never touches the query string
never pays for it): query, form, JSON, the environ dict and the Accept list are
each built on first access and kept.

The body is read by the pipeline before a handler runs (on the loop, within
the mount's size limit), so ``request.body``, ``json()`` and ``form()`` work
the same in ``def`` and ``async def`` handlers.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import orjson

from skitai.attraccess import AttrAccess
from skitai.contract import Request as EngineRequest
from skitai.environ import request_environ

from ..compat import RequestAliases
from ..responses.errors import HttpError
from ..security.surface import RequestSecurity
from .uploads import MultipartReader, UploadedFile

__all__ = ["Request", "Bag", "parse_query"]

MAX_FIELDS = 1000
_SPLIT_URI = re.compile(r"([^;?#]*)(;[^?#]*)?(\?[^#]*)?(#.*)?")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Bag(AttrAccess, dict[str, Any]):
    """A dict with attribute access (``request.g.user = ...``, ``args.limit``)
    that can also be called like ``get`` (``was.request.args('token')``)."""

    def __call__(self, name: str, default: Any = None) -> Any:
        return self.get(name, default)


def parse_query(text: str) -> Bag:
    """``a=1&a=2&b=`` -> ``{"a": ["1", "2"], "b": ""}`` (blank values kept).

    Raises:
        HttpError: 400 past ``MAX_FIELDS`` fields.
    """
    result = Bag()
    if not text:
        return result
    if "%" not in text and "+" not in text and ";" not in text:
        # PERF: most query strings need no decoding; split them directly.
        if "&" not in text:
            key, _, value = text.partition("=")
            if key or value:
                result[key] = value
            return result
        parts = text.split("&")
        if len(parts) > MAX_FIELDS:
            raise HttpError(400, f"query string: too many fields (limit {MAX_FIELDS})")
        pairs = [(key, value) for key, _, value in (part.partition("=") for part in parts) if key or value]
    else:
        try:
            pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="replace")
        except ValueError as exc:
            raise HttpError(400, f"query string: {exc}") from None
    for key, value in pairs:
        existing = result.get(key)
        if existing is None:
            result[key] = value
        elif isinstance(existing, list):
            existing.append(value)
        else:
            result[key] = [existing, value]
    return result


def parse_json(body: bytes) -> Any:
    """Raises HttpError 400 naming the problem (orjson refuses nesting past 1024 levels)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise HttpError(400, f"invalid JSON body: {exc}") from None
    except RecursionError:
        raise HttpError(400, "invalid JSON body: nested too deeply") from None


class Request(RequestSecurity, RequestAliases):
    """``context.request``.  The security values (``cookie``, ``session``,
    ``JWT``, ``user``...) come from :class:`~atila.security.surface.RequestSecurity`;
    an app's own request-scoped extensions are looked up on first use."""

    __slots__ = (
        "_req",
        "_context",
        "_rule",
        "PARAMS",
        "_query",
        "_body",
        "_data",
        "_loaded",
        "_files",
        "_bound",
        "_env",
        "_g",
        "_accept",
        "__dict__",
    )

    def __init__(
        self, req: EngineRequest, context: Any, rule: Any = None, params: dict[str, Any] | None = None
    ) -> None:
        self._req = req
        self._context = context
        self._rule = rule
        self.PARAMS = params if params is not None else {}
        self._query: Bag | None = None
        self._body: bytes | None = None
        self._data: Any = None
        self._loaded = False
        self._files: list[UploadedFile] = []
        self._bound: dict[str, Any] | None = None
        self._env: dict[str, Any] | None = None
        self._g: Bag | None = None
        self._accept: list[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._context.extension(name, owner=self)

    # -- basic members ---------------------------------------------------------
    @property
    def method(self) -> str:
        return self._req.method

    @property
    def version(self) -> str:
        return self._req.version

    @property
    def scheme(self) -> str:
        return self._req.scheme

    @property
    def headers(self) -> Any:
        return self._req.headers

    @property
    def path(self) -> str:
        return self._req.path

    @property
    def query(self) -> str:
        return self._req.query

    @property
    def uri(self) -> str:
        raw = self._req.raw_path.decode("latin-1")
        return f"{raw}?{self._req.query}" if self._req.query else raw

    @property
    def host(self) -> str:
        return self._req.host

    @property
    def engine_request(self) -> Any:
        """The engine's request (for adapters that need the raw body stream)."""
        return self._req

    @property
    def g(self) -> Bag:
        """Per-request scratch space (documented under "App & Request Global")."""
        if self._g is None:
            self._g = Bag()
        return self._g

    # -- route -----------------------------------------------------------------
    @property
    def routed(self) -> Any:
        return self._rule.func if self._rule is not None else None

    @property
    def routable(self) -> dict[str, Any]:
        if self._rule is None:
            return {}
        info = dict(self._rule.routable)
        info["mntopt"] = self._context.app.mount_options_of(self._rule)
        return info

    def split_uri(self) -> tuple[str | None, ...]:
        """``(path, ;params, ?query, #fragment)`` of the request target."""
        found = _SPLIT_URI.match(self.uri)
        return found.groups() if found else (self.uri, None, None, None)

    # -- headers ---------------------------------------------------------------
    def get_header(self, name: str, default: Any = None) -> Any:
        return self._req.headers.get(name, default)

    def get_headers(self) -> list[tuple[str, str]]:
        return self._req.headers.items()

    def get_remote_addr(self) -> str:
        client = self._req.client
        return client[0] if client else ""

    def get_user_agent(self) -> str | None:
        return self._req.headers.get("user-agent")

    def get_content_type(self) -> str | None:
        value = self._req.headers.get("content-type")
        return value.split(";", 1)[0].strip().lower() if value else None

    def get_main_type(self) -> str | None:
        media = self.get_content_type()
        return media.split("/", 1)[0] if media else None

    def get_sub_type(self) -> str | None:
        media = self.get_content_type()
        return media.split("/", 1)[1] if media and "/" in media else None

    @property
    def acceptables(self) -> list[str]:
        """Media types of ``Accept``, best first (q-values, RFC 9110 12.5.1)."""
        if self._accept is None:
            ranked: list[tuple[float, int, str]] = []
            for index, part in enumerate((self._req.headers.get("accept") or "").split(",")):
                media, _, params = part.strip().partition(";")
                quality = 1.0
                for param in params.split(";"):
                    key, _, value = param.strip().partition("=")
                    if key == "q":
                        try:
                            quality = float(value)
                        except ValueError:
                            quality = 0.0
                if media and quality > 0:
                    ranked.append((-quality, index, media.strip().lower()))
            self._accept = [media for _, _, media in sorted(ranked)]
        return self._accept

    def acceptable(self, media: str) -> bool:
        """True when ``media`` is one of the accepted types (wildcards count)."""
        media = media.lower()
        main = media.split("/", 1)[0] + "/*"
        return any(item in (media, main, "*/*") for item in self.acceptables)

    # -- environ ---------------------------------------------------------------
    @property
    def env(self) -> dict[str, Any]:
        """The request half of a WSGI environ (PEP 3333 names), built on first use
        by the same builder as the WSGI mount's (:mod:`skitai.environ`)."""
        if self._env is None:
            self._env = request_environ(self._req)
        return self._env

    # -- body ------------------------------------------------------------------
    @property
    def has_body(self) -> bool:
        length = self._req.body.length
        return length is None or length > 0

    async def load_body(self) -> None:
        """Read the whole body now (on the loop); multipart parts are parsed as they
        arrive and file parts spooled to disk.

        Raises:
            HttpError: 400 for a malformed multipart body; the engine's own
                errors (413 too large, 408 too slow) pass through.
        """
        if self._loaded:
            return
        body = self._req.body
        content_type = self._req.headers.get("content-type") or ""
        if content_type[:19].lower() == "multipart/form-data":
            try:
                reader = MultipartReader(content_type, MAX_FIELDS)
            except ValueError as exc:
                raise HttpError(400, f"multipart body: {exc}") from None
            self._files = reader.files
            try:
                async for chunk in body:
                    reader.feed(chunk)
                fields = reader.finish()
            except ValueError as exc:
                raise HttpError(400, f"multipart body: {exc}") from None
            self._data = Bag(fields)
            self._body = b""
        else:
            self._body = await body.read()
        self._loaded = True

    async def read_body(self) -> bytes:
        await self.load_body()
        return self._body or b""

    @property
    def body(self) -> bytes:
        if not self._loaded:
            # NOTE: only reachable from a worker thread (the pipeline loads bodies
            # before handlers run, except for input_stream routes).
            self._body = self._req.body.read_sync()
            self._loaded = True
        return self._body or b""

    def _parsed_body(self) -> Any:
        if self._data is None:
            media = self.get_content_type() or ""
            raw = self.body
            if self._data is not None:
                return self._data
            if media == "application/json" or media.endswith("+json"):
                self._data = parse_json(raw) if raw else Bag()
                if isinstance(self._data, dict) and not isinstance(self._data, Bag):
                    self._data = Bag(self._data)
            elif media == "application/x-www-form-urlencoded":
                self._data = parse_query(raw.decode("utf-8", "replace"))
            else:
                self._data = Bag()
        return self._data

    def json(self) -> Any:
        """The body decoded from JSON (400 naming the problem when it is not JSON)."""
        media = self.get_content_type() or ""
        if media == "application/json" or media.endswith("+json"):
            return self._parsed_body()
        return parse_json(self.body) if self.body else None

    def form(self) -> Bag:
        """Form fields (urlencoded or multipart, files included); empty for other bodies."""
        media = self.get_content_type() or ""
        if media in ("application/x-www-form-urlencoded", "multipart/form-data"):
            fields: Bag = self._parsed_body()
            return fields
        return Bag()

    def dict(self) -> Any:
        """The body as a dict when it is a form or a JSON object, else None."""
        data = self._parsed_body()
        return data if isinstance(data, dict) else None

    @property
    def files(self) -> list[UploadedFile]:
        return self._files

    # -- parameter groups (documented under "Getting Parameters") -------------
    @property
    def URL(self) -> Bag:
        if self._query is None:
            self._query = parse_query(self._req.query)
        return self._query

    @property
    def FORM(self) -> Bag:
        return self.form()

    @property
    def JSON(self) -> Any:
        media = self.get_content_type() or ""
        return self._parsed_body() if media == "application/json" or media.endswith("+json") else Bag()

    @property
    def DATA(self) -> Any:
        return self._parsed_body() if (self._loaded or self._req.method in _BODY_METHODS) else Bag()

    @property
    def DEFAULT(self) -> Bag:
        return Bag(self._rule.spec.defaults) if self._rule is not None else Bag()

    @property
    def ARGS(self) -> Bag:
        """Every parameter: defaults, query, body, path, then the bound (converted) values."""
        merged = Bag(self.DEFAULT)
        merged.update(self.URL)
        data = self.DATA
        if isinstance(data, dict):
            merged.update(data)
        merged.update(self.PARAMS)
        if self._bound:
            merged.update(self._bound)
        return merged

    def cleanup(self) -> None:
        """End of request: remove temporary upload files nobody kept."""
        for upload in self._files:
            upload.cleanup()

    def __repr__(self) -> str:
        return f"<Request {self._req.method} {self.uri!r}>"
