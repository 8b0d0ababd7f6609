"""Per-route decorations (``run_before``, ``run_after``, ``inspect``, security
checks) recorded on the handler function itself.

Decorators run before the route exists, so they cannot reach an endpoint; they
leave their items on the function and the pipeline collects them when the
route compiles.  A leaf module, so the security package can mark handlers
without importing the pipeline.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

__all__ = ["attach", "attached"]

F = TypeVar("F", bound=Callable[..., Any])


def attach(func: F, kind: str, item: Any) -> F:
    """Record ``item`` under ``kind`` on a handler (read when its route compiles)."""
    store = func.__dict__.setdefault("__atila__", {})
    store.setdefault(kind, []).append(item)
    return func


def attached(func: Callable[..., Any], kind: str) -> list[Any]:
    """Everything attached under ``kind`` along the ``functools.wraps`` chain."""
    items: list[Any] = []
    seen: set[int] = set()
    node: Any = func
    while node is not None:
        for item in getattr(node, "__dict__", {}).get("__atila__", {}).get(kind, ()):
            if id(item) not in seen:
                seen.add(id(item))
                items.append(item)
        node = getattr(node, "__wrapped__", None)
    return items
