"""The ``@app.route(path, **options)`` keywords Atila knows, declared once.

Why a table: an option nobody reads is a silent no-op, and the user who wrote
an option documented but not built yet or ``authenticat=...`` (a typo)
would get a route that quietly does something else.  So every keyword is
looked up here when the route is added: a built option passes, an option the
docs describe but this version does not implement yet is refused with that
said, an unknown one is refused naming the closest known option.

Building an option is then one line: move it from ``NOT_BUILT`` to ``BUILT``
(the code that reads ``rule.options[...]`` lands in the same change).
"""

from __future__ import annotations

import difflib
import logging
from enum import Enum
from typing import Any

__all__ = ["OptionState", "ROUTE_OPTIONS", "check_route_options"]

logger = logging.getLogger("atila.routing")


class OptionState(Enum):
    #: read by the framework: the option does what the docs say
    BUILT = "built"
    #: documented, not implemented in this version: refused unless falsy
    NOT_BUILT = "not built yet"
    #: accepted and ignored with a warning (a misspelling printed in old docs)
    IGNORED = "ignored"


BUILT = OptionState.BUILT
NOT_BUILT = OptionState.NOT_BUILT
IGNORED = OptionState.IGNORED

#: every route keyword besides ``methods``, ``content_types`` and ``name``
ROUTE_OPTIONS: dict[str, OptionState] = {
    "authenticate": BUILT,
    "access_control_allow_origin": BUILT,
    "access_control_max_age": BUILT,
    "access_control_allow_headers": BUILT,
    "access_control_expose_headers": BUILT,
    "access_control_allow_credentials": BUILT,
    "access_control_allow_methods": BUILT,
    # False: the route is left out of the app's OpenAPI document (atila.openapi)
    "openapi": BUILT,
    "coroutine": BUILT,
    "input_stream": BUILT,
    "stream": BUILT,
    # NOTE: the old docs' multiple-routes example spells ``methods`` so; it ran
    # (allowing every method), so it still runs, with a warning.
    "mehotd": IGNORED,
}

_SIGNATURE_NAMES = ("methods", "content_types", "name")


def check_route_options(path: str, options: dict[str, Any]) -> dict[str, Any]:
    """The options a route keeps; refuses the ones it must not silently drop.

    Raises:
        ValueError: an unknown option (naming the closest known one), or a
            documented option this version does not implement, given a true value.
    """
    kept: dict[str, Any] = {}
    for key, value in options.items():
        state = ROUTE_OPTIONS.get(key)
        if state is BUILT:
            kept[key] = value
        elif state is NOT_BUILT:
            if value:
                raise ValueError(
                    f"route {path!r}: option {key}={value!r} is documented but not built in this "
                    f"version of Atila; remove it (the route would otherwise answer wrongly)"
                )
        elif state is IGNORED:
            hint = _closest(key, _SIGNATURE_NAMES)
            logger.warning("route %r: option %r is ignored%s", path, key, f" (did you mean {hint!r}?)" if hint else "")
        else:
            hint = _closest(key, (*ROUTE_OPTIONS, *_SIGNATURE_NAMES))
            raise ValueError(
                f"route {path!r}: unknown option {key!r}"
                + (f" (did you mean {hint!r}?)" if hint else "")
                + f"; route options are {', '.join(sorted(k for k, s in ROUTE_OPTIONS.items() if s is BUILT))}"
            )
    return kept


def _closest(name: str, choices: Any) -> str | None:
    found = difflib.get_close_matches(name, [c for c in choices if c != name], n=1, cutoff=0.6)
    return found[0] if found else None
