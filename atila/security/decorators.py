"""The app decorators of the security layer, declared on :class:`atila.Atila`
through the :class:`SecurityDecorators` mixin.

Route checks (``authorization_required``, ``permission_required``,
``login_required``, ``staff_member_required``, ``testpass_required``,
``csrf_verification_required``) and the handlers they ask
(``permission_handler``, ``login_handler``, ``staff_member_check_handler``,
``bearer_handler``, ``password_provider``); the handlers are kept on
``app.security``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from .auth import normalize_scheme
from .checks import authenticate, handler_check, permission_check, route_checks, testpass_check, verify_csrf_check
from .permissions import PermissionRule, guard

__all__ = ["SecurityDecorators"]

F = TypeVar("F", bound=Callable[..., Any])


class SecurityDecorators:
    """Mixed into :class:`atila.Atila`: ``@app.login_required``, ``@app.login_handler``..."""

    #: the app's :class:`~atila.security.integration.SecurityState` (set by ``install``)
    security: Any

    # -- route checks -------------------------------------------------------------------
    def authorization_required(self, scheme: Any = "digest") -> Callable[[F], F]:
        """Require ``basic``, ``digest`` or ``bearer`` authentication for one route."""
        normalized = normalize_scheme(scheme)
        if normalized is None:
            raise ValueError("authorization_required needs a scheme: 'basic', 'digest' or 'bearer'")

        def decorator(func: F) -> F:
            route_checks(func).add("authenticate", lambda context: authenticate(context, normalized))
            return func

        return decorator

    def permission_required(self, perms: Iterable[str] | str | None = None, **rules: Any) -> Callable[[F], F]:
        """``@app.permission_required([...], id=[...], DELETE=[...])``: ask the permission handler."""
        rule = PermissionRule(perms, **rules)

        def decorator(func: F) -> F:
            route_checks(func).add("permission", permission_check(rule))
            return func

        return decorator

    def login_required(self, func: F) -> F:
        """Ask the login handler (``@app.login_handler``) before the route runs."""
        route_checks(func).add("login", handler_check("login", "login_handler"))
        return func

    def staff_member_required(self, func: F) -> F:
        """Ask the staff check (``@app.staff_member_check_handler``) before the route runs."""
        route_checks(func).add("staff", handler_check("staff_member", "staff_member_check_handler"))
        return func

    def testpass_required(self, test: Callable[[Any], Any]) -> Callable[[F], F]:
        """Run ``test(context)``: True/None continue, False is 403, a response is sent as is."""
        if not callable(test):
            raise TypeError("testpass_required needs a function taking the context")

        def decorator(func: F) -> F:
            route_checks(func).add("testpass", testpass_check(test))
            return func

        return decorator

    def csrf_verification_required(self, func: F) -> F:
        """Refuse unsafe requests without this browser's CSRF token (400).

        Works on a route and on any function taking the context first (a
        ``before_request`` hook too), so it wraps rather than attaches.
        """
        return cast(F, guard(func, lambda context, args, kwargs: verify_csrf_check(context)))

    # -- the app's handlers ------------------------------------------------------------------
    def permission_handler(self, func: F) -> F:
        """Register ``func(context, perms)``, asked by ``@app.permission_required``."""
        return self._set_handler("permission_handler", func)

    def login_handler(self, func: F) -> F:
        """Register ``func(context)``, asked by ``@app.login_required``."""
        return self._set_handler("login_handler", func)

    def staff_member_check_handler(self, func: F) -> F:
        """Register ``func(context)``, asked by ``@app.staff_member_required``."""
        return self._set_handler("staff_member_check_handler", func)

    def bearer_handler(self, func: F) -> F:
        """Register ``func(context, token)``, which checks bearer tokens instead of the JWT check."""
        return self._set_handler("bearer_handler", func)

    def password_provider(self, func: F) -> F:
        """Register ``func(context, username)``: the password (or user) for basic and digest auth."""
        return self._set_handler("password_provider", func)

    def _set_handler(self, attribute: str, func: F) -> F:
        setattr(self.security, attribute, func)
        return func
