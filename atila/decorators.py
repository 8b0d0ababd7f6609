"""The decorators an app offers around its handlers: validation, request
hooks, run-before/after chains, conditional pre-work and error handlers.

They only record things (on the app's :class:`~atila.pipeline.RequestHooks`,
its error table, or on the handler via :func:`~atila.marks.attach`); the
pipeline reads them when a route compiles.  Kept apart from ``app.py`` so the
app module stays about configuration, mounting and routing.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from .marks import attach
from .params.validation import Inspector
from .pipeline import RequestHooks

__all__ = ["HookDecorators"]

F = TypeVar("F", bound=Callable[..., Any])


class HookDecorators:
    """Mixed into :class:`atila.Atila`."""

    request_hooks: RequestHooks
    error_handlers: dict[int | None, Callable[..., Any]]

    # -- parameters ----------------------------------------------------------------------
    def inspect(self, *args: Any, **spec: Any) -> Callable[[F], F]:
        """Validate parameters before the handler runs (400 naming field and rule)."""
        inspector = Inspector(*args, **spec)

        def decorator(func: F) -> F:
            return attach(func, "inspect", inspector)

        return decorator

    # -- request hooks ---------------------------------------------------------------------
    def before_request(self, func: F) -> F:
        """``func(context)`` before every handler; a returned value is the answer."""
        return self.request_hooks.add("before", func)

    def finish_request(self, func: F) -> F:
        return self.request_hooks.add("finish", func)

    def failed_request(self, func: F) -> F:
        """``func(context, exc_info)``; a returned value answers instead of the error."""
        return self.request_hooks.add("failed", func)

    def teardown_request(self, func: F) -> F:
        return self.request_hooks.add("teardown", func)

    def run_before(self, *funcs: Callable[..., Any]) -> Callable[[F], F]:
        """Run ``f(context)`` before the handler; the first non-None result answers."""

        def decorator(func: F) -> F:
            for item in funcs:
                attach(func, "before", item)
            return func

        return decorator

    def run_after(self, *funcs: Callable[..., Any]) -> Callable[[F], F]:
        """Run ``f(context)`` after the handler; results are ignored."""

        def decorator(func: F) -> F:
            for item in funcs:
                attach(func, "after", item)
            return func

        return decorator

    def if_file_modified(self, path: str, func: Callable[..., Any], interval: float = 1) -> Callable[[F], F]:
        """Call ``func(context, path)`` before the handler when ``path`` changed
        (checked at most every ``interval`` seconds)."""
        from .conditions import FileModified

        return self.run_before(FileModified(path, func, interval))

    def if_updated(self, key: str, func: Callable[..., Any], interval: float = 1) -> Callable[[F], F]:
        """Call ``func(context, key)`` before the handler when ``key``'s last-update
        time (``context.setlu``) moved."""
        from .conditions import KeyUpdated

        return self.run_before(KeyUpdated(key, func, interval))

    # -- errors ------------------------------------------------------------------------------
    def error_handler(self, code: int) -> Callable[[F], F]:
        def decorator(func: F) -> F:
            self.error_handlers[int(code)] = func
            return func

        return decorator

    def default_error_handler(self, func: F) -> F:
        self.error_handlers[None] = func
        return func
