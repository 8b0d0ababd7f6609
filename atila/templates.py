"""Jinja2 templates of an app: folders, globals, filters, error pages.

Templates live in ``templates/`` beside the app's module.  An app mounted with
``pref.overrides(other)`` looks in ``other``'s folder first; one mounted with
``pref.extends(base)`` falls back to ``base``'s folder last (documented
under "Extending and Overriding").

Inside a template every variable is usable bare (``{{ name }}``) and through
``context``/``was`` (``{{ context.name }}``, ``{{ was.request.args.get("x") }}``):
those two names are a view that answers the render's variables first and the
request context's attributes after.

The environment is built on first use (PERF: an API that never renders never
imports Jinja2) and rebuilt by :meth:`Templates.jinja_overlay`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

from .compat import OLD_CONTEXT_NAME

if TYPE_CHECKING:
    import jinja2

__all__ = ["Templates", "TemplateContext", "template_folders", "AUTOESCAPE_EXTENSIONS"]

F = TypeVar("F", bound=Callable[..., Any])

#: file extensions rendered with HTML autoescaping on
AUTOESCAPE_EXTENSIONS = ("html", "htm", "j2", "xml")

#: the options ``jinja_overlay`` accepts (Jinja2's syntax options)
OVERLAY_OPTIONS = frozenset(
    {
        "block_start_string",
        "block_end_string",
        "variable_start_string",
        "variable_end_string",
        "comment_start_string",
        "comment_end_string",
        "line_statement_prefix",
        "line_comment_prefix",
        "trim_blocks",
        "lstrip_blocks",
        "newline_sequence",
        "keep_trailing_newline",
    }
)

_DEFAULT_ERROR_NAME = "__atila__/error.html"
_DEFAULT_ERROR_PAGE = """<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>{{ error.code }} {{ error.message }}</title></head>
<body>
<h1>{{ error.code }} {{ error.message }}</h1>
{% if error.detail and error.detail != error.message %}<p>{{ error.detail }}</p>{% endif %}
{% if error.url %}<div>URL: {{ error.url }}</div>{% endif %}
{% if error.time %}<div>Time: {{ error.time }}</div>{% endif %}
{% if error.traceback %}<pre>{{ error.traceback }}</pre>{% endif %}
</body>
</html>
"""


class TemplateContext:
    """``context``/``was`` inside a template: render variables, then the context."""

    __slots__ = ("_context", "_variables")

    def __init__(self, context: Any, variables: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_context", context)
        object.__setattr__(self, "_variables", variables)

    def __getattr__(self, name: str) -> Any:
        variables = object.__getattribute__(self, "_variables")
        if name in variables:
            return variables[name]
        context = object.__getattribute__(self, "_context")
        if context is None:
            raise AttributeError(f"no template variable or context attribute {name!r}")
        return getattr(context, name)

    def __getitem__(self, name: str) -> Any:
        try:
            return self.__getattr__(name)
        except AttributeError:
            raise KeyError(name) from None

    def unwrap(self) -> Any:
        """The request context itself (what template globals receive)."""
        return object.__getattribute__(self, "_context")

    def __repr__(self) -> str:
        return f"<TemplateContext of {object.__getattribute__(self, '_context')!r}>"


def _module_folder(target: Any) -> str | None:
    """The folder of a module, package, app object or path."""
    if isinstance(target, str):
        return target if os.path.isdir(target) else os.path.dirname(os.path.abspath(target))
    if isinstance(target, ModuleType):
        file = getattr(target, "__file__", None)
        return os.path.dirname(os.path.abspath(file)) if file else None
    for attribute in ("root_path", "home"):
        value = getattr(target, attribute, None)
        if isinstance(value, str) and value:
            return value
    import_name = getattr(target, "import_name", None) or getattr(target, "__module__", None)
    module = sys.modules.get(import_name) if isinstance(import_name, str) else None
    return _module_folder(module) if module is not None else None


def template_folders(app: Any) -> list[str]:
    """Where ``app`` looks for templates, in order: overriders, itself, bases.

    Reads ``app.override_modules`` and ``app.base_modules`` (what
    ``pref.overrides``/``pref.extends`` collect); folders that do not exist are
    skipped so a missing ``templates/`` is not an error until a render needs it.
    """
    owners: list[Any] = [*getattr(app, "override_modules", ()), app, *getattr(app, "base_modules", ())]
    folders: list[str] = []
    for owner in owners:
        home = _module_folder(owner)
        if home is None:
            continue
        folder = os.path.join(home, "templates")
        if os.path.isdir(folder) and folder not in folders:
            folders.append(folder)
    return folders


class Templates:
    """The template environment of one app.

    Example:
        >>> templates = Templates(folders=["myapp/templates"])
        >>> @templates.template_filter("reverse")
        ... def reverse(s): return s[::-1]
    """

    def __init__(
        self,
        app: Any = None,
        *,
        folders: Sequence[str] | None = None,
        events: Any = None,
    ) -> None:
        self.app = app
        self._folders = list(folders) if folders is not None else None
        self.events = events
        self._options: dict[str, Any] = {}
        self._globals: dict[str, Callable[..., Any]] = {}
        self._filters: dict[str, Callable[..., Any]] = {}
        self._env: jinja2.Environment | None = None

    # -- environment -----------------------------------------------------------
    @property
    def folders(self) -> list[str]:
        if self._folders is not None:
            return self._folders
        return template_folders(self.app) if self.app is not None else []

    @property
    def env(self) -> jinja2.Environment:
        """The Jinja2 environment (``app.jinja_env``); built on first use."""
        env = self._env
        if env is None:
            env = self._env = self._build_env()
        return env

    def _build_env(self) -> jinja2.Environment:
        import jinja2

        loader = jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader(self.folders),
                jinja2.DictLoader({_DEFAULT_ERROR_NAME: _DEFAULT_ERROR_PAGE}),
            ]
        )
        env = jinja2.Environment(
            loader=loader,
            autoescape=jinja2.select_autoescape(AUTOESCAPE_EXTENSIONS, default_for_string=True),
            **self._options,
        )
        env.filters.update(self._filters)
        for name, func in self._globals.items():
            env.globals[name] = _bind_global(func)
        return env

    def reset(self) -> None:
        """Drop the environment and its cache (after a reload or folder change)."""
        self._env = None

    def jinja_overlay(self, **options: Any) -> jinja2.Environment:
        """Change the template syntax, e.g. for Vue templates.

        Raises:
            TypeError: an option that is not a Jinja2 syntax option.
        """
        unknown = sorted(set(options) - OVERLAY_OPTIONS)
        if unknown:
            raise TypeError(f"jinja_overlay got unknown option(s): {', '.join(unknown)}")
        self._options.update(options)
        self._env = None
        return self.env

    # -- registration ----------------------------------------------------------
    def template_global(self, name: str | None = None) -> Callable[[F], F]:
        """Make ``func(context, *args)`` callable in templates as ``name(*args)``."""

        def decorator(func: F) -> F:
            key = name or func.__name__
            self._globals[key] = func
            if self._env is not None:
                self._env.globals[key] = _bind_global(func)
            return func

        return decorator

    def template_filter(self, name: str | None = None) -> Callable[[F], F]:
        """Make ``func(value, *args)`` usable as ``{{ value | name }}``."""

        def decorator(func: F) -> F:
            key = name or func.__name__
            self._filters[key] = func
            if self._env is not None:
                self._env.filters[key] = func
            return func

        return decorator

    # -- rendering -------------------------------------------------------------
    def exists(self, name: str) -> bool:
        import jinja2

        try:
            self.env.get_template(name)
        except jinja2.TemplateNotFound:
            return False
        return True

    def render(self, context: Any, name: str, /, *dicts: Mapping[str, Any], **variables: Any) -> str:
        """Render ``name`` with the merged ``dicts`` and ``variables`` (later wins).

        ``context`` and ``name`` are positional-only so templates may have a
        variable called ``name`` (``render("hello.j2", name="Hans")``).

        Raises:
            jinja2.TemplateNotFound: no folder has ``name`` (the message lists them).
        """
        merged: dict[str, Any] = {}
        for mapping in dicts:
            if not isinstance(mapping, Mapping):
                raise TypeError(f"render() positional arguments must be dicts, got {type(mapping).__name__}")
            merged.update(mapping)
        merged.update(variables)
        template = self._get_template(name)
        if self.events is not None:
            from .events.names import Event

            self.events.emit_with(context, Event.TEMPLATE_RENDERING, name, merged)
        view = TemplateContext(context, merged)
        return template.render({**merged, "context": view, OLD_CONTEXT_NAME: view})

    def render_error(self, context: Any, error: Any) -> str:
        """An HTML error page for ``error`` (code, message, detail, url, time, traceback).

        The app's own ``errors/<code>.html``, ``<code>.html``, ``errors/default.html``
        or ``error.html`` (also ``.htm``/``.j2``) wins over the built-in page.
        """
        fields = _error_fields(error)
        import jinja2

        candidates = [
            f"{stem}.{ext}"
            for stem in (f"errors/{fields['code']}", str(fields["code"]), "errors/default", "error")
            for ext in ("html", "htm", "j2")
        ]
        candidates.append(_DEFAULT_ERROR_NAME)
        template = self.env.select_template(candidates)
        view_vars: dict[str, Any] = {**fields, "error": error if _has_fields(error) else fields}
        view = TemplateContext(context, view_vars)
        try:
            return template.render({**view_vars, "context": view, OLD_CONTEXT_NAME: view})
        except jinja2.TemplateError:
            if template.name == _DEFAULT_ERROR_NAME:
                raise
            # NOTE: a broken custom error page must not hide the original error.
            fallback = self.env.get_template(_DEFAULT_ERROR_NAME)
            return fallback.render({**view_vars, "context": view, OLD_CONTEXT_NAME: view})

    def _get_template(self, name: str) -> jinja2.Template:
        import jinja2

        try:
            return self.env.get_template(name)
        except jinja2.TemplateNotFound as error:
            if error.name != name:  # an include inside the template is missing
                raise
            folders = ", ".join(self.folders) or "(no templates folder)"
            raise jinja2.TemplateNotFound(name, f"template {name!r} not found in {folders}") from None


def _bind_global(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a ``func(context, ...)`` so templates call it without the context."""
    import jinja2

    @jinja2.pass_context
    def bound(jinja_context: Any, *args: Any, **kwargs: Any) -> Any:
        view = jinja_context.get("context")
        context = view.unwrap() if isinstance(view, TemplateContext) else view
        return func(context, *args, **kwargs)

    bound.__name__ = getattr(func, "__name__", "template_global")
    return bound


_ERROR_FIELDS = ("code", "message", "detail", "url", "time", "traceback")


def _has_fields(error: Any) -> bool:
    return isinstance(error, Mapping) or all(hasattr(error, f) for f in ("code", "message"))


def _error_fields(error: Any) -> dict[str, Any]:
    if isinstance(error, Mapping):
        fields = {key: error.get(key) for key in _ERROR_FIELDS}
    else:
        fields = {key: getattr(error, key, None) for key in _ERROR_FIELDS}
    if fields["code"] is None:
        raise TypeError(f"render_error needs an error with a code, got {error!r}")
    return fields
