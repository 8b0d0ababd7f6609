"""The old name of the context, kept for imports written by older apps.

``was`` is the same object as ``context``; this module holds the helpers old
code imported from ``atila.was`` (``from atila.was import generate_otp`` is
added by the security package's tokens).
"""

from __future__ import annotations

from .context import Context as Was
from .responses.errors import Error, HttpError
from .security.tokens import generate_otp

__all__ = ["Was", "HttpError", "Error", "generate_otp"]
