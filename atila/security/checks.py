"""Security checks that run before a handler, and the app decorators that add them.

A route's checks are kept in one :class:`RouteChecks` attached to the handler
as a single "before" item (``atila.marks.attach``), so they run in a fixed
order whatever order the decorators were written in: authenticate, CSRF,
login, permission, testpass.  App-wide authentication and CORS run earlier,
from the app's request hook (:func:`app_security_hook`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ..marks import attach
from .auth import AuthUser, jwt_bearer_check, normalize_scheme
from .cors import CorsPolicy, is_preflight
from .csrf import UNSAFE_METHODS, submitted_token
from .errors import SecurityError
from .permissions import PermissionRule, check_outcome

__all__ = ["RouteChecks", "route_checks", "authenticate", "cors_policy", "app_security_hook", "ORDER"]

ORDER = {"authenticate": 10, "csrf": 20, "login": 30, "permission": 40, "staff": 45, "testpass": 50}

Check = Callable[[Any], Any]


class RouteChecks:
    """The security checks of one handler, run as one before-hook in ``ORDER``."""

    def __init__(self) -> None:
        self.items: list[tuple[int, int, Check]] = []

    def add(self, kind: str, check: Check) -> None:
        self.items.append((ORDER[kind], len(self.items), check))
        self.items.sort(key=lambda item: (item[0], item[1]))

    def __call__(self, context: Any) -> Any:
        checks = [check for _, _, check in self.items]
        return _run(checks, context)


def _run(checks: list[Check], context: Any) -> Any:
    for index, check in enumerate(checks):
        outcome = check(context)
        if inspect.isawaitable(outcome):
            return _run_async(outcome, checks[index + 1 :], context)
        if outcome is not None:
            return outcome
    return None


async def _run_async(pending: Any, rest: list[Check], context: Any) -> Any:
    outcome = await pending
    if outcome is not None:
        return outcome
    for check in rest:
        outcome = check(context)
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if outcome is not None:
            return outcome
    return None


def route_checks(func: Callable[..., Any]) -> RouteChecks:
    """The handler's RouteChecks, attached on first use."""
    checks = func.__dict__.get("__atila_security__")
    if checks is None:
        checks = RouteChecks()
        func.__dict__["__atila_security__"] = checks
        attach(func, "before", checks)
    return checks


# -- individual checks ---------------------------------------------------------------
def authenticate(context: Any, scheme: str) -> None:
    """Authenticate the request with ``scheme`` and set ``request.user`` (401 otherwise)."""
    app = context.app
    state = app.security
    request = context.request
    lookup = None
    if state.password_provider is not None:
        provider = state.password_provider

        def lookup(username: str) -> Any:
            return provider(context, username)

    elif getattr(app, "users", None) is not None:
        lookup = app.users.get
    user = state.authenticator().authenticate(
        scheme,
        request.method,
        request.uri,
        request.get_header("authorization"),
        lookup,
        _bearer_check(context) if scheme == "bearer" else None,
    )
    set_user(context, user)
    return None


def set_user(context: Any, user: Any) -> None:
    context.user = user


def _bearer_check(context: Any) -> Callable[[str], AuthUser | str]:
    app = context.app
    default = jwt_bearer_check(app.security.secret(), app.security.realm())
    handler = app.security.bearer_handler
    if handler is None:
        return default

    def check(token: str) -> AuthUser | str:
        result = handler(context, token)
        if isinstance(result, AuthUser):
            return result
        if result is not None and result is not True:
            return str(result) if not isinstance(result, bool) else "invalid token"
        # the handler accepted the token: its user, or the JWT's, or an anonymous bearer
        user = context.request.user
        if isinstance(user, AuthUser) or user is not None:
            return user if isinstance(user, AuthUser) else AuthUser(str(user), app.security.realm(), user, "bearer")
        decoded = default(token)
        return decoded if isinstance(decoded, AuthUser) else AuthUser("", app.security.realm(), None, "bearer")

    return check


def verify_csrf_check(context: Any) -> None:
    """400 when an unsafe request does not carry this browser's CSRF token."""
    request = context.request
    if request.method not in UNSAFE_METHODS:
        return None
    data = request.DATA
    token = submitted_token(data if isinstance(data, dict) else None, request.get_header)
    if not context.csrf.verify(token):
        raise SecurityError(400, "missing or invalid CSRF token")
    return None


def handler_check(kind: str, attribute: str) -> Check:
    """A check calling the app's ``attribute`` handler (login, staff) with the context."""

    def check(context: Any) -> Any:
        handler = getattr(context.app.security, attribute)
        if handler is None:
            raise RuntimeError(f"@app.{kind}_required is used but no @app.{attribute} is registered")
        return _outcome(handler(context), kind)

    return check


def permission_check(rule: PermissionRule) -> Check:
    def check(context: Any) -> Any:
        handler = context.app.security.permission_handler
        if handler is None:
            raise RuntimeError("@app.permission_required is used but no @app.permission_handler is registered")
        request = context.request
        params = dict(request.ARGS)
        perms = rule.required(request.method, params, path_params=(context._params or {}).keys())
        return _outcome(handler(context, perms), "permission handler")

    return check


def testpass_check(func: Callable[[Any], Any]) -> Check:
    def check(context: Any) -> Any:
        return _outcome(func(context), "testpass")

    return check


def _outcome(result: Any, what: str) -> Any:
    if inspect.isawaitable(result):
        return _await_outcome(result, what)
    return check_outcome(result, what)


async def _await_outcome(result: Any, what: str) -> Any:
    return check_outcome(await result, what)


# -- app-wide: CORS and authentication ---------------------------------------------------
_CORS_OPTIONS = (
    "access_control_allow_origin",
    "access_control_max_age",
    "access_control_allow_headers",
    "access_control_expose_headers",
    "access_control_allow_credentials",
    "access_control_allow_methods",
)


def cors_policy(app: Any, rule: Any) -> CorsPolicy:
    """The route's CORS options over the app's (a route may set only some)."""
    options = rule.options if rule is not None else {}
    values = {name: options.get(name, getattr(app, name, None)) for name in _CORS_OPTIONS}
    return CorsPolicy.build(
        values["access_control_allow_origin"],
        values["access_control_max_age"],
        values["access_control_allow_headers"],
        values["access_control_expose_headers"],
        values["access_control_allow_credentials"],
        values["access_control_allow_methods"],
    )


def app_security_hook(context: Any) -> Any:
    """App request hook: CORS (preflight, origin check, headers), then route or app authentication."""
    app = context.app
    rule = context._rule
    request = context.request
    origin = request.get_header("origin")
    if origin:
        policy = cors_policy(app, rule)
        if policy.check(origin, request.scheme, request.host):
            if is_preflight(request.method, origin, request.get_header("access-control-request-method")):
                headers = policy.preflight(
                    origin,
                    request.get_header("access-control-request-method"),
                    request.get_header("access-control-request-headers"),
                    rule.allow if rule is not None and rule.methods is not None else None,
                )
                return context.response(204, b"", headers)
            for name, value in policy.response_headers(origin):
                context.response.append_header(name, value)
    options = rule.options if rule is not None else {}
    scheme = normalize_scheme(options.get("authenticate") or getattr(app, "authenticate", None))
    if scheme is not None and request.method != "OPTIONS":
        authenticate(context, scheme)
    return None


def preflight_headers(app: Any, request: Any, rule: Any, allow: list[str]) -> list[tuple[str, str]]:
    """``app.preflight``: CORS headers for the OPTIONS answers the router makes itself."""
    origin = request.headers.get("origin")
    method = request.headers.get("access-control-request-method")
    policy = cors_policy(app, rule)
    if not origin or not method or not policy.enabled:
        return []
    if not policy.check(origin, request.scheme, request.host):
        return []
    return policy.preflight(origin, method, request.headers.get("access-control-request-headers"), allow)


__all__ += ["verify_csrf_check", "handler_check", "permission_check", "testpass_check", "preflight_headers", "set_user"]
