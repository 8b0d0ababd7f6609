"""The one interface between the engine and whatever is mounted on it.

Every mounted thing (an Atila app, a static folder, a WSGI or an ASGI app) is a
``Mount``: the engine hands it a parsed :class:`Request` and a :class:`Responder`
and the mount answers through the responder.  Nothing else crosses the line, so
the protocols (HTTP/1.1 now, HTTP/2 and WebSocket later) never know what kind of
app they serve, and apps never touch sockets.

Why push (responder) instead of "return a response object": a single call
``responder.respond(status, headers, body)`` lets the protocol build the head and
body into one write, which is the fastest path, while ``start``/``write``/``end``
covers streaming and ``sendfile`` covers zero-copy files, all with the same API.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Iterable, Protocol, runtime_checkable

__all__ = [
    "NOT_FOUND",
    "Headers",
    "Request",
    "Body",
    "Responder",
    "Mount",
    "Engine",
    "HeaderList",
]

HeaderList = list[tuple[str, str]]


class _NotFound:
    """Returned by ``Mount.handle`` when the mount has nothing for the path.

    The mount table then tries the next mount of the same prefix (seed 001:
    a static file wins over an app route on the same prefix, and an app gets
    the paths the static folder does not have).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_FOUND"

    def __bool__(self) -> bool:
        return False


NOT_FOUND: Any = _NotFound()


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

    def __iter__(self) -> Any:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def items(self) -> HeaderList:
        return list(self.raw)

    def keys(self) -> list[str]:
        return [key for key, _ in self.raw]

    def __repr__(self) -> str:
        return f"Headers({self.raw!r})"


@runtime_checkable
class Body(Protocol):
    """The request body as the protocol decoded it (de-chunked, limits checked).

    ``length`` is the Content-Length or None for a chunked body.  Reads raise
    ``skitai.errors.HTTPError`` (413 over the limit, 408 too slow, 400 broken
    framing) or ``skitai.errors.ClientGone``.
    """

    length: int | None

    async def read(self, size: int = -1) -> bytes: ...

    def read_sync(self, size: int = -1) -> bytes:
        """Blocking read for code running in the worker's thread pool."""
        ...

    def __aiter__(self) -> Any: ...


class Request:
    """One parsed request, protocol-neutral.

    ``path`` is percent-decoded and UTF-8 decoded with ``surrogateescape`` (so the
    original bytes survive for WSGI's latin-1 view); ``raw_path`` is the bytes on
    the wire.  ``script_name``/``path_info`` are set by the mount table and follow
    PEP 3333: ``script_name`` never ends with a slash.
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


class Responder(Protocol):
    """How a mount answers.  Exactly one of ``respond`` or ``start`` per request.

    The engine adds ``Date``, ``Server``, ``Content-Length`` or chunked framing and
    ``Connection``; it drops the body of HEAD answers; a header value containing
    CR, LF or NUL is never written (the request gets a 500 and the error is logged).
    """

    #: True once the client has gone away; streaming producers should stop.
    closed: bool
    #: True once ``respond`` or ``start`` has been called.
    started: bool

    def respond(self, status: int, headers: HeaderList, body: bytes = b"") -> None:
        """Send a whole response in one write."""
        ...

    def start(self, status: int, headers: HeaderList) -> None:
        """Send the head of a streamed response.

        With a ``content-length`` header the body is sent as is, otherwise chunked
        (HTTP/1.1) or until close (HTTP/1.0).
        """
        ...

    async def write(self, data: bytes) -> None:
        """Send part of a streamed body; waits while the client is slow (back-pressure)."""
        ...

    async def sendfile(self, file: Any, offset: int, count: int) -> None:
        """Send ``count`` bytes of an open binary file from ``offset`` (zero-copy when possible)."""
        ...

    def end(self) -> None:
        """Finish a streamed response."""
        ...

    def upgrade(self, protocol_factory: Callable[[Any, bytes], Any]) -> None:
        """HTTP/1.1 Upgrade hand-off: after the 101 head (sent with ``start``) the
        connection's transport is given to ``protocol_factory(transport, leftover)``,
        which returns the asyncio.Protocol that owns it from then on (WebSocket)."""
        ...


HandleResult = Awaitable[None] | None


@runtime_checkable
class Mount(Protocol):
    """A mounted thing.  ``handle`` may answer synchronously (return None), return
    an awaitable the engine drives, or return ``NOT_FOUND`` to pass the request to
    the next mount of the same prefix.

    Two optional methods (looked up with ``getattr``, not part of the protocol)
    let ``--devel`` swap code in a live worker instead of restarting it:

    - ``reload_targets() -> list[str]``: absolute paths of the source files
      this mount can reload in place, asked after ``startup`` and again after
      every reload (the list may change).  Leave out files whose code built
      the mount itself; a change to those restarts the server.
    - ``reload(path: str) -> Awaitable[None] | None``: reload the code of that
      file, called on the worker's loop.  When it returns, nothing of the old
      code may answer any more; when it raises, the worker exits and the
      ``--devel`` supervisor starts a fresh one.
    """

    #: the URL prefix without a trailing slash ("" for the root)
    prefix: str
    #: static folders are tried before apps on the same prefix
    priority: int
    #: the largest request body this mount accepts, None for the engine default
    body_limit: int | None
    #: an optional name for cross-app lookups (``context.apps["name"]``)
    name: str | None

    def handle(self, request: Request, responder: Responder) -> Any: ...

    async def startup(self, engine: "Engine") -> None: ...

    async def shutdown(self) -> None: ...

    def watch_paths(self) -> Iterable[str]:
        """Files and folders whose change should reload this mount in --devel."""
        ...


class Engine(Protocol):
    """What a mount may use of the worker that serves it (given to ``startup``)."""

    debug: bool
    worker_id: int
    #: how many worker processes serve this app (WSGI's wsgi.multiprocess)
    workers: int
    mounts: list[Mount]

    def run_in_thread(self, func: Callable[..., Any], *args: Any) -> Awaitable[Any]: ...

    def log_error(self, message: str, exc_info: Any = None) -> None: ...

