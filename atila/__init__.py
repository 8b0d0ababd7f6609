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
]
