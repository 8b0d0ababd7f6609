"""One route: its path template compiled, its method and content-type limits, its name.

Templates (documented under "Getting URL Parameters"): ``/documents/<int:doc_id>``,
``<float:x>``, ``<path:p>`` (last only) and ``<name>`` (one segment of text).
A trailing placeholder whose handler parameter has a default is optional, so
``/episode/<int:id>`` with ``def episode(context, id=None)`` also answers
``/episode`` (and ``/episode/``, like the documented "/animals/"), and ``urlfor("episode")``
builds ``/episode``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from atila.params.binding import ParamSpec

from .converters import Converter, get_converter

__all__ = ["Rule", "BuildError"]

_PLACEHOLDER = re.compile(r"<(?:(?P<kind>[A-Za-z_]\w*):)?(?P<name>[A-Za-z_]\w*)>")


class BuildError(ValueError):
    """A URL cannot be built: unknown route name, or values that do not fit its template."""


class Rule:
    """A compiled route.

    Args:
        path: the template, relative to the app (``""`` and ``"/"`` differ, as documented).
        func: the handler; its signature decides the parameters (``ParamSpec``).
        methods: allowed methods, None for any; GET implies HEAD.
        content_types: accepted request media types (``"text/*"`` allowed), None for any.
        name: the name ``urlfor`` uses; the function's name when empty.
        options: any other ``@app.route`` keyword (``coroutine``, ``input_stream``...).

    Raises:
        ValueError: a malformed template, an unknown converter, ``<path:...>``
            not last, a repeated placeholder, or a placeholder the handler
            cannot receive.
    """

    __slots__ = (
        "path",
        "func",
        "methods",
        "content_types",
        "name",
        "options",
        "spec",
        "regex",
        "converters",
        "optional",
        "pieces",
        "first_segment",
        "allow",
        "casts",
    )

    def __init__(
        self,
        path: str,
        func: Callable[..., Any],
        methods: list[str] | tuple[str, ...] | None = None,
        content_types: list[str] | tuple[str, ...] | None = None,
        name: str = "",
        options: dict[str, Any] | None = None,
    ) -> None:
        self.path = path
        self.func = func
        self.name = name or getattr(func, "__name__", "") or path
        self.options = dict(options or {})
        self.spec = ParamSpec.from_function(func)
        self.methods, self.allow = _methods(methods)
        self.content_types = tuple(ct.strip().lower() for ct in content_types) if content_types else None
        self.pieces = _parse(path)
        self.converters: dict[str, Converter] = {
            piece[0]: piece[1] for piece in self.pieces if not isinstance(piece, str)
        }
        for placeholder in self.converters:
            if not self.spec.accepts(placeholder):
                raise ValueError(
                    f"route {path!r}: handler {self.name!r} has no parameter {placeholder!r} (add it or **kwargs)"
                )
        # PERF: only converters that change the text are called per request.
        self.casts = tuple((key, conv.to_python) for key, conv in self.converters.items() if conv.converts)
        self.optional = _optional_tail(self.pieces, self.spec.defaults)
        self.regex = _compile(self.pieces, len(self.optional)) if self.converters else None
        self.first_segment = _first_segment(self.pieces)

    @property
    def is_static(self) -> bool:
        return self.regex is None

    @property
    def routable(self) -> dict[str, Any]:
        """What ``context.request.routable`` shows (documented under "Route Options")."""
        return {
            "methods": list(self.allow) if self.methods is not None else None,
            "content_types": list(self.content_types) if self.content_types else None,
            "options": self.options,
        }

    @property
    def basepath(self) -> str:
        """The template up to its first placeholder (older ``was.basepath``)."""
        return self.path.split("<", 1)[0]

    def match_path(self, path: str) -> dict[str, Any] | None:
        """The converted path values when ``path`` fits this template, else None."""
        if self.regex is None:
            return {} if path == self.path else None
        found = self.regex.fullmatch(path)
        return None if found is None else self.convert(found.groupdict())

    def convert(self, groups: dict[str, Any]) -> dict[str, Any] | None:
        """Turn regex groups into handler values in place; None if a converter refuses.

        Absent optional placeholders are dropped so the handler's default applies.
        """
        if self.optional:
            for key in self.optional:
                if groups[key] is None:
                    del groups[key]
        for key, value in groups.items():
            if value is not None and not value.isascii():
                # NOTE: the engine keeps undecodable path bytes as surrogates; a handler
                # gets U+FFFD for them, as it does for the query string.
                groups[key] = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        try:
            for key, cast in self.casts:
                if key in groups:
                    groups[key] = cast(groups[key])
        except ValueError:
            return None
        return groups

    def allows_method(self, method: str) -> bool:
        return self.methods is None or method in self.methods

    def accepts_content_type(self, content_type: str | None) -> bool:
        """True when the request's media type (parameters ignored) is accepted."""
        if self.content_types is None:
            return True
        if not content_type:
            return False
        media = content_type.split(";", 1)[0].strip().lower()
        main = media.split("/", 1)[0] + "/*"
        return media in self.content_types or main in self.content_types

    def build_path(self, values: Mapping[str, Any]) -> str:
        """Fill the template; an absent optional tail makes the URL shorter.

        Raises:
            BuildError: a required placeholder is missing, an optional one is
                given after a missing one, or a value does not fit its converter.
        """
        parts: list[str] = []
        stopped_at: str | None = None
        for piece in self.pieces:
            if isinstance(piece, str):
                if stopped_at is None:
                    parts.append(piece)
                continue
            name, converter = piece
            value = values.get(name)
            if value is None:
                if name not in self.optional:
                    raise BuildError(f"route {self.name!r} needs path parameter {name!r}")
                if stopped_at is None:
                    stopped_at = name
                    if parts and parts[-1].endswith("/"):
                        parts[-1] = parts[-1][:-1]
                continue
            if stopped_at is not None:
                raise BuildError(f"route {self.name!r}: {name!r} given without {stopped_at!r}")
            try:
                parts.append(converter.to_url(value))
            except ValueError as exc:
                raise BuildError(f"route {self.name!r}: {exc}") from None
        return "".join(parts)

    def __repr__(self) -> str:
        methods = ",".join(self.allow) if self.methods is not None else "*"
        return f"<Rule {self.path!r} {methods} -> {self.name}>"


def _methods(methods: list[str] | tuple[str, ...] | None) -> tuple[frozenset[str] | None, tuple[str, ...]]:
    """The set tested per request and the ordered Allow list (GET implies HEAD, RFC 9110 9.3.2)."""
    if methods is None:
        return None, ()
    if isinstance(methods, str):
        methods = [methods]
    declared = [method.strip().upper() for method in methods]
    if "GET" in declared and "HEAD" not in declared:
        declared.append("HEAD")
    allow = tuple(dict.fromkeys(declared))
    return frozenset(allow), allow


def _parse(path: str) -> list[Any]:
    """Split a template into literal strings and ``(name, converter)`` pairs."""
    pieces: list[Any] = []
    seen: set[str] = set()
    position = 0
    for found in _PLACEHOLDER.finditer(path):
        if found.start() > position:
            pieces.append(path[position : found.start()])
        name = found.group("name")
        if name in seen:
            raise ValueError(f"route {path!r}: placeholder <{name}> appears twice")
        seen.add(name)
        pieces.append((name, get_converter(found.group("kind"))))
        position = found.end()
    if position < len(path):
        pieces.append(path[position:])
    for index, piece in enumerate(pieces):
        if isinstance(piece, str):
            if "<" in piece or ">" in piece:
                raise ValueError(f"route {path!r}: malformed placeholder near {piece!r}")
        elif piece[1].spans_segments and index != len(pieces) - 1:
            raise ValueError(f"route {path!r}: <path:{piece[0]}> must be the last part of the template")
    return pieces


def _optional_tail(pieces: list[Any], defaults: Mapping[str, Any]) -> frozenset[str]:
    """Names of the trailing ``/<name>`` placeholders whose parameters have defaults."""
    optional: list[str] = []
    index = len(pieces) - 1
    while index >= 1:
        piece, before = pieces[index], pieces[index - 1]
        if isinstance(piece, str) or piece[0] not in defaults:
            break
        if not (isinstance(before, str) and before.endswith("/")):
            break
        optional.append(piece[0])
        # "/a/<x>/<y>": the literal between x and y is exactly "/"; keep going.
        if before != "/" or index < 2:
            break
        index -= 2
    return frozenset(optional)


def _compile(pieces: list[Any], optional_count: int) -> re.Pattern[str]:
    """Regex for the template; the optional tail nests: ``(?:/(?:(?P<a>..)(?:/...)?)?)?``."""
    first_optional = len(pieces) - 2 * optional_count + 1
    head: list[str] = []
    for piece in pieces[:first_optional]:
        head.append(re.escape(piece) if isinstance(piece, str) else f"(?P<{piece[0]}>{piece[1].regex})")
    if optional_count:
        # The "/" before the first optional placeholder moves into the optional group.
        head[-1] = re.escape(pieces[first_optional - 1][:-1])
        tail = ""
        for name, converter in reversed(pieces[first_optional::2]):
            tail = f"(?:/(?:(?P<{name}>{converter.regex}){tail})?)?"
        head.append(tail)
    return re.compile("".join(head))


def _first_segment(pieces: list[Any]) -> str | None:
    """The literal first path segment, for the router's bucket; None when it varies.

    "/users/<int:id>" -> "users"; "/file-<name>" and "/<path:p>" -> None.
    """
    first = pieces[0] if pieces else ""
    if not isinstance(first, str) or not first.startswith("/") or "/" not in first[1:]:
        return None
    return first[1:].split("/", 1)[0]
