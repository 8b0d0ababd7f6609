"""Request ids: one per request, on its answer and in its log lines.

A client (or the proxy in front) may send ``X-Request-ID``; a sane value (1 to
128 characters of letters, digits and ``._:+/=-``) is kept so one id follows a
request through every hop.  Anything else is replaced by a fresh id, so a client
cannot put spaces, quotes or line breaks into logs and headers.  A fresh id is 32
hex digits: 16 random ones drawn once per process (again after a fork) and a
16-digit counter, so ids are unique across workers and hosts without a system
call per request.

The engine writes the id into the request's own headers too: every kind of
mount (Atila's ``context.request.get_header("x-request-id")``, WSGI's
``HTTP_X_REQUEST_ID``, ASGI's headers) sees the same id the answer carries.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import re

from ..contract import Request

__all__ = ["HEADER", "is_sane", "new_id", "assign", "request_id_of", "current_request_id"]

HEADER = "x-request-id"
_SANE = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")

#: the id of the request being answered, for error lines written on its behalf
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("skitai_request_id", default=None)


def is_sane(value: str | None) -> bool:
    return value is not None and _SANE.fullmatch(value) is not None


_prefix = os.urandom(8).hex()
_counter = itertools.count(1)


def _reseed() -> None:
    global _prefix, _counter
    _prefix = os.urandom(8).hex()
    _counter = itertools.count(1)


os.register_at_fork(after_in_child=_reseed)


def new_id() -> str:
    # PERF: a per-process random prefix and a counter instead of os.urandom per request:
    # the urandom system call and hex were a third of the id's cost (cProfile, inproc.py)
    return f"{_prefix}{next(_counter):016x}"


def assign(request: Request) -> str:
    """Give ``request`` its id (kept from the request when sane) and return it."""
    raw = request.headers.raw
    # PERF: most requests carry no id: one plain scan of the names, and the
    # position is looked up only when one is there (enumerate cost more than the rest)
    for name, value in raw:
        if name == HEADER:
            position = raw.index((name, value))
            given = value.strip()
            rid = given if is_sane(given) else new_id()
            if value != rid:
                raw[position] = (HEADER, rid)
            break
    else:
        rid = new_id()
        raw.append((HEADER, rid))
    request.state["request_id"] = rid
    current_request_id.set(rid)
    return rid


def request_id_of(request: Request | None) -> str | None:
    """The id :func:`assign` gave ``request`` (None before dispatch)."""
    if request is None:
        return None
    value = request.state.get("request_id")
    return value if isinstance(value, str) else None
