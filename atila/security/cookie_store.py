"""State kept in signed cookies, in named namespaces: the base of sessions and mbox.

Several named session and mbox objects can be created with ``mount()``, as
documented; each name is its own cookie with its own key, path and timeout.
The request-facing object (``context.session``, ``context.mbox``) points at
one namespace at a time; ``mount(name, ...)`` switches it and ``mount()``
switches back to the default.  Every namespace touched during the request is
written back by ``commit()`` when the response is built.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from .cookies import CookieJar
from .errors import MissingSecretKey
from .signing import SignedCodec

__all__ = ["StoreSettings", "SignedCookieStore", "NamespacedStores"]

_NAMESPACE = re.compile(r"[A-Za-z0-9_\-]{1,64}\Z")


@dataclass(frozen=True)
class StoreSettings:
    """Where and how one namespace's cookie is kept.

    Defaults follow current practice rather than the 2015 documentation: HttpOnly (no
    script reads the session), SameSite=Lax (no cross-site POST carries it),
    Secure when the request came over HTTPS (``secure=None``).
    """

    cookie_name: str
    secret: str | bytes
    timeout: float = 1200.0
    path: str = "/"
    domain: str | None = None
    secure: bool | None = None
    http_only: bool = True
    samesite: str | None = "Lax"
    extend: bool = True


class SignedCookieStore:
    """One namespace: a signed JSON payload in one cookie.

    Subclasses keep their data in ``self.state`` (a dict that must stay JSON
    serialisable) and call ``mark_dirty()`` when it changes.
    """

    purpose = "atila.store"

    def __init__(
        self, settings: StoreSettings, jar: CookieJar, remote_addr: str | None, clock: Callable[[], float]
    ) -> None:
        self.settings = settings
        self.jar = jar
        self.remote_addr = remote_addr
        self.clock = clock
        self.codec = SignedCodec(settings.secret, f"{self.purpose}:{settings.cookie_name}")
        self.dirty = False  # validate() may set it (to drop expired parts)
        #: set by NamespacedStores in auto-commit mode: write the cookie on every change
        self.on_dirty: Callable[[SignedCookieStore], None] | None = None
        payload = self.codec.loads(jar.incoming(settings.cookie_name))
        self.state: dict[str, Any] = self.validate(payload) if isinstance(payload, dict) else {}
        #: True when the request carried a valid, unexpired cookie for this namespace
        self.loaded = bool(self.state)

    def validate(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Return the payload to use, or {} when it is expired or malformed."""
        return payload

    def mark_dirty(self) -> None:
        self.dirty = True
        if self.on_dirty is not None:
            self.on_dirty(self)

    def payload(self) -> dict[str, Any]:
        """What goes into the cookie (the state, unless a subclass filters it)."""
        return self.state

    def is_empty(self) -> bool:
        return not self.payload()

    def max_age(self) -> float | None:
        """Seconds the cookie should live in the browser; None for a browser-session cookie."""
        return None

    def source_verified(self) -> bool:
        """True when this request comes from the address that last wrote the cookie."""
        return self.remote_addr is not None and self.state.get("a") == self.remote_addr

    def commit(self, secure_request: bool) -> None:
        """Write the cookie (or its removal) into the jar when anything changed."""
        if not self.dirty:
            return
        s = self.settings
        secure = secure_request if s.secure is None else s.secure
        if self.is_empty():
            if self.jar.incoming(s.cookie_name) is not None:
                self.jar.set(s.cookie_name, "", "now", s.path, s.domain, secure, s.http_only, s.samesite)
            return
        payload = dict(self.payload(), a=self.remote_addr)
        age = self.max_age()
        expires: Any = None if age is None else max(1, int(age + 0.999))
        token = self.codec.dumps(payload)
        self.jar.set(s.cookie_name, token, expires, s.path, s.domain, secure, s.http_only, s.samesite)
        self.dirty = False


def ensure_json(key: str, value: Any) -> None:
    """Refuse values the cookie cannot carry now, not later when the response is built."""
    try:
        json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"value for {key!r} must be JSON serialisable to live in a cookie: {exc}") from None


S = TypeVar("S", bound=SignedCookieStore)


class NamespacedStores(Generic[S]):
    """The request-facing object: one active namespace, switched by ``mount``."""

    store_class: type[S]
    default_cookie = "ATLSTORE"
    feature = "signed cookies"

    def __init__(
        self,
        jar: CookieJar,
        secret: str | bytes | None,
        timeout: float = 1200.0,
        remote_addr: str | None = None,
        secure_request: bool = False,
        clock: Callable[[], float] = time.time,
        auto_commit: bool = False,
    ) -> None:
        if not secret:
            raise MissingSecretKey(self.feature)
        self._jar = jar
        self._remote_addr = remote_addr
        self._secure_request = secure_request
        self._clock = clock
        self._auto_commit = auto_commit
        self._default = StoreSettings(self.default_cookie, secret, float(timeout), path=jar.default_path)
        self._stores: dict[str, S] = {}
        self._active = self._open(self._default)

    def _cookie_name(self, name: str | None) -> str:
        if name is None:
            return self.default_cookie
        if not _NAMESPACE.match(name):
            raise ValueError(f"namespace name {name!r}: use 1-64 letters, digits, '_' or '-'")
        return f"{self.default_cookie}_{name}"

    def _open(self, settings: StoreSettings) -> S:
        store = self._stores.get(settings.cookie_name)
        if store is None or store.settings.secret != settings.secret:
            store = self.store_class(settings, self._jar, self._remote_addr, self._clock)
            if self._auto_commit:
                secure = self._secure_request
                store.on_dirty = lambda changed: changed.commit(secure)
            self._stores[settings.cookie_name] = store
        elif store.settings != settings:
            store.settings = settings
            store.mark_dirty()  # the cookie attributes changed: write it again
        return store

    def _settings_for(self, name: str | None, **options: Any) -> StoreSettings:
        changes = {k: v for k, v in options.items() if v is not None}
        changes.setdefault("path", self._jar.default_path)
        return replace(self._default, cookie_name=self._cookie_name(name), **changes)

    def exists(self, name: str | None = None) -> bool:
        """True when the request carried a valid, unexpired cookie for ``name``."""
        cookie_name = self._cookie_name(name)
        store = self._stores.get(cookie_name)
        if store is None:
            settings = replace(self._default, cookie_name=cookie_name)
            store = self.store_class(settings, self._jar, self._remote_addr, self._clock)
        return store.loaded and not store.is_empty()

    def commit(self) -> None:
        """Write every namespace changed during the request into the cookie jar."""
        for store in self._stores.values():
            store.commit(self._secure_request)

    @property
    def namespace(self) -> str:
        return self._active.settings.cookie_name

    def source_verified(self) -> bool:
        return self._active.source_verified()
