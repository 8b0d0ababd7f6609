"""The request half of a PEP 3333 environ, for the WSGI mount and for
frameworks that offer an environ view (``context.request.env`` in Atila).

One builder, so the two cannot drift apart: repeated fields combine with
", " (RFC 9110 5.3) except cookies, which combine with "; " (RFC 6265 5.4),
and field names holding "_" are dropped.  The server half (``wsgi.input``,
``wsgi.errors``, ...) belongs to the WSGI mount.
"""

from __future__ import annotations

from typing import Any

from .contract import Request

__all__ = ["request_environ", "latin1_view"]


def latin1_view(text: str) -> str:
    """The PEP 3333 "bytes as latin-1 str" view of a path decoded with surrogateescape."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def request_environ(request: Request) -> dict[str, Any]:
    """CGI variables, ``HTTP_*`` fields and ``wsgi.url_scheme`` of one request."""
    server = request.server or ("localhost", 80)
    client = request.client
    query = request.query
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": latin1_view(request.script_name),
        "PATH_INFO": latin1_view(request.path_info),
        "QUERY_STRING": query,
        "RAW_URI": request.raw_path.decode("latin-1") + ("?" + query if query else ""),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": "HTTP/" + request.version,
        "REMOTE_ADDR": client[0] if client else "",
        "REMOTE_PORT": str(client[1]) if client else "",
        "wsgi.url_scheme": request.scheme,
    }
    for name, value in request.headers.raw:
        # NOTE: WSGI turns "-" into "_", so "X_Forwarded_For" from a client would
        # land on the same key as the "X-Forwarded-For" a trusted proxy sets and
        # could spoof it (Django CVE-2015-0219).  Like nginx and Apache we drop
        # field names that contain "_"; no standard field uses one.
        if "_" in name:
            continue
        if name == "content-type":
            key = "CONTENT_TYPE"
        elif name == "content-length":
            key = "CONTENT_LENGTH"
        else:
            key = "HTTP_" + name.upper().replace("-", "_")
        previous = environ.get(key)
        if previous is None:
            environ[key] = value
        else:
            # RFC 9110 5.3: repeated fields combine with ", "; cookies with "; " (RFC 6265 5.4).
            environ[key] = previous + ("; " if key == "HTTP_COOKIE" else ", ") + value
    return environ
