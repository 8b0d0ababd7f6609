"""Context extensions: an app's own names on ``context`` (and ``context.request``),
added with ``app.register_context``.

The framework's names (security's ``cookie``, ``session``, ``JWT``... too)
are declared on the classes; this registry is for what each app decides its
contexts carry.  Costly values are built only when a handler first asks and
then kept for the rest of the request, and nothing is looked up on the hot
path (``Context.__getattr__`` runs only for names the class does not have).

Three kinds (documented under "Registering Context Scope Objects and Methods";
older apps write ``wac.register("loginengine", obj)``):

* ``object``: the same object for every request (``context.searcher``);
* ``method``: a function called with the context first (``context.verify_otp(code)``);
* ``property``: a factory ``f(context)`` run once per request on first access
  (``context.session``).

``scope`` says where the name appears: ``"context"``, ``"request"`` or ``"both"``
(``context.cookie`` is ``context.request.cookie``, one object).
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, NamedTuple

__all__ = ["ContextExtensions", "Extension", "KINDS", "SCOPES"]

KINDS = frozenset({"object", "method", "property"})
SCOPES = frozenset({"context", "request", "both"})


class Extension(NamedTuple):
    kind: str
    value: Any
    scope: str


class ContextExtensions:
    """The extension table of one app.

    Example:
        >>> table = ContextExtensions()
        >>> table.register("answer", lambda context: 42, kind="property")
        >>> table.get("answer").kind
        'property'
    """

    def __init__(self) -> None:
        self._items: dict[str, Extension] = {}

    def register(self, name: str, value: Any, kind: str = "auto", scope: str = "context") -> None:
        """Add ``name``; ``kind="auto"`` makes plain functions methods and
        anything else an object.

        Raises:
            ValueError: a name that is not an identifier or starts with "_", an
                unknown kind or scope.
        """
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"context extension name must be a public identifier, got {name!r}")
        if kind == "auto":
            kind = "method" if inspect.isfunction(value) or inspect.ismethod(value) else "object"
        if kind not in KINDS:
            raise ValueError(f"context extension kind must be one of {sorted(KINDS)}, got {kind!r}")
        if scope not in SCOPES:
            raise ValueError(f"context extension scope must be one of {sorted(SCOPES)}, got {scope!r}")
        if kind in ("method", "property") and not callable(value):
            raise ValueError(f"context extension {name!r} of kind {kind} must be callable")
        self._items[name] = Extension(kind, value, scope)

    def unregister(self, name: str) -> None:
        self._items.pop(name, None)

    def get(self, name: str) -> Extension | None:
        return self._items.get(name)

    def names(self) -> list[str]:
        return list(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items


def bind_method(func: Callable[..., Any], context: Any) -> Callable[..., Any]:
    def method(*args: Any, **kwargs: Any) -> Any:
        return func(context, *args, **kwargs)

    method.__name__ = getattr(func, "__name__", "method")
    method.__doc__ = getattr(func, "__doc__", None)
    return method
