"""``X-Atila-Route``: which route answered, for ``pytest --docs`` against a real server.

The API docs ``pytest --docs`` writes list routes by name and template
(``/apis/tickers/<int:product_code>``), not by the literal URLs the tests sent.
An in-process client reads the route from the app; a client talking to a server
process cannot, so the server says it in a response header::

    X-Atila-Route: product.tickers /apis/tickers/<int:product_code>

Only when the client asks (request header ``X-Atila-Describe-Route``), only to
a client on this machine (the docs feature is documented to need 127.0.0.1),
and only when the app allows it: in debug (``--devel``) or when the process
was started with ``ATILA_ROUTE_HEADER=1`` (``pytest --docs`` sets it, so the
servers its tests launch inherit it).  Otherwise the pipeline does not look.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["ROUTE_HEADER", "DESCRIBE_HEADER", "ROUTE_HEADER_ENV", "enabled", "describe_route"]

ROUTE_HEADER = "X-Atila-Route"
DESCRIBE_HEADER = "X-Atila-Describe-Route"
ROUTE_HEADER_ENV = "ATILA_ROUTE_HEADER"
_LOOPBACK = ("127.", "::1", "::ffff:127.")


def enabled(app: Any) -> bool:
    """Whether ``app``'s pipeline describes routes (decided when it starts)."""
    return bool(app.debug or os.environ.get(ROUTE_HEADER_ENV) == "1")


def describe_route(app: Any, request: Any, rule: Any, response_head: Any) -> None:
    """Add ``X-Atila-Route`` to the answer when a local client asked for it."""
    if request.headers.get(DESCRIBE_HEADER) is None:
        return
    client = request.client[0] if request.client else ""
    if not client.startswith(_LOOPBACK):
        return
    response_head.append_header(ROUTE_HEADER, f"{rule.name} {app.prefix}{rule.path}")
