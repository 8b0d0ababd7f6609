"""Atila: a life-cycle-hook based web framework on the Skitai engine.

Example::

    from atila import Atila

    app = Atila(__name__)

    @app.route("/")
    def index(context):
        return "Hello, World"
"""

from .app import Atila
from .context import Context
from .events import Event
from .events.legacy import *  # noqa: F403 -- the seed-004 event constants
from .events.legacy import __all__ as _EVENT_NAMES
from .responses.api import API, Fault
from .responses.base import Response
from .responses.errors import Error, HttpError
from .responses.files import File, Static
from .responses.proxy import ProxyPass
from .responses.queue import Queue

__all__ = [
    "Atila",
    "Context",
    "HttpError",
    "Error",
    "Response",
    "API",
    "Fault",
    "File",
    "Static",
    "Queue",
    "ProxyPass",
    "Event",
    # seed 004 event names: ``@app.on(atila.request_failed)``
    *_EVENT_NAMES,
]
