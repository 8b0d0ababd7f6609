"""Permission rules and the guard that runs a check before a handler.

``@app.permission_required(perms, param=[...], METHOD=[...])`` (documented)
picks the permissions a request needs, then the app's permission handler
decides whether the user has them:

1. a method rule (``DELETE=["admin"]``) wins for that method;
2. else a parameter rule (``id=["staff"]``) applies when that parameter is
   present and is not ``"me"`` (a user may always act on themself);
3. else the base list (``[]`` means "any authenticated user").

``notme`` addresses everyone but the user: allowed for reading, answered
with 421 on unsafe methods, because "DELETE /users/notme" would delete every
other user (documented under "Pre-Defined Parameter Values").

Check functions (permission, login, testpass handlers) answer the same way:
``None``/``True`` continue, ``False`` refuses with 403, a string refuses with
403 and that message, and anything else (a response) is sent as is.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .errors import SecurityError

__all__ = ["PermissionRule", "SAFE_METHODS", "HTTP_METHODS", "check_outcome", "guard"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

#: a check passed: the handler runs
CONTINUE = None


class PermissionRule:
    """What ``@app.permission_required(...)`` was given, resolved per request.

    Example:
        >>> rule = PermissionRule(["user"], id=["staff"], DELETE=["admin"])
        >>> rule.required("GET", {"id": "me"}), rule.required("GET", {"id": 100})
        (['user'], ['staff'])
        >>> rule.required("DELETE", {"id": 100})
        ['admin']
    """

    def __init__(self, perms: Iterable[str] | str | None = None, **rules: Iterable[str] | str) -> None:
        self.base = _as_list(perms)
        self.methods: dict[str, list[str]] = {}
        self.params: dict[str, list[str]] = {}
        for name, value in rules.items():
            if name.upper() == name and name in HTTP_METHODS:
                self.methods[name] = _as_list(value)
            else:
                self.params[name] = _as_list(value)

    def required(self, method: str, params: Mapping[str, Any], path_params: Iterable[str] = ()) -> list[str]:
        """The permissions this request needs; raises 421 for ``notme`` on unsafe methods."""
        method = method.upper()
        if method not in SAFE_METHODS:
            for name in set(self.params) | set(path_params):
                if params.get(name) == "notme":
                    raise SecurityError(421, f"'notme' is not allowed with {method} (parameter {name!r})")
        if method in self.methods:
            return list(self.methods[method])
        for name, perms in self.params.items():
            value = params.get(name)
            if value is not None and value != "me":
                return list(perms)
        return list(self.base)


def _as_list(value: Iterable[str] | str | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def check_outcome(result: Any, what: str) -> Any:
    """Turn a check function's answer into CONTINUE, a raised 403, or a response to send."""
    if result is None or result is True:
        return CONTINUE
    if result is False:
        raise SecurityError(403, f"{what} refused the request")
    if isinstance(result, str):
        raise SecurityError(403, result)
    return result


Check = Callable[[Any, tuple[Any, ...], dict[str, Any]], Any]


def guard(func: Callable[..., Any], check: Check) -> Callable[..., Any]:
    """Wrap a handler ``func(context, ...)`` so ``check(context, args, kwargs)`` runs first.

    ``check`` returns CONTINUE, a response (sent instead of calling ``func``),
    or raises.  The wrapper keeps ``func``'s signature (``__wrapped__``) so
    parameter binding sees the handler's own arguments, and stays a coroutine
    function when ``func`` is one; a check may itself be async there.
    """
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(context: Any, *args: Any, **kwargs: Any) -> Any:
            outcome = check(context, args, kwargs)
            if inspect.isawaitable(outcome):
                outcome = await outcome
            if outcome is not CONTINUE:
                return outcome
            return await func(context, *args, **kwargs)

        return async_wrapper

    @functools.wraps(func)
    def wrapper(context: Any, *args: Any, **kwargs: Any) -> Any:
        outcome = check(context, args, kwargs)
        if inspect.isawaitable(outcome):
            close = getattr(outcome, "close", None)
            if close is not None:
                close()
            raise TypeError(f"an async check cannot guard the sync handler {func.__qualname__}")
        if outcome is not CONTINUE:
            return outcome
        return func(context, *args, **kwargs)

    return wrapper
