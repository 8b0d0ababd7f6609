"""The per-request context, its request view and response head."""

from .context import Context
from .extensions import ContextExtensions
from .request import Bag, Request
from .response import ResponseHead
from .uploads import UploadedFile

__all__ = ["Context", "ContextExtensions", "Request", "ResponseHead", "Bag", "UploadedFile"]
