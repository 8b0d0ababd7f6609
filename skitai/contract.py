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

This module is types only (the two concrete classes a mount receives,
``Request`` and ``Headers``, live in :mod:`skitai.request` and are re-exported
here).  Top to bottom:

- what a mount receives: a ``Request`` whose ``body`` is a :class:`Body`, and a
  :class:`Responder` (with :class:`UpgradeFactory` for the Upgrade hand-off);
- what a mount is: :class:`Mount`, whose ``handle`` returns a :data:`HandleResult`,
  and the :class:`Engine` it is started on;
- the optional members, each a small Protocol checked once (when the mount table
  is built or at start-up), never probed per request: :class:`HasNotFound`,
  :class:`Reloadable`, :class:`AcceptsMaxAge` (mounts), :class:`KnowsWorkers`,
  :class:`AliasResolver` (engines);
- the engine's own side of the same objects: :class:`BodyFeed` (what a protocol
  feeds into a body), :class:`FlowControl` (what a body asks of its protocol) and
  :class:`UpgradeTarget` (what an upgraded connection may be told).
"""

from __future__ import annotations

import enum
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Final,
    Iterable,
    Protocol,
    runtime_checkable,
)

from .request import HeaderList, Headers, Request

if TYPE_CHECKING:
    import asyncio

    from .server_state import ServerState

__all__ = [
    "NOT_FOUND",
    "NotFoundType",
    "Headers",
    "Request",
    "Body",
    "BodyFeed",
    "FlowControl",
    "Responder",
    "UpgradeFactory",
    "UpgradeTarget",
    "HandleResult",
    "Mount",
    "HasNotFound",
    "Reloadable",
    "AcceptsMaxAge",
    "Engine",
    "KnowsWorkers",
    "AliasResolver",
    "HeaderList",
]


class NotFoundType(enum.Enum):
    """The type of :data:`NOT_FOUND`, returned by ``Mount.handle`` when the
    mount has nothing for the path.

    The mount table then tries the next mount of the same prefix (a static file
    wins over an app route on the same prefix, and an app gets the paths the
    static folder does not have).  A one-member enum, so that type checkers
    narrow ``result is NOT_FOUND``.
    """

    NOT_FOUND = "NOT_FOUND"

    def __repr__(self) -> str:
        return "NOT_FOUND"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return False


NOT_FOUND: Final = NotFoundType.NOT_FOUND


@runtime_checkable
class Body(Protocol):
    """The request body as a mount reads it (de-chunked, limits checked).

    ``length`` is the Content-Length or None for a chunked body.  Reads raise
    ``skitai.errors.HTTPError`` (413 over the limit, 408 too slow, 400 broken
    framing) or ``skitai.errors.ClientGone``.
    """

    length: int | None

    async def read(self, size: int = -1) -> bytes: ...

    def read_sync(self, size: int = -1) -> bytes:
        """Blocking read for code running in the worker's thread pool."""
        ...

    def __aiter__(self) -> AsyncIterator[bytes]: ...


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

    def upgrade(self, protocol_factory: UpgradeFactory) -> None:
        """Hand the connection over after ``start(101, ...)``: see :class:`UpgradeFactory`."""
        ...


class UpgradeFactory(Protocol):
    """What ``Responder.upgrade`` takes (HTTP/1.1 Upgrade, RFC 9110 7.8).

    Called once the 101 head is out with the connection's transport and the
    bytes the client sent after its request head (already the new protocol's);
    returns the asyncio protocol that owns the transport from then on.  The
    request it answers is the one the mount is handling: bind it in (a closure
    or ``functools.partial``).
    """

    def __call__(self, transport: asyncio.Transport, leftover: bytes, /) -> asyncio.BaseProtocol: ...


#: what ``Mount.handle`` returns: None when it answered synchronously (one
#: ``respond``, the fastest path), an awaitable the engine drives (a coroutine is
#: stepped inline and gets a Task only if it suspends), or ``NOT_FOUND``.
HandleResult = Awaitable[None] | NotFoundType | None


@runtime_checkable
class Mount(Protocol):
    """A mounted thing: the members every mount has.

    The optional members are the Protocols below it (:class:`HasNotFound`,
    :class:`Reloadable`, :class:`AcceptsMaxAge`); the engine checks them once,
    when it builds its mount table or starts, never per request.
    """

    #: the URL prefix without a trailing slash ("" for the root)
    prefix: str
    #: static folders are tried before apps on the same prefix
    priority: int
    #: the largest request body this mount accepts, None for the engine default
    body_limit: int | None
    #: an optional name for cross-app lookups (``context.apps["name"]``)
    name: str | None

    def handle(self, request: Request, responder: Responder) -> HandleResult: ...

    async def startup(self, engine: Engine) -> None: ...

    async def shutdown(self) -> None: ...

    def watch_paths(self) -> Iterable[str]:
        """Files and folders whose change should reload this mount in --devel."""
        ...


class Engine(Protocol):
    """What a mount may use of the worker that serves it (given to ``startup``).

    Skitai's worker (``skitai.server.Server``) is one; Atila's ``LocalEngine``
    (under an ASGI server or the in-memory test driver) is another.
    """

    debug: bool
    worker_id: int
    mounts: list[Mount]

    def run_in_thread(self, func: Callable[..., Any], *args: Any) -> Awaitable[Any]: ...

    def log_error(self, message: str, exc_info: Any = None) -> None: ...


@runtime_checkable
class HasNotFound(Protocol):
    """Optional: answers the paths that every candidate of its prefix declined.

    Tried in reverse order (the app behind a static folder gets to render its
    own 404 page); when no candidate has it, the engine answers a plain 404.
    """

    def not_found(self, request: Request, responder: Responder) -> HandleResult: ...


@runtime_checkable
class Reloadable(Protocol):
    """Optional: lets ``--devel`` swap code in a live worker instead of restarting it."""

    def reload_targets(self) -> list[str]:
        """Absolute paths of the source files this mount can reload in place,
        asked after ``startup`` and again after every reload (the list may change).
        Leave out files whose code built the mount itself; a change to those
        restarts the server."""
        ...

    def reload(self, path: str) -> Awaitable[None] | None:
        """Reload the code of that file, called on the worker's loop.  When it
        returns, nothing of the old code may answer any more; when it raises, the
        worker exits and the ``--devel`` supervisor starts a fresh one."""
        ...


@runtime_checkable
class AcceptsMaxAge(Protocol):
    """Optional: takes the ``skitai.set_max_age(path, seconds)`` rules that fall
    under its prefix (static folders answer with ``Cache-Control: max-age``)."""

    def set_max_age(self, url_prefix: str, seconds: int) -> None: ...


@runtime_checkable
class KnowsWorkers(Protocol):
    """Optional engine member: how many worker processes serve the app
    (WSGI's ``wsgi.multiprocess``); an engine without it is one process."""

    workers: int


@runtime_checkable
class AliasResolver(Protocol):
    """Optional engine member: turns an upstream alias (``"@name"``) into a base URL."""

    def resolve_alias(self, alias: str) -> str: ...


class BodyFeed(Body, Protocol):
    """A body as the protocol that receives it sees it: the producer side.

    Only the loop thread feeds; ``fail`` makes the reader's next read raise
    ``exc`` (the client broke framing, went away, or was too slow).
    """

    #: bytes fed so far (the slow-body check compares it with the elapsed time)
    received: int

    def feed(self, data: bytes) -> None: ...

    def feed_eof(self) -> None: ...

    def fail(self, exc: BaseException) -> None: ...

    @property
    def complete(self) -> bool:
        """True once the whole body arrived without error."""
        ...


class FlowControl(Protocol):
    """What a body asks of its producer: stop and restart reading the socket
    (back-pressure when the mount reads slower than the client sends)."""

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...


@runtime_checkable
class UpgradeTarget(Protocol):
    """Optional: a protocol returned by an :class:`UpgradeFactory` that wants what
    the HTTP/1.1 connection knew.

    It is told, before it gets the transport's first read: the request that was
    upgraded and the worker's :class:`skitai.server_state.ServerState` (clock, limits,
    logs, and ``connection_opened``/``connection_closed`` to stay counted and be
    told of a graceful shutdown).  The HTTP/1.1 connection has already left the
    server's count when this is called.
    """

    def connection_handed_off(self, request: Request, state: ServerState) -> None: ...
