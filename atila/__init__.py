"""Atila: a life-cycle-hook based web framework on the Skitai engine.

Example::

    from atila import Atila

    app = Atila(__name__)

    @app.route("/")
    def index(context):
        return "Hello, World"
"""

from .app import Atila
from .compat import EVENT_NAMES as _EVENT_NAMES
from .compat import (  # noqa: F401 -- the old lower-case event constants
    Error,
    app_mounted,
    app_restarted,
    app_restarting,
    app_started,
    app_starting,
    app_unmounting,
    request_failed,
    request_finished,
    request_starting,
    request_success,
    request_tearing_down,
    template_rendering,
)
from .context import Context
from .events import Event
from .responses.api import API, Fault
from .responses.base import Response
from .responses.errors import HttpError
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
    # old event names: ``@app.on(atila.request_failed)`` (atila.compat)
    *_EVENT_NAMES,
]
