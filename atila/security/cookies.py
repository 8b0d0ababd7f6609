"""Request cookies in, ``Set-Cookie`` header values out.

Parsing is tolerant on purpose (RFC 6265 5.4 is what browsers send, but real
traffic carries stray spaces, quoted values and garbage pairs): a malformed
pair is skipped instead of failing the whole request, which is what
``http.cookies.SimpleCookie`` does.  Values are percent-encoded on the way out
so any text (spaces, ``;``, non-ASCII) round-trips through the browser.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from email.utils import formatdate
from urllib.parse import quote, unquote

__all__ = [
    "parse_cookie_header",
    "format_set_cookie",
    "CookieJar",
    "SAMESITE_VALUES",
    "NEVER_SECONDS",
]

#: ``expires="never"`` means a hundred years from now (as documented).
NEVER_SECONDS = 100 * 365 * 24 * 3600
SAMESITE_VALUES = ("Lax", "Strict", "None")

# RFC 6265 4.1.1: cookie-name is an RFC 9110 token.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
# cookie-octet minus "%" (kept for our own percent-encoding).
_SAFE_VALUE_CHARS = "!#$&'()*+-./:<=>?@[]^_`{|}~"
_ATTRIBUTE_TEXT = re.compile(r"[^;\x00-\x1f\x7f]*\Z")

Expires = None | int | float | str


def parse_cookie_header(header: str | None) -> dict[str, str]:
    """Cookie pairs of a request's ``Cookie`` header; the first of a name wins.

    RFC 6265 5.4 orders the more specific path first, so the first value is the
    one meant for this URL.

    Example:
        >>> parse_cookie_header('a=1; b="two%20words"; junk; =x; a=3')
        {'a': '1', 'b': 'two words'}
    """
    cookies: dict[str, str] = {}
    if not header:
        return cookies
    for part in header.split(";"):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not name or name in cookies:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        cookies[name] = unquote(value)
    return cookies


def _expiry_attributes(expires: Expires, now: float) -> list[str]:
    if expires is None:
        return []  # a session cookie: gone when the browser closes
    if expires == "now":
        seconds = 0.0
    elif expires == "never":
        seconds = float(NEVER_SECONDS)
    elif isinstance(expires, (int, float)) and not isinstance(expires, bool):
        seconds = max(0.0, float(expires))
    else:
        raise ValueError(f"cookie expires must be None, seconds, 'now' or 'never', not {expires!r}")
    if seconds == 0:
        # RFC 6265 5.3 step 3: Max-Age wins; Expires in the past covers old clients.
        return ["Expires=Thu, 01 Jan 1970 00:00:00 GMT", "Max-Age=0"]
    return [f"Expires={formatdate(now + seconds, usegmt=True)}", f"Max-Age={int(seconds)}"]


def format_set_cookie(
    name: str,
    value: str,
    expires: Expires = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    http_only: bool = False,
    samesite: str | None = "Lax",
    now: float | None = None,
) -> str:
    """One ``Set-Cookie`` value.  Bad names or attribute text raise ValueError.

    ``samesite="None"`` forces ``Secure`` because browsers drop such cookies
    otherwise (draft-ietf-httpbis-rfc6265bis 5.6.7).

    Example:
        >>> format_set_cookie("uid", "hans roh", path="/app", http_only=True)
        'uid=hans%20roh; Path=/app; HttpOnly; SameSite=Lax'
    """
    if not _TOKEN.match(name):
        raise ValueError(f"invalid cookie name {name!r}: use letters, digits and !#$%&'*+-.^_`|~")
    for label, text in (("path", path), ("domain", domain)):
        if text is not None and not _ATTRIBUTE_TEXT.match(text):
            raise ValueError(f"invalid cookie {label} {text!r}: no ';' or control characters")
    if samesite is not None:
        matched = [v for v in SAMESITE_VALUES if v.lower() == str(samesite).lower()]
        if not matched:
            raise ValueError(f"cookie samesite must be one of {SAMESITE_VALUES} or None, not {samesite!r}")
        samesite = matched[0]
        secure = secure or samesite == "None"
    parts = [f"{name}={quote(str(value), safe=_SAFE_VALUE_CHARS)}"]
    parts.extend(_expiry_attributes(expires, time.time() if now is None else now))
    if path:
        parts.append(f"Path={path}")
    if domain:
        parts.append(f"Domain={domain}")
    if secure:
        parts.append("Secure")
    if http_only:
        parts.append("HttpOnly")
    if samesite:
        parts.append(f"SameSite={samesite}")
    return "; ".join(parts)


class CookieJar(MutableMapping[str, str]):
    """``context.cookie``: the request's cookies plus the ones set while answering.

    Reading sees values set during this request (so a handler that sets and
    then reads gets what it set).  ``default_path`` is the app's mount point
    (documented: every app's cookie path is set to its mount point).

    Example:
        >>> jar = CookieJar("uid=hans", default_path="/app")
        >>> jar["uid"], "x" in jar
        ('hans', False)
        >>> jar.set("x", "1", expires="now")
        >>> jar.headers()
        ['x=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/app; SameSite=Lax']
    """

    def __init__(
        self,
        header: str | Mapping[str, str] | None = None,
        default_path: str = "/",
        secure_default: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if isinstance(header, Mapping):
            self._incoming: dict[str, str] = dict(header)
        else:
            self._incoming = parse_cookie_header(header)
        self._current = dict(self._incoming)
        self.default_path = default_path or "/"
        self.secure_default = secure_default
        self.clock = clock
        # keyed by (name, path, domain): one Set-Cookie per cookie identity
        self._outgoing: dict[tuple[str, str, str | None], str] = {}
        #: called after every change, so the framework can keep the response
        #: head in step (no end-of-request hook needed)
        self.on_change: Callable[[CookieJar], None] | None = None

    def set(
        self,
        key: str,
        val: str,
        expires: Expires = None,
        path: str | None = None,
        domain: str | None = None,
        secure: bool = False,
        http_only: bool = False,
        samesite: str | None = "Lax",
    ) -> None:
        """Set a cookie on the response (documented signature, plus ``samesite``)."""
        path = path or self.default_path
        header = format_set_cookie(
            key,
            val,
            expires,
            path,
            domain,
            secure or self.secure_default,
            http_only,
            samesite,
            self.clock(),
        )
        self._outgoing[(key, path, domain)] = header
        if expires == "now" or (isinstance(expires, (int, float)) and expires <= 0):
            self._current.pop(key, None)
        else:
            self._current[key] = str(val)
        if self.on_change is not None:
            self.on_change(self)

    def remove(self, key: str, path: str | None = None, domain: str | None = None) -> None:
        """Tell the browser to drop a cookie (expires now)."""
        self.set(key, "", expires="now", path=path, domain=domain)

    delete = remove

    def incoming(self, key: str) -> str | None:
        """The value the request carried, ignoring what this request set."""
        return self._incoming.get(key)

    def headers(self) -> list[str]:
        """``Set-Cookie`` values to send, in the order they were set."""
        return list(self._outgoing.values())

    @property
    def dirty(self) -> bool:
        return bool(self._outgoing)

    def __getitem__(self, key: str) -> str:
        return self._current[key]

    def __setitem__(self, key: str, val: str) -> None:
        self.set(key, val)

    def __delitem__(self, key: str) -> None:
        if key not in self._current:
            raise KeyError(key)
        self.remove(key)

    def __iter__(self) -> Iterator[str]:
        return iter(dict(self._current))

    def __len__(self) -> int:
        return len(self._current)

    def __getattr__(self, key: str) -> str | None:
        # Templates write {{ was.cookie.username }}.
        if key.startswith("_"):
            raise AttributeError(key)
        return self._current.get(key)

    def __repr__(self) -> str:
        return f"CookieJar({sorted(self._current)!r})"
