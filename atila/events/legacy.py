"""The lower-case event constants of seed 004 (``@app.on(atila.request_failed)``).

Older apps import these from ``atila`` or ``atila.events``; both packages
re-export this module's ``__all__`` so the list is written once.
"""

from __future__ import annotations

from .names import LEGACY_ALIASES

__all__ = [
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
