"""The events Atila itself emits, declared in one place.

Values are dotted (``app.*`` for the life cycle, ``request.*`` for each request,
``template.*`` for rendering) so a listener list reads like a map of where the
framework can be observed.  Users keep writing the short names of the docs
(``app.on("before_mount")``); :func:`canonical` turns either spelling, the
Enum member, or an older alias (``atila.app_starting``) into one key.
Any other string is a custom event and stays as given.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Event", "canonical", "LEGACY_ALIASES"]


class Event(StrEnum):
    # app life cycle, in the order a mount goes through them
    BEFORE_MOUNT = "app.before_mount"
    MOUNTED = "app.mounted"
    BEFORE_RELOAD = "app.before_reload"
    RELOADED = "app.reloaded"
    MOUNTED_OR_RELOADED = "app.mounted_or_reloaded"
    BEFORE_UMOUNT = "app.before_umount"
    UMOUNTED = "app.umounted"
    # request life cycle: before -> finish | failed -> teardown (always)
    BEFORE_REQUEST = "request.before_request"
    FINISH_REQUEST = "request.finish_request"
    FAILED_REQUEST = "request.failed_request"
    TEARDOWN_REQUEST = "request.teardown_request"
    # templates: listeners get (context, template_name, variables)
    TEMPLATE_RENDERING = "template.rendering"

    def __str__(self) -> str:
        return self.value

    @property
    def short_name(self) -> str:
        """The name the docs use: ``before_mount``, ``finish_request``..."""
        return self.value.rsplit(".", 1)[1]


# NOTE: the 0.26-era event names (``@app.on(atila.request_failed)``);
# kept so old apps keep receiving the events they asked for.
LEGACY_ALIASES: dict[str, Event] = {
    "app_starting": Event.BEFORE_MOUNT,
    "app_started": Event.MOUNTED,
    "app_restarting": Event.BEFORE_RELOAD,
    "app_restarted": Event.RELOADED,
    "app_mounted": Event.MOUNTED,
    "app_unmounting": Event.BEFORE_UMOUNT,
    "request_starting": Event.BEFORE_REQUEST,
    "request_success": Event.FINISH_REQUEST,
    "request_finished": Event.FINISH_REQUEST,
    "request_failed": Event.FAILED_REQUEST,
    "request_tearing_down": Event.TEARDOWN_REQUEST,
    "template_rendering": Event.TEMPLATE_RENDERING,
    # the docs' spelling of the unmount events before the rename
    "before_unmount": Event.BEFORE_UMOUNT,
    "unmounted": Event.UMOUNTED,
}

_BY_NAME: dict[str, Event] = {}
for _event in Event:
    _BY_NAME[_event.value] = _event
    _BY_NAME[_event.short_name] = _event
    _BY_NAME[_event.name.lower()] = _event
_BY_NAME.update(LEGACY_ALIASES)
del _event


def canonical(name: str | Event) -> str:
    """The key listeners of ``name`` are stored under.

    >>> canonical("before_mount") == canonical(Event.BEFORE_MOUNT) == "app.before_mount"
    True
    >>> canonical("user-updated")
    'user-updated'
    """
    if isinstance(name, Event):
        return name.value
    if not isinstance(name, str) or not name:
        raise TypeError(f"event name must be a non-empty str or Event, got {name!r}")
    event = _BY_NAME.get(name)
    return event.value if event is not None else name
