"""The message box (``context.mbox``): flash messages kept in a signed cookie.

Lifetimes (documented under "Messaging Box"):

- ``valid=0`` (the default): shown once.  A message read by ``get()`` during a
  request that then succeeds is deleted; one not read yet waits in the
  cookie for the next request that reads it, however late that is.
- ``valid=N``: shown by every ``get()`` for N seconds after it was sent,
  then dropped.

Each message is ``(message_id, category, created, valid, msg, extra)``.
"""

from __future__ import annotations

from typing import Any

from .cookie_store import NamespacedStores, SignedCookieStore, ensure_json

__all__ = ["MessageBox", "MessageStore", "Message"]

Message = tuple[int, str, float, float, str, dict[str, Any]]


class MessageStore(SignedCookieStore):
    """One message box namespace: ``state = {"m": [[id, category, created, valid, msg, extra], ...], "n": next_id}``."""

    purpose = "atila.mbox"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: ids read during this request; valid=0 ones among them go on commit(success=True)
        self.consumed: set[int] = set()

    def validate(self, payload: dict[str, Any]) -> dict[str, Any]:
        messages = payload.get("m")
        if not isinstance(messages, list) or not isinstance(payload.get("n"), int):
            return {}
        now = self.clock()
        live = [m for m in messages if isinstance(m, list) and len(m) == 6 and _alive(m, now)]
        if len(live) != len(messages):
            self.dirty = True  # write back without the expired ones
        return {"m": live, "n": payload["n"], "a": payload.get("a")}

    @property
    def messages(self) -> list[list[Any]]:
        messages: list[list[Any]] = self.state.setdefault("m", [])
        return messages

    def payload(self) -> dict[str, Any]:
        """The messages to keep: shown-once messages read by this request are left out."""
        kept = [m for m in self.state.get("m", []) if m[3] or m[0] not in self.consumed]
        return {"m": kept, "n": self.state.get("n", 0)} if kept else {}

    def max_age(self) -> float | None:
        # valid=0 messages wait for the next reader, so the cookie outlives the browser session
        return None


def _alive(message: list[Any], now: float) -> bool:
    created, valid = message[2], message[3]
    return not valid or created + valid > now


class MessageBox(NamespacedStores[MessageStore]):
    """``context.mbox``.

    Example:
        >>> from atila.security.cookies import CookieJar
        >>> box = MessageBox(CookieJar(), "secret")
        >>> mid = box.send("Saved", "success", icon="check")
        >>> [(m[1], m[4], m[5]) for m in box.get("success")]
        [('success', 'Saved', {'icon': 'check'})]
    """

    store_class = MessageStore
    default_cookie = "ATLMBOX"
    feature = "the message box"

    def mount(
        self,
        name: str | None = None,
        securekey: str | bytes | None = None,
        path: str | None = None,
        domain: str | None = None,
        secure: bool | None = None,
        http_only: bool | None = None,
        samesite: str | None = None,
    ) -> "MessageBox":
        """Switch to the named message box; ``mount()`` returns to the default one."""
        settings = self._settings_for(
            name,
            secret=securekey,
            path=path,
            domain=domain,
            secure=secure,
            http_only=http_only,
            samesite=samesite,
        )
        self._active = self._open(settings)
        return self

    def send(self, msg: str, category: str = "info", valid: float = 0, **extra: Any) -> int:
        """Queue a message; returns its id.  ``valid`` is seconds to keep showing it."""
        if valid < 0:
            raise ValueError(f"valid must be 0 (show once) or positive seconds, not {valid!r}")
        ensure_json("extra", extra)
        ensure_json("msg", msg)
        store = self._active
        message_id = int(store.state.get("n", 0)) + 1
        store.state["n"] = message_id
        store.messages.append([message_id, category, store.clock(), valid, msg, extra])
        store.mark_dirty()
        return message_id

    push = send  # older spelling

    def _live(self) -> list[list[Any]]:
        now = self._active.clock()
        return [m for m in self._active.state.get("m", []) if _alive(m, now)]

    def get(self, *filters: Any) -> list[Message]:
        """Messages, oldest first: all, by category(ies), or by an ``extra`` key and value.

        ``get("notice", "news")`` matches both the categories "notice" and
        "news" (the documented template) and messages whose extra has notice="news"
        (the documented ``get(key, val)``).
        """
        matched = [m for m in self._live() if _matches(m, filters)]
        store = self._active
        newly_read = {m[0] for m in matched if not m[3]} - store.consumed
        if newly_read:
            store.consumed |= newly_read
            store.mark_dirty()
        return [(m[0], m[1], m[2], m[3], m[4], dict(m[5])) for m in matched]

    def getv(self, *filters: Any) -> list[Message]:
        """``get`` only when the request comes from the address that wrote the box."""
        return self.get(*filters) if self.source_verified() else []

    def search(self, key: str, val: Any = None) -> list[int]:
        """Ids of messages whose extra has ``key == val``; with no ``val``, whose category is ``key``."""
        if val is None:
            return [m[0] for m in self._live() if m[1] == key]
        return [m[0] for m in self._live() if m[5].get(key) == val]

    def remove(self, message_id: int) -> bool:
        """Delete one message now; False when there is no such message."""
        store = self._active
        before = len(store.messages)
        store.state["m"] = [m for m in store.messages if m[0] != message_id]
        if len(store.state["m"]) != before:
            store.mark_dirty()
            return True
        return False

    def commit(self, success: bool = True) -> None:
        """Write the boxes; shown-once messages read are dropped only when the request succeeded."""
        for store in self._stores.values():
            if not success:
                store.consumed.clear()
            store.commit(self._secure_request)

    def __len__(self) -> int:
        return len(self._live())

    def __repr__(self) -> str:
        return f"<MessageBox {self.namespace} messages={len(self)}>"


def _matches(message: list[Any], filters: tuple[Any, ...]) -> bool:
    if not filters:
        return True
    if message[1] in filters:
        return True
    return len(filters) == 2 and message[5].get(filters[0], _MISSING) == filters[1]


_MISSING = object()
