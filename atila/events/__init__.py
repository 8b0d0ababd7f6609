"""Events: the names Atila emits and the per-app bus that delivers them.

The lower-case constants (``@app.on(atila.request_failed)``) are old names;
they live in :mod:`atila.compat`; ``atila`` re-exports them and this package
answers them by name.
"""

from .bus import EventBus, EventHub, event_key
from .names import LEGACY_ALIASES, Event, canonical

__all__ = [
    "Event",
    "EventBus",
    "EventHub",
    "LEGACY_ALIASES",
    "canonical",
    "event_key",
    *LEGACY_ALIASES,
]


def __getattr__(name: str) -> Event:
    # NOTE: the old constants are attributes of atila.compat, which imports
    # this package; reading them lazily keeps the import one-way.
    if name in LEGACY_ALIASES:
        return LEGACY_ALIASES[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
