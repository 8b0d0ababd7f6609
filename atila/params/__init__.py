"""Request parameters: binding them to handler arguments and validating them.

``ParamSpec`` is built once per route from the handler's signature,
``Inspector`` once per ``@app.inspect`` decorator; both raise ``ParamError``.
"""

from .binding import ParamSpec
from .errors import ParamError
from .typed import TypedChecker, compile_annotation
from .validation import OPERATORS, SCOPES, Inspector

__all__ = ["ParamSpec", "ParamError", "Inspector", "TypedChecker", "compile_annotation", "OPERATORS", "SCOPES"]
