"""How a WebSocket route handles its messages: the ``skitai.WS_*`` flags.

They combine with ``|`` (``skitai.WS_CHANNEL | skitai.WS_NOTHREAD``).  One flag
picks the *model* (what the handler is), another the *place* it runs:

=================  =========================================================
model              handler
=================  =========================================================
``WS_CHANNEL``     ``def h(context, message, **query)`` per message, the
                   return value is the reply (also ``WS_SIMPLE``)
``WS_GROUPCHAT``   as ``WS_CHANNEL``; the return value goes to every member
                   of the room (the route's URL path)
``WS_SESSION``     a generator per connection: ``message = yield reply``
``WS_COROUTINE``   a generator per connection: ``msg = yield context.Input()``
``WS_STREAM``      an ``async def`` per connection looping on
                   ``await context.websocket.receive()``
=================  =========================================================

=================  =========================================================
place              meaning
=================  =========================================================
``WS_THREAD``      default: each message is handled in the worker's thread
                   pool, like a request
``WS_NOTHREAD``    on the event loop, no thread hop (also ``WS_NQ``,
                   ``WS_FAST``); blocking code there stalls the worker
``WS_THREADSAFE``  sends from any thread are safe (they always are here:
                   the flag is accepted for the documented spelling)
=================  =========================================================
"""

from __future__ import annotations

import enum

#: the public flags, listed once: ``skitai.websocket`` and ``skitai`` re-export
#: exactly these (``WebSocketSpec`` and ``MODELS`` stay importable by name)
__all__ = [
    "WS_CHANNEL",
    "WS_SIMPLE",
    "WS_GROUPCHAT",
    "WS_SESSION",
    "WS_COROUTINE",
    "WS_STREAM",
    "WS_THREAD",
    "WS_NOTHREAD",
    "WS_NQ",
    "WS_FAST",
    "WS_THREADSAFE",
]


class WebSocketSpec(enum.IntFlag):
    CHANNEL = 1
    GROUPCHAT = 2
    SESSION = 4
    COROUTINE = 8
    STREAM = 16
    THREAD = 32
    NOTHREAD = 64
    THREADSAFE = 128


#: the flags that name a model; at most one of them per route
MODELS = (
    WebSocketSpec.CHANNEL,
    WebSocketSpec.GROUPCHAT,
    WebSocketSpec.SESSION,
    WebSocketSpec.COROUTINE,
    WebSocketSpec.STREAM,
)

WS_CHANNEL = WS_SIMPLE = WebSocketSpec.CHANNEL
WS_GROUPCHAT = WebSocketSpec.GROUPCHAT
WS_SESSION = WebSocketSpec.SESSION
WS_COROUTINE = WebSocketSpec.COROUTINE
WS_STREAM = WebSocketSpec.STREAM
WS_THREAD = WebSocketSpec.THREAD
WS_NOTHREAD = WS_NQ = WS_FAST = WebSocketSpec.NOTHREAD
WS_THREADSAFE = WebSocketSpec.THREADSAFE
