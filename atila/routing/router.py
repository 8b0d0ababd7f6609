"""The route table of one app: match a request path, build a URL for a route.

Matching is tuned for the common case (PERF): a static path is one dict lookup;
a dynamic one looks up its first path segment in a dict of buckets and tries
only the few templates that start with it (plus those starting with a
placeholder).  Nothing is recorded along the way; only when no rule answers does
the slow path run again over every candidate to decide between 404, 405 (with
Allow), 415, the automatic OPTIONS answer and the 301 to the slash form.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from .rules import BuildError, Rule

__all__ = ["Router", "Match"]


class Match:
    """The router's answer for one request.

    ``status``: 200 (call ``rule.func`` with ``kwargs``), 404, 405 (``allow``
    lists what the path accepts), 415 (method fine, content type not),
    204 (an OPTIONS request for a path whose rules do not list OPTIONS: answer
    it with ``Allow``, and CORS preflight headers when ``rule.options`` asks),
    301 (``location`` is the app-relative path plus "/": prefix the mount
    point and re-append the query string).
    """

    __slots__ = ("status", "rule", "kwargs", "allow", "location")

    def __init__(
        self,
        status: int,
        rule: Rule | None = None,
        kwargs: dict[str, Any] | None = None,
        allow: tuple[str, ...] = (),
        location: str | None = None,
    ) -> None:
        self.status = status
        self.rule = rule
        self.kwargs = kwargs if kwargs is not None else {}
        self.allow = allow
        self.location = location

    def __repr__(self) -> str:
        return f"<Match {self.status} {self.rule!r} {self.kwargs!r}>"


class Router:
    """Rules of one app, in registration order.

    Example:
        >>> router = Router()
        >>> def user(context, id): ...
        >>> router.add(Rule("/users/<int:id>", user, ["GET"], None, "user", {}))
        >>> router.match("/users/7", "GET", None).kwargs
        {'id': 7}
        >>> router.build("user", 7)
        '/users/7'
    """

    def __init__(self) -> None:
        self._rules: list[Rule] = []
        self._static: dict[str, list[Rule]] = {}
        self._buckets: dict[str, list[Rule]] = {}
        self._unbucketed: list[Rule] = []
        self._by_name: dict[str, list[Rule]] = {}
        self._by_func: dict[Any, list[Rule]] = {}

    # -- table ---------------------------------------------------------------

    def add(self, rule: Rule, namespace: str | None = None) -> Rule:
        """Register ``rule``; with a namespace its name becomes ``"ns.name"``.

        A rule with the same template, methods and name as an existing one
        replaces it: re-mounting a reloaded module must not leave the old
        handler answering.
        """
        if namespace:
            rule.name = f"{namespace}.{rule.name}"
        self._rules = [
            old
            for old in self._rules
            if not (old.path == rule.path and old.name == rule.name and old.methods == rule.methods)
        ]
        self._rules.append(rule)
        self._reindex()
        return rule

    def remove(self, func_or_name: Callable[..., Any] | str) -> list[Rule]:
        """Drop every rule of a handler or a name (``app.unroute``); returns them."""
        removed = self._find(func_or_name)
        if removed:
            gone = {id(rule) for rule in removed}
            self._rules = [rule for rule in self._rules if id(rule) not in gone]
            self._reindex()
        return removed

    def remove_rule(self, rule: Rule) -> bool:
        """Drop one exact rule (unmounting a module drops the rules it added)."""
        if not any(existing is rule for existing in self._rules):
            return False
        self._rules = [existing for existing in self._rules if existing is not rule]
        self._reindex()
        return True

    def __iter__(self) -> Iterator[Rule]:
        return iter(list(self._rules))

    def __len__(self) -> int:
        return len(self._rules)

    @property
    def rules(self) -> list[Rule]:
        return list(self._rules)

    def _reindex(self) -> None:
        """Rebuild the lookup structures; runs at route definition time, never per request."""
        static: dict[str, list[Rule]] = {}
        buckets: dict[str, list[Rule]] = {}
        unbucketed: list[Rule] = []
        by_name: dict[str, list[Rule]] = {}
        by_func: dict[Any, list[Rule]] = {}
        for rule in self._rules:
            if rule.is_static:
                static.setdefault(rule.path, []).append(rule)
            elif rule.first_segment is None:
                unbucketed.append(rule)
            else:
                buckets.setdefault(rule.first_segment, []).append(rule)
            by_name.setdefault(rule.name, []).append(rule)
            for func in {rule.func, inspect.unwrap(rule.func)}:
                by_func.setdefault(func, []).append(rule)
        # Each bucket also carries the templates that start with a placeholder,
        # after its own (more specific) ones, so a request tries one list.
        self._buckets = {key: rules + unbucketed for key, rules in buckets.items()}
        self._unbucketed = unbucketed
        self._static = static
        self._by_name = by_name
        self._by_func = by_func

    # -- matching ------------------------------------------------------------

    def match(self, path: str, method: str, content_type: str | None = None) -> Match:
        """Find the rule for a request (``path`` relative to the app's mount point)."""
        rules = self._static.get(path)
        if rules is not None:
            for rule in rules:
                if (rule.methods is None or method in rule.methods) and (
                    rule.content_types is None or rule.accepts_content_type(content_type)
                ):
                    return Match(200, rule, {})
        end = path.find("/", 1)
        candidates = self._buckets.get(path[1:end] if end > 0 else path[1:], self._unbucketed)
        for rule in candidates:
            if rule.methods is not None and method not in rule.methods:
                continue
            found = rule.regex.fullmatch(path)  # type: ignore[union-attr]
            if found is None:
                continue
            if rule.content_types is not None and not rule.accepts_content_type(content_type):
                continue
            kwargs = rule.convert(found.groupdict())
            if kwargs is not None:
                return Match(200, rule, kwargs)
        return self._explain(path, method, content_type)

    def _path_matches(self, path: str) -> list[tuple[Rule, dict[str, Any]]]:
        found: list[tuple[Rule, dict[str, Any]]] = [(rule, {}) for rule in self._static.get(path, ())]
        end = path.find("/", 1)
        for rule in self._buckets.get(path[1:end] if end > 0 else path[1:], self._unbucketed):
            kwargs = rule.match_path(path)
            if kwargs is not None:
                found.append((rule, kwargs))
        return found

    def _explain(self, path: str, method: str, content_type: str | None) -> Match:
        """The slow path: why nothing answered."""
        matches = self._path_matches(path)
        if not matches:
            if not path.endswith("/") and self._path_matches(path + "/"):
                # Route "/" under /sub answers /sub/, and /sub redirects there.
                return Match(301, location=path + "/")
            return Match(404)
        allow = _allow(rule for rule, _ in matches)
        by_method = [(rule, kwargs) for rule, kwargs in matches if rule.allows_method(method)]
        if by_method:
            # Only the content type can have failed.
            if method == "OPTIONS":
                rule, kwargs = by_method[0]
                return Match(204, rule, kwargs, allow)
            return Match(415, by_method[0][0], by_method[0][1], allow)
        if method == "OPTIONS":
            rule, kwargs = matches[0]
            return Match(204, rule, kwargs, allow)
        return Match(405, matches[0][0], matches[0][1], allow)

    # -- building ------------------------------------------------------------

    def build(self, name_or_func: Callable[..., Any] | str, *args: Any, **kwargs: Any) -> str:
        """A URL for a route, filled like a call of its handler (``was.ab`` in older apps).

        Positional values follow the handler's parameters; values that are not
        placeholders go to the query string; an absent optional tail gives the
        shorter URL.  A name starting with "/" is a literal URL and is returned
        as is (``urlfor("/index.htm")``).  The result is relative to
        the app's mount point.

        Raises:
            BuildError: unknown route, too many or clashing values, a missing
                path value, or a parameter the handler does not take.
        """
        if isinstance(name_or_func, str) and name_or_func.startswith("/"):
            return name_or_func + (f"?{urlencode(kwargs, doseq=True)}" if kwargs else "")
        rules = self._lookup(name_or_func)
        try:
            values = rules[0].spec.map_positional(args)
        except TypeError as exc:
            raise BuildError(f"route {rules[0].name!r} {exc}") from None
        for key, value in kwargs.items():
            if key in values:
                raise BuildError(f"route {rules[0].name!r} got two values for {key!r}")
            values[key] = value
        return self._fill(rules, values)

    def build_partial(
        self, name_or_func: Callable[..., Any] | str, current: Mapping[str, Any], **overrides: Any
    ) -> str:
        """A URL from the current request's values with some replaced (older ``was.partial``).

        Only values the target handler takes are carried over (all of them when
        it has ``**kwargs``); an override of None drops a value.
        """
        rules = self._lookup(name_or_func)
        spec = rules[0].spec
        placeholders = {name for rule in rules for name in rule.converters}
        values = {key: value for key, value in current.items() if spec.accepts(key) or key in placeholders}
        values.update(overrides)
        return self._fill(rules, values)

    def basepath(self, name_or_func: Callable[..., Any] | str) -> str:
        """The route's template up to its first placeholder (older ``was.basepath``)."""
        return self._lookup(name_or_func)[0].basepath

    def find(self, name_or_func: Callable[..., Any] | str) -> list[Rule]:
        """The rules of a handler or name, in registration order (empty when none)."""
        return self._find(name_or_func)

    def _find(self, name_or_func: Callable[..., Any] | str) -> list[Rule]:
        if isinstance(name_or_func, str):
            return list(self._by_name.get(name_or_func, ()))
        rules = self._by_func.get(name_or_func) or self._by_func.get(inspect.unwrap(name_or_func), [])
        return list(rules)

    def _lookup(self, name_or_func: Callable[..., Any] | str) -> list[Rule]:
        rules = self._find(name_or_func)
        if not rules:
            label = (
                name_or_func if isinstance(name_or_func, str) else getattr(name_or_func, "__qualname__", name_or_func)
            )
            raise BuildError(f"no route named {label!r}")
        return rules

    @staticmethod
    def _fill(rules: list[Rule], values: dict[str, Any]) -> str:
        """Use the first rule whose template the values can fill."""
        spec = rules[0].spec
        for key in values:
            if not spec.accepts(key):
                raise BuildError(f"route {rules[0].name!r} takes no parameter {key!r}")
        failure: BuildError | None = None
        for rule in rules:
            try:
                path = rule.build_path(values)
            except BuildError as exc:
                failure = failure or exc
                continue
            query = [(key, value) for key, value in values.items() if key not in rule.converters and value is not None]
            return f"{path}?{urlencode(query, doseq=True)}" if query else path
        raise failure or BuildError(f"route {rules[0].name!r} cannot be built")


def _allow(rules: Any) -> tuple[str, ...]:
    """The Allow header of a path: every declared method, HEAD with GET, and OPTIONS."""
    methods: dict[str, None] = {}
    for rule in rules:
        for method in rule.allow:
            methods[method] = None
    methods["OPTIONS"] = None
    return tuple(methods)
