"""Signed-cookie sessions with a timeout that extends as the session is used.

The documented rules, implemented in :meth:`SessionStore.extend_on_change`:

- setting, altering or removing a value extends the expiry by the app's
  ``session_timeout``; only reading does not;
- ``touch()`` extends by ``session_timeout``, ``set_expiry(t)`` by ``t``;
- after ``set_expiry`` the automatic extension is off until the expiry it set
  is sooner than what ``session_timeout`` would give;
- a namespace mounted with ``extend=False`` is never extended by changes.

The payload keeps the values (``d``), the expiry (``e``), the creation time
(``c``), the length of the current period (``p``, for ``impending``), whether
the expiry was fixed by ``set_expiry`` (``f``) and the writer's address (``a``).
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, ValuesView
from typing import Any

from .cookie_store import NamespacedStores, SignedCookieStore, ensure_json

__all__ = ["Session", "SessionStore", "IMPENDING_RATIO"]

#: ``impending()`` is true when less than this share of the period remains (documented: 20%).
IMPENDING_RATIO = 0.2


class SessionStore(SignedCookieStore):
    """One session namespace."""

    purpose = "atila.session"

    def validate(self, payload: dict[str, Any]) -> dict[str, Any]:
        data, expires = payload.get("d"), payload.get("e")
        if not isinstance(data, dict) or not isinstance(expires, (int, float)):
            return {}
        if expires <= self.clock():
            return {}
        return payload

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.state.setdefault("d", {})
        return data

    def payload(self) -> dict[str, Any]:
        return self.state if self.state.get("d") else {}

    def max_age(self) -> float | None:
        return float(self.state["e"]) - self.clock()

    def _start_period(self, seconds: float, fixed: bool) -> None:
        now = self.clock()
        self.state.setdefault("c", now)
        self.state["e"] = now + seconds
        self.state["p"] = seconds
        self.state["f"] = fixed
        self.mark_dirty()

    def extend_on_change(self) -> None:
        now = self.clock()
        timeout = self.settings.timeout
        if "e" not in self.state or self.state["e"] <= now:
            self._start_period(timeout, False)
        elif self.settings.extend and not (self.state.get("f") and self.state["e"] > now + timeout):
            self._start_period(timeout, False)
        self.mark_dirty()

    def touch(self) -> None:
        self._start_period(self.settings.timeout, False)

    def set_expiry(self, timeout: float) -> None:
        if timeout <= 0:
            raise ValueError(f"session expiry must be positive seconds, not {timeout!r}; use expire()")
        self._start_period(float(timeout), True)

    def expire(self) -> None:
        self.state = {}
        self.mark_dirty()

    def use_time(self) -> float:
        created = self.state.get("c")
        return 0.0 if created is None or self.is_empty() else max(0.0, self.clock() - created)

    def remaining(self) -> float:
        if self.is_empty():
            return 0.0
        return max(0.0, float(self.state["e"]) - self.clock())

    def impending(self) -> bool:
        if self.is_empty():
            return False
        period = float(self.state.get("p") or self.settings.timeout)
        return self.remaining() < period * IMPENDING_RATIO


class Session(NamespacedStores[SessionStore]):
    """``context.session``: a dict-like view of the active session namespace.

    Example:
        >>> from atila.security.cookies import CookieJar
        >>> jar = CookieJar()
        >>> session = Session(jar, "secret", timeout=60)
        >>> session["uid"] = "hans"
        >>> session.commit()
        >>> jar.headers()[0].startswith("ATLSESS=")
        True
    """

    store_class = SessionStore
    default_cookie = "ATLSESS"
    feature = "sessions"

    def mount(
        self,
        name: str | None = None,
        session_timeout: float | None = None,
        securekey: str | bytes | None = None,
        path: str | None = None,
        domain: str | None = None,
        secure: bool | None = None,
        http_only: bool | None = None,
        extend: bool | None = None,
        samesite: str | None = None,
    ) -> "Session":
        """Switch to the named session (created on first write); ``mount()`` is the default one.

        The documentation shows two orders, ``(name, session_timeout, securekey, path, ...)``
        and the older ``(name, securekey, path, ...)``; a second positional argument
        that is not a number is therefore taken as the key (and a third as the path).
        """
        if isinstance(session_timeout, (str, bytes)) and not _is_number(session_timeout):
            if path is None and isinstance(securekey, str):
                path = securekey
            securekey, session_timeout = session_timeout, None
        settings = self._settings_for(
            name,
            timeout=None if session_timeout is None else float(session_timeout),
            secret=securekey,
            path=path,
            domain=domain,
            secure=secure,
            http_only=http_only,
            extend=extend,
            samesite=samesite,
        )
        self._active = self._open(settings)
        return self

    # values ---------------------------------------------------------------
    def set(self, key: str, val: Any) -> None:
        ensure_json(key, val)
        self._active.data[key] = val
        self._active.extend_on_change()

    def get(self, key: str, default: Any = None) -> Any:
        return self._active.state.get("d", {}).get(key, default)

    def getv(self, key: str, default: Any = None) -> Any:
        """``get`` only when the request comes from the address that wrote the session."""
        return self.get(key, default) if self.source_verified() else default

    def remove(self, key: str) -> Any:
        value = self._active.data.pop(key, None)
        self._active.extend_on_change()
        return value

    def update(self, values: Any = (), **more: Any) -> None:
        merged = dict(values, **more)
        for key, val in merged.items():
            ensure_json(key, val)
        self._active.data.update(merged)
        self._active.extend_on_change()

    def pop(self, key: str, default: Any = None) -> Any:
        if key not in self:
            return default
        return self.remove(key)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.set(key, default)
        return self.get(key)

    def clear(self) -> None:
        self._active.data.clear()
        self._active.extend_on_change()

    def keys(self) -> KeysView[str]:
        return self._stored().keys()

    def values(self) -> ValuesView[Any]:
        return self._stored().values()

    def items(self) -> ItemsView[str, Any]:
        return self._stored().items()

    def _stored(self) -> dict[str, Any]:
        """The active namespace's values, without creating them (reading is not writing)."""
        stored: dict[str, Any] = self._active.state.get("d", {})
        return stored

    def has_key(self, key: str) -> bool:
        return key in self

    def __contains__(self, key: object) -> bool:
        return key in self._active.state.get("d", {})

    def __getitem__(self, key: str) -> Any:
        return self._active.state.get("d", {})[key]

    def __setitem__(self, key: str, val: Any) -> None:
        self.set(key, val)

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.remove(key)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self.keys()))

    def __len__(self) -> int:
        return len(self._active.state.get("d", {}))

    def __bool__(self) -> bool:
        return True  # `if was.session:` must not depend on being empty

    # expiry ---------------------------------------------------------------
    def touch(self) -> None:
        """Extend the expiry by the session timeout without changing values."""
        self._active.touch()

    def set_expiry(self, timeout: float) -> None:
        """Expire ``timeout`` seconds from now; auto-extension waits until that is sooner."""
        self._active.set_expiry(timeout)

    def expire(self) -> None:
        """End the session now: values dropped, cookie removed."""
        self._active.expire()

    def use_time(self) -> float:
        """Seconds since this session was created (0 without a session)."""
        return self._active.use_time()

    def remaining(self) -> float:
        """Seconds until the session expires (0 without a session)."""
        return self._active.remaining()

    def impending(self) -> bool:
        """True when less than 20% of the session's period remains."""
        return self._active.impending()

    def __repr__(self) -> str:
        return f"<Session {self.namespace} keys={sorted(self.keys())!r}>"


def _is_number(value: str | bytes) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
