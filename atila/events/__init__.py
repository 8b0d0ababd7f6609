"""Events: the names Atila emits and the per-app bus that delivers them.

The lower-case constants (``@app.on(atila.request_failed)``, seed 004) live in
:mod:`atila.events.legacy`; this package and ``atila`` re-export them.
"""

from .bus import EventBus, EventHub, event_key
from .legacy import *  # noqa: F403 -- the seed-004 constants, listed in legacy.__all__
from .legacy import __all__ as _LEGACY_NAMES
from .names import LEGACY_ALIASES, Event, canonical

__all__ = [
    "Event",
    "EventBus",
    "EventHub",
    "LEGACY_ALIASES",
    "canonical",
    "event_key",
    *_LEGACY_NAMES,
]
