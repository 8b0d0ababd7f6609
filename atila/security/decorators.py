"""The app decorators of the security layer, bound onto each app by ``install``.

Seed names, all kept: ``authorization_required``, ``permission_handler``,
``permission_required``, ``login_handler``, ``login_required``,
``staff_member_check_handler``, ``staff_member_required``,
``testpass_required``, ``csrf_verification_required``, ``bearer_handler``,
and the password provider (``password_provider``, also ``password_handler``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .auth import normalize_scheme
from .checks import authenticate, handler_check, permission_check, route_checks, testpass_check, verify_csrf_check
from .permissions import PermissionRule, guard

__all__ = ["bind_decorators"]

F = TypeVar("F", bound=Callable[..., Any])


def authorization_required(app: Any, scheme: Any = "digest") -> Callable[[F], F]:
    """Require ``basic``, ``digest`` or ``bearer`` authentication for one route."""
    normalized = normalize_scheme(scheme)
    if normalized is None:
        raise ValueError("authorization_required needs a scheme: 'basic', 'digest' or 'bearer'")

    def decorator(func: F) -> F:
        route_checks(func).add("authenticate", lambda context: authenticate(context, normalized))
        return func

    return decorator


def permission_required(app: Any, perms: Iterable[str] | str | None = None, **rules: Any) -> Callable[[F], F]:
    """``@app.permission_required([...], id=[...], DELETE=[...])``: ask the permission handler."""
    rule = PermissionRule(perms, **rules)

    def decorator(func: F) -> F:
        route_checks(func).add("permission", permission_check(rule))
        return func

    return decorator


def login_required(app: Any, func: F) -> F:
    route_checks(func).add("login", handler_check("login", "login_handler"))
    return func


def staff_member_required(app: Any, func: F) -> F:
    route_checks(func).add("staff", handler_check("staff_member", "staff_member_check_handler"))
    return func


def testpass_required(app: Any, test: Callable[[Any], Any]) -> Callable[[F], F]:
    """Run ``test(context)``: True/None continue, False is 403, a response is sent as is."""
    if not callable(test):
        raise TypeError("testpass_required needs a function taking the context")

    def decorator(func: F) -> F:
        route_checks(func).add("testpass", testpass_check(test))
        return func

    return decorator


def csrf_verification_required(app: Any, func: F) -> F:
    """Refuse unsafe requests without this browser's CSRF token (400).

    Works on a route and on any function taking the context first (the seed
    decorates a ``before_request`` hook), so it wraps rather than attaches.
    """
    return guard(func, lambda context, args, kwargs: verify_csrf_check(context))  # type: ignore[return-value]


def _handler_setter(attribute: str) -> Callable[[Any, F], F]:
    def register(app: Any, func: F) -> F:
        setattr(app.security, attribute, func)
        return func

    register.__name__ = attribute
    register.__doc__ = f"Register the app's {attribute.replace('_', ' ')}."
    return register


_DECORATORS: dict[str, Callable[..., Any]] = {
    "authorization_required": authorization_required,
    "permission_required": permission_required,
    "login_required": login_required,
    "staff_member_required": staff_member_required,
    "testpass_required": testpass_required,
    "csrf_verification_required": csrf_verification_required,
    "permission_handler": _handler_setter("permission_handler"),
    "login_handler": _handler_setter("login_handler"),
    "staff_member_check_handler": _handler_setter("staff_member_check_handler"),
    "bearer_handler": _handler_setter("bearer_handler"),
    "password_provider": _handler_setter("password_provider"),
    "password_handler": _handler_setter("password_provider"),
}


def bind_decorators(app: Any) -> None:
    """Make each decorator an attribute of ``app`` (``app.permission_required(...)``)."""
    for name, decorator in _DECORATORS.items():
        if not hasattr(type(app), name):
            setattr(app, name, functools.partial(decorator, app))
