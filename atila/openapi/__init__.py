"""OpenAPI 3.1 for Atila apps: a document built from the routes, and a docs page.

Every app serves ``/openapi.json`` and ``/docs`` under its mount point unless
it is mounted with ``pref.openapi = False`` (docs/openapi.md).
"""

from __future__ import annotations

from typing import Any

from .document import OPENAPI_VERSION, RouteDoc, build_document, iter_route_docs, openapi_path
from .serve import add_doc_routes

__all__ = ["build_document", "iter_route_docs", "openapi_path", "RouteDoc", "OPENAPI_VERSION", "install"]


def install(app: Any) -> None:
    """Called for every new app: its documentation routes are added at start-up."""
    app.after_startup(add_doc_routes)
