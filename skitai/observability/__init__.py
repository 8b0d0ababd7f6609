"""Request ids, trusted proxy headers, metrics and the request listener hook
(docs/observability.md)."""

from .observer import Observer, RequestListener, on_request
from .proxies import TrustedProxies
from .request_id import HEADER, current_request_id, request_id_of

__all__ = [
    "Observer",
    "on_request",
    "RequestListener",
    "TrustedProxies",
    "HEADER",
    "current_request_id",
    "request_id_of",
]
