"""Using the Django ORM from Atila handlers.

Django keeps one database connection per thread and closes it only at the end
of its own request cycle, which Atila routes do not go through.  ``@orm``
gives a handler that cycle: stale connections are dropped before it runs and
its thread's connections are closed after it, so a worker's thread pool never
holds connections between requests (or across a database restart).

Use it on plain ``def`` handlers: Atila runs them in the worker's thread pool,
where blocking ORM calls belong.  An ``async def`` handler must not use the ORM
directly (Django refuses); call ``context.app.run_in_thread`` instead.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, TypeVar

__all__ = ["orm", "setup"]

F = TypeVar("F", bound=Callable[..., Any])


def setup(settings_module: str) -> Any:
    """Point Django at ``settings_module`` (unless already set) and set it up; returns ``settings``."""
    import os

    import django
    from django.conf import settings

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    django.setup()
    return settings


def orm(func: F) -> F:
    """Run ``func`` between Django's connection clean-ups (see module doc).

    Raises:
        TypeError: on an ``async def`` function (the ORM is synchronous).
    """
    if inspect.iscoroutinefunction(func):
        raise TypeError(f"@orm needs a plain def handler, {func.__qualname__} is async def")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from django.db import close_old_connections, connections

        close_old_connections()
        try:
            return func(*args, **kwargs)
        finally:
            connections.close_all()

    return wrapper  # type: ignore[return-value]
