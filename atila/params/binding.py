"""Handler arguments from request parameters, decided once per route.

A handler says what it takes in its signature (documented under "Getting Parameters"):
named arguments receive path, query-string and body values by name, defaults
make them optional and ``**kwargs`` catches the rest.  ``ParamSpec`` reads the
signature once when the route is added, so a request only does dict work.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from typing import Any

from .errors import ParamError
from .typed import TypedChecker

__all__ = ["ParamSpec"]

_NO_DEFAULT = inspect.Parameter.empty


class ParamSpec:
    """What one handler accepts, read from its signature.

    The first positional parameter is the request context (``context`` in the
    newest docs, ``was`` in older ones) and is never filled from the request.

    Example:
        >>> def episode(context, id, topic=None, **extra): ...
        >>> spec = ParamSpec.from_function(episode)
        >>> spec.bind({"id": 3}, {"topic": "x", "page": "2"})
        {'topic': 'x', 'page': '2', 'id': 3}
    """

    __slots__ = ("names", "required", "defaults", "var_keyword", "annotations", "typed", "_accepted")

    def __init__(
        self,
        names: tuple[str, ...],
        defaults: dict[str, Any],
        var_keyword: bool,
        annotations: dict[str, Any] | None = None,
    ) -> None:
        self.names = names
        self.defaults = defaults
        self.required = tuple(name for name in names if name not in defaults)
        self.var_keyword = var_keyword
        self.annotations = annotations or {}
        self.typed = TypedChecker.from_annotations(self.annotations, defaults)
        self._accepted = frozenset(names)

    @classmethod
    def from_function(cls, func: Callable[..., Any]) -> ParamSpec:
        """Read ``func``'s signature (following ``functools.wraps``).

        Raises:
            ValueError: a positional-only parameter after the context, which no
                request parameter could ever fill.
        """
        try:
            signature = inspect.signature(func)
        except (TypeError, ValueError):
            # NOTE: builtins and some C callables hide their signature; accept
            # anything rather than refuse to route them.
            return cls((), {}, True)
        params = list(signature.parameters.values())
        if params and params[0].kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            params = params[1:]  # the context
        names: list[str] = []
        defaults: dict[str, Any] = {}
        var_keyword = False
        for param in params:
            if param.kind is inspect.Parameter.VAR_KEYWORD:
                var_keyword = True
            elif param.kind is inspect.Parameter.VAR_POSITIONAL:
                continue
            elif param.kind is inspect.Parameter.POSITIONAL_ONLY:
                raise ValueError(
                    f"{_describe(func)}: positional-only parameter {param.name!r} cannot receive request parameters"
                )
            else:
                names.append(param.name)
                if param.default is not _NO_DEFAULT:
                    defaults[param.name] = param.default
        return cls(tuple(names), defaults, var_keyword, _annotations(func, params, names))

    def accepts(self, name: str) -> bool:
        """True when a request value called ``name`` can be passed to the handler."""
        return self.var_keyword or name in self._accepted

    def bind(
        self,
        path_kwargs: Mapping[str, Any],
        query: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The keyword arguments for one call.

        Precedence (as documented): body values win over query-string values, and
        path values win over both, so a client cannot swap the resource a
        permission check was made for.  Annotated parameters are converted and
        checked (path values are already converted by their converter).  A
        body that is not a mapping (a JSON array) has no names to bind: a
        ``**kwargs`` handler, which asked for the body's values, gets a 400
        rather than an empty dict; the whole body stays ``request.JSON``.

        Raises:
            ParamError: 400 naming the first missing or unexpected parameter or
                the annotated parameter whose value does not fit, or a JSON body
                that is not an object for a ``**kwargs`` handler.
        """
        merged: dict[str, Any] = dict(query) if query else {}
        if body is not None and not isinstance(body, Mapping):
            if self.var_keyword:
                raise ParamError(
                    400,
                    f"the JSON body is {_json_kind(body)}, which cannot fill keyword parameters; "
                    "send a JSON object (a handler taking no body parameters reads any JSON as request.JSON)",
                    field="body",
                    rule="object",
                )
        elif body:
            merged.update(body)
        if path_kwargs:
            merged.update(path_kwargs)
        if not self.var_keyword:
            accepted = self._accepted
            for key in merged:
                if key not in accepted:
                    raise ParamError(400, f"unexpected parameter: {key}", field=key, rule="unexpected")
        for name in self.required:
            if name not in merged:
                why = (
                    f" (the JSON body is {_json_kind(body)}, which names no parameters)"
                    if body is not None and not isinstance(body, Mapping)
                    else ""
                )
                raise ParamError(400, f"missing parameter: {name}{why}", field=name, rule="required")
        if self.typed is not None:
            self.typed.check(merged, skip=path_kwargs)
        return merged

    def map_positional(self, args: tuple[Any, ...]) -> dict[str, Any]:
        """Name positional values the way a Python call would (for ``urlfor``).

        Raises:
            TypeError: more values than named parameters.
        """
        if len(args) > len(self.names):
            raise TypeError(f"takes at most {len(self.names)} positional values ({len(args)} given)")
        return dict(zip(self.names, args, strict=False))  # fewer values than names is fine

    def __repr__(self) -> str:
        extra = ", **kwargs" if self.var_keyword else ""
        return f"ParamSpec({', '.join(self.names)}{extra})"


def _annotations(func: Callable[..., Any], params: list[inspect.Parameter], names: list[str]) -> dict[str, Any]:
    """Resolved annotations of the bindable parameters (strings from PEP 563 too)."""
    if not any(param.annotation is not _NO_DEFAULT for param in params):
        return {}
    try:
        hints = typing.get_type_hints(inspect.unwrap(func))
    except (NameError, TypeError, AttributeError):
        hints = {param.name: param.annotation for param in params}
    return {
        name: hints[name]
        for name in names
        if name in hints and hints[name] is not _NO_DEFAULT and not isinstance(hints[name], str)
    }


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "null" if value is None else f"a {type(value).__name__}"


def _describe(func: Callable[..., Any]) -> str:
    return getattr(func, "__qualname__", None) or repr(func)
