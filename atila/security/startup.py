"""Start-up checks: does the app use secrets, and does it need the app-wide hook?

"A missing key is a clear error at start-up when an app uses sessions" (issue
4): we read the bytecode of every route handler and request hook for
attribute access like ``context.session``, ``was.mbox`` or
``context.request.session`` (the first parameter, or its ``request``), so an
unrelated ``db.session`` does not count.  Templates cannot be checked this
way; they fail on first use with the same message.
"""

from __future__ import annotations

import dis
import inspect
from collections.abc import Callable, Iterable
from typing import Any

from .auth import normalize_scheme

__all__ = ["check_secret_users", "needs_app_hook", "SECRET_USING_NAMES"]

SECRET_USING_NAMES = frozenset(
    {
        "session",
        "mbox",
        "csrf_token",
        "csrf_token_input",
        "verify_csrf",
        "csrf_verify",
        "remove_csrf",
        "encode_jwt",
        "mkjwt",
        "decode_jwt",
        "dejwt",
        "JWT",
        "encode_ott",
        "mkott",
        "decode_ott",
        "deott",
        "revoke_ott",
        "rvott",
        "verify_otp",
    }
)
_ATTR_OPS = frozenset({"LOAD_ATTR", "LOAD_METHOD", "STORE_ATTR"})


def uses_secret(func: Callable[..., Any]) -> bool:
    """True when ``func`` reads a secret-backed name from its context argument."""
    func = inspect.unwrap(func)
    code = getattr(func, "__code__", None)
    if code is None or code.co_argcount + code.co_kwonlyargcount == 0:
        return False
    first = code.co_varnames[0]
    previous: Any = None
    for instruction in dis.get_instructions(code):
        if instruction.opname in _ATTR_OPS and instruction.argval in SECRET_USING_NAMES and previous is not None:
            if (previous.opname == "LOAD_FAST" and previous.argval == first) or (
                previous.opname in _ATTR_OPS and previous.argval == "request"
            ):
                return True
        previous = instruction
    return False


def _functions(app: Any) -> Iterable[tuple[str, Callable[..., Any]]]:
    for rule in _rules(app):
        yield f"route {rule.path!r}", rule.func
    hooks = app.request_hooks
    for kind in ("before", "finish", "failed", "teardown"):
        for func in getattr(hooks, kind):
            if callable(func) and not isinstance(func, tuple):
                yield f"{kind}_request hook {getattr(func, '__name__', func)!r}", func


def _rules(app: Any) -> list[Any]:
    return list(getattr(app, "_rule_modules", {}).keys())


def check_secret_users(app: Any) -> list[str]:
    """Where the app uses a secret-backed feature (empty when nowhere)."""
    return [where for where, func in _functions(app) if uses_secret(func)]


def needs_app_hook(app: Any) -> bool:
    """True when the app sets CORS or app-wide auth, or a route sets either as an option."""
    if getattr(app, "access_control_allow_origin", None) or normalize_scheme(getattr(app, "authenticate", None)):
        return True
    for rule in _rules(app):
        options = rule.options
        if options.get("authenticate") or options.get("access_control_allow_origin"):
            return True
    return False
