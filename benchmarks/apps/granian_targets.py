"""Import targets for granian, which loads an app by ``module:attribute``.

granian starts its worker process itself and imports the target there, so the
apps that :mod:`serve` builds with arguments are built here at import time,
one attribute per variant.
"""

from __future__ import annotations

from rsgi_bare import app as rsgi
from starlette_app import create_app

__all__ = ["starlette_async", "starlette_sync", "rsgi"]

starlette_async = create_app("async")
starlette_sync = create_app("sync")
