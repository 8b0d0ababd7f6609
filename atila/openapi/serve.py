"""The documentation routes every Atila app gets: ``/openapi.json`` and ``/docs``.

They are added when the app starts in a worker (after its own hooks, so every
route is known), under the app's mount point, and marked internal so the
document does not describe itself.  The docs page is Swagger UI, whose files
come from the ``swagger-ui-py`` package and are served by the app itself: the
page works without any outside network.

Settings (attributes of the app or of the ``pref`` it is mounted with):

- ``openapi = False``: no document and no page for this app;
- ``openapi_path`` (default ``"/openapi.json"``), ``docs_path`` (default
  ``"/docs"``, ``None`` for the document without the page).
"""

from __future__ import annotations

import html
import importlib.util
import os
from typing import Any

import orjson

from atila.responses.base import Response
from atila.responses.errors import HttpError
from atila.responses.files import File

from .document import INTERNAL_OPTION, build_document

__all__ = ["add_doc_routes", "swagger_ui_folder", "DEFAULT_OPENAPI_PATH", "DEFAULT_DOCS_PATH"]

DEFAULT_OPENAPI_PATH = "/openapi.json"
DEFAULT_DOCS_PATH = "/docs"
#: the only Swagger UI files the page needs; nothing else of the package is reachable
_ASSETS = frozenset(
    {
        "swagger-ui.css",
        "index.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "favicon-32x32.png",
        "favicon-16x16.png",
        "oauth2-redirect.html",
    }
)
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{static}/swagger-ui.css">
<link rel="stylesheet" href="{static}/index.css">
<link rel="icon" type="image/png" href="{static}/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{static}/swagger-ui-bundle.js" charset="utf-8"></script>
<script src="{static}/swagger-ui-standalone-preset.js" charset="utf-8"></script>
<script>
window.onload = function () {{
  window.ui = SwaggerUIBundle({{
    url: {spec_url},
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
    oauth2RedirectUrl: {redirect_url}
  }});
}};
</script>
</body>
</html>
"""
_NO_ASSETS = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1>
<p>The interactive page needs Swagger UI's files: <code>pip install swagger-ui-py</code>
(or the <code>skitai-atila[docs]</code> extra). The document itself is at <a href="{spec}">{spec}</a>.</p>
</body></html>
"""


def swagger_ui_folder() -> str | None:
    """The folder of Swagger UI's files, found without importing the package."""
    found = importlib.util.find_spec("swagger_ui")
    locations = list(found.submodule_search_locations or []) if found is not None else []
    for location in locations:
        folder = os.path.join(location, "static")
        if os.path.isfile(os.path.join(folder, "swagger-ui-bundle.js")):
            return folder
    return None


def _mounted(app: Any, path: str) -> str:
    full = str(app.prefix) + path
    return full if full.startswith("/") else "/" + full


_OWN_NAMES = frozenset({"openapi_document", "openapi_docs", "openapi_docs_static"})


def _taken(app: Any, path: str) -> bool:
    """True when one of the app's own routes already answers ``GET path``."""
    match = app.router.match(path, "GET", None)
    return match.status == 200 and match.rule is not None and match.rule.name not in _OWN_NAMES


def add_doc_routes(app: Any) -> None:
    """Add the document and page routes to ``app`` (an ``after_startup`` hook)."""
    if getattr(app, "openapi", True) is False:
        return
    if app.router.find("openapi_document"):
        return  # NOTE: a restarted app object keeps its routes across start-ups
    spec_path = getattr(app, "openapi_path", None) or DEFAULT_OPENAPI_PATH
    docs_path = getattr(app, "docs_path", DEFAULT_DOCS_PATH)
    options = {INTERNAL_OPTION: False}

    def openapi_document(context: Any) -> Response:
        body = orjson.dumps(build_document(app), option=orjson.OPT_NON_STR_KEYS)
        return Response(200, body, [("Content-Type", "application/json"), ("Cache-Control", "no-cache")])

    if not _taken(app, spec_path):
        app.add_route(spec_path, openapi_document, ["GET"], None, "openapi_document", options)
    else:
        app.logger.info("openapi: %s is one of the app's own routes; no document served there", spec_path)
    if not docs_path or _taken(app, docs_path):
        return
    docs_path = "/" + docs_path.strip("/")
    static_url = _mounted(app, docs_path) + "/static"
    spec_url = _mounted(app, spec_path)
    title = f"{app.name or app.import_name} - API"

    def openapi_docs(context: Any) -> Response:
        if swagger_ui_folder() is None:
            page = _NO_ASSETS.format(title=html.escape(title), spec=html.escape(spec_url))
        else:
            page = _PAGE.format(
                title=html.escape(title),
                static=html.escape(static_url),
                spec_url=orjson.dumps(spec_url).decode(),
                redirect_url=orjson.dumps(static_url + "/oauth2-redirect.html").decode(),
            )
        return Response(200, page.encode("utf-8"), [("Content-Type", "text/html; charset=utf-8")])

    def openapi_docs_static(context: Any, name: str) -> File:
        folder = swagger_ui_folder()
        if folder is None or name not in _ASSETS:
            raise HttpError(404, f"no documentation asset {name!r}")
        return File(os.path.join(folder, name))

    app.add_route(docs_path, openapi_docs, ["GET"], None, "openapi_docs", options)
    app.add_route(docs_path + "/static/<name>", openapi_docs_static, ["GET"], None, "openapi_docs_static", options)
