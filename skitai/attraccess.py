"""Attribute access to a mapping's items (``config.prefB = 2`` is ``config["prefB"] = 2``).

Skitai's ``Pref.config`` and Atila's request bags and shared stores all expose
their keys as attributes; this mixin is the one implementation.  It works on any
mapping (a ``dict`` subclass or a ``MutableMapping``) because it only goes
through ``self[name]``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["AttrAccess"]


class AttrAccess:
    """Mixin: reading, setting and deleting an attribute reads, sets and deletes the key.

    Attributes the object really has (methods, names set with
    ``object.__setattr__``) are found first, so only missing ones reach the items.
    """

    __slots__ = ()

    #: the message of the AttributeError for a missing key; ``{name!r}`` is filled in
    _missing_attr_message = "{name}"

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]  # type: ignore[index]
        except KeyError:
            raise AttributeError(self._missing_attr_message.format(name=name)) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(self._missing_attr_message.format(name=name)) from None
