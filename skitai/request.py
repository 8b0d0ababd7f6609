"""The request a mount receives: protocol-neutral, built once per request by the
protocol that parsed it (HTTP/1.1 now) and never copied on the way to the app.

These are the only concrete classes of the engine/mount contract; the rest of
it, types only, is :mod:`skitai.contract` (which re-exports both).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from .contract import Body

__all__ = ["Headers", "Request", "HeaderList"]

HeaderList = list[tuple[str, str]]


class Headers:
    """Request header fields, names lower-cased, values as received (latin-1).

    Kept as a list because requests carry few fields and order and duplicates
    matter (RFC 9110 5.3); lookups scan, which beats building a dict per request.
    """

    __slots__ = ("raw",)

    def __init__(self, raw: HeaderList | None = None) -> None:
        self.raw: HeaderList = raw if raw is not None else []

    def get(self, name: str, default: str | None = None) -> str | None:
        name = name.lower()
        for key, value in self.raw:
            if key == name:
                return value
        return default

    def getall(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.raw if key == name]

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def items(self) -> HeaderList:
        return list(self.raw)

    def keys(self) -> list[str]:
        return [key for key, _ in self.raw]

    def __repr__(self) -> str:
        return f"Headers({self.raw!r})"


class Request:
    """One parsed request, protocol-neutral.

    ``path`` is percent-decoded and UTF-8 decoded with ``surrogateescape`` (so the
    original bytes survive for WSGI's latin-1 view); ``raw_path`` is the bytes on
    the wire.  ``script_name``/``path_info`` are set by the mount table and follow
    PEP 3333: ``script_name`` never ends with a slash.  ``mount`` is the mount
    being tried and ``state`` a per-request dict for the mount's own use.
    """

    __slots__ = (
        "method",
        "raw_path",
        "path",
        "query",
        "version",
        "headers",
        "scheme",
        "client",
        "server",
        "script_name",
        "path_info",
        "body",
        "state",
        "mount",
    )

    def __init__(
        self,
        method: str,
        raw_path: bytes,
        path: str,
        query: str,
        version: str,
        headers: Headers,
        scheme: str,
        client: tuple[str, int] | None,
        server: tuple[str, int] | None,
        body: Body,
    ) -> None:
        self.method = method
        self.raw_path = raw_path
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.scheme = scheme
        self.client = client
        self.server = server
        self.body = body
        self.script_name = ""
        self.path_info = path
        self.state: dict[str, Any] = {}
        self.mount: Any = None

    @property
    def host(self) -> str:
        return self.headers.get("host") or (self.server[0] if self.server else "")

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.path!r}>"
