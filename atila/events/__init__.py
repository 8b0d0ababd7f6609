"""Events: the names Atila emits and the per-app bus that delivers them.

The lower-case constants are the attribute names older apps import from the
package (``@app.on(atila.request_failed)``, seed 004); ``atila/__init__.py``
re-exports them.
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
    "app_starting",
    "app_started",
    "app_restarting",
    "app_restarted",
    "app_mounted",
    "app_unmounting",
    "request_starting",
    "request_success",
    "request_finished",
    "request_failed",
    "request_tearing_down",
    "template_rendering",
]

app_starting = LEGACY_ALIASES["app_starting"]
app_started = LEGACY_ALIASES["app_started"]
app_restarting = LEGACY_ALIASES["app_restarting"]
app_restarted = LEGACY_ALIASES["app_restarted"]
app_mounted = LEGACY_ALIASES["app_mounted"]
app_unmounting = LEGACY_ALIASES["app_unmounting"]
request_starting = LEGACY_ALIASES["request_starting"]
request_success = LEGACY_ALIASES["request_success"]
request_finished = LEGACY_ALIASES["request_finished"]
request_failed = LEGACY_ALIASES["request_failed"]
request_tearing_down = LEGACY_ALIASES["request_tearing_down"]
template_rendering = LEGACY_ALIASES["template_rendering"]
