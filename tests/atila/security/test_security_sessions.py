from __future__ import annotations

import pytest
from security_helpers import next_request_cookies

from atila.security.cookies import CookieJar
from atila.security.errors import MissingSecretKey
from atila.security.sessions import Session

KEY = "session-key-for-tests"


class Browser:
    """Carries the session cookie from one request to the next."""

    def __init__(self, clock, key=KEY, timeout=100, addr="10.0.0.1"):
        self.cookies = ""
        self.clock, self.key, self.timeout, self.addr = clock, key, timeout, addr
        self.last_headers: list[str] = []

    def request(self, action, key=None, https=False):
        jar = CookieJar(self.cookies, default_path="/app", clock=self.clock)
        session = Session(jar, key or self.key, self.timeout, self.addr, https, self.clock)
        result = action(session)
        session.commit()
        self.last_headers = jar.headers()
        self.cookies = next_request_cookies(self.last_headers, self.cookies)
        return result


def test_values_survive_to_the_next_request(clock):
    browser = Browser(clock)
    browser.request(lambda s: s.set("uid", "hans"))
    assert browser.request(lambda s: s.get("uid")) == "hans"


def test_cookie_defaults_httponly_lax_and_mount_path(clock):
    browser = Browser(clock)
    browser.request(lambda s: s.set("uid", "hans"))
    header = browser.last_headers[0]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/app" in header
    assert "Secure" not in header


def test_cookie_is_secure_on_https(clock):
    browser = Browser(clock)
    browser.request(lambda s: s.set("uid", "hans"), https=True)
    assert "Secure" in browser.last_headers[0]


def test_cookie_from_another_key_is_ignored(clock):
    browser = Browser(clock)
    browser.request(lambda s: s.set("uid", "hans"))
    assert browser.request(lambda s: s.get("uid"), key="another-key") is None


def test_tampered_cookie_is_ignored(clock):
    browser = Browser(clock)
    browser.request(lambda s: s.set("uid", "hans"))
    browser.cookies = browser.cookies[:-3] + ("AAA" if not browser.cookies.endswith("AAA") else "BBB")
    assert browser.request(lambda s: s.get("uid")) is None


def test_session_expires_after_timeout(clock):
    browser = Browser(clock, timeout=100)
    browser.request(lambda s: s.set("uid", "hans"))
    clock.advance(101)
    assert browser.request(lambda s: s.get("uid")) is None


def test_setting_a_value_extends_expiry(clock):
    browser = Browser(clock, timeout=100)
    browser.request(lambda s: s.set("uid", "hans"))
    clock.advance(80)
    browser.request(lambda s: s.set("n", 1))
    clock.advance(80)
    assert browser.request(lambda s: s.get("uid")) == "hans"


def test_reading_does_not_extend_expiry(clock):
    browser = Browser(clock, timeout=100)
    browser.request(lambda s: s.set("uid", "hans"))
    clock.advance(80)
    browser.request(lambda s: s.get("uid"))
    assert browser.last_headers == []
    clock.advance(30)
    assert browser.request(lambda s: s.get("uid")) is None


def test_touch_extends_by_timeout(clock):
    browser = Browser(clock, timeout=100)
    browser.request(lambda s: s.set("uid", "hans"))
    clock.advance(80)
    browser.request(lambda s: s.touch())
    clock.advance(80)
    assert browser.request(lambda s: s.get("uid")) == "hans"


def test_set_expiry_disables_auto_extension_while_longer(clock):
    browser = Browser(clock, timeout=100)
    browser.request(lambda s: (s.set("uid", "hans"), s.set_expiry(1000)))
    clock.advance(500)
    assert browser.request(lambda s: (s.set("n", 1), s.remaining())[1]) == pytest.approx(500)


def test_auto_extension_resumes_when_fixed_expiry_is_sooner(clock):
    browser = Browser(clock, timeout=100)
    browser.request(lambda s: (s.set("uid", "hans"), s.set_expiry(150)))
    clock.advance(100)
    assert browser.request(lambda s: (s.set("n", 1), s.remaining())[1]) == pytest.approx(100)


def test_expire_removes_the_cookie(clock):
    browser = Browser(clock)
    browser.request(lambda s: s.set("uid", "hans"))
    browser.request(lambda s: s.expire())
    assert "Max-Age=0" in browser.last_headers[0]
    assert browser.request(lambda s: s.get("uid")) is None


def test_impending_when_less_than_a_fifth_remains(clock):
    browser = Browser(clock, timeout=100)
    browser.request(lambda s: s.set("uid", "hans"))
    clock.advance(79)
    assert browser.request(lambda s: s.impending()) is False
    clock.advance(2)
    assert browser.request(lambda s: s.impending()) is True


def test_use_time_counts_from_creation(clock):
    browser = Browser(clock)
    browser.request(lambda s: s.set("uid", "hans"))
    clock.advance(30)
    assert browser.request(lambda s: s.use_time()) == pytest.approx(30)


def test_dict_methods(clock):
    browser = Browser(clock)
    browser.request(lambda s: s.update({"a": 1, "b": 2}))

    def inspect(s):
        del s["a"]
        return sorted(s.keys()), list(s.items()), "b" in s, s.has_key("a"), len(s)

    assert browser.request(inspect) == (["b"], [("b", 2)], True, False, 1)


def test_clear_then_empty_session_drops_cookie(clock):
    browser = Browser(clock)
    browser.request(lambda s: s.set("uid", "hans"))
    browser.request(lambda s: s.clear())
    assert browser.cookies == ""


def test_source_verified_and_getv(clock):
    browser = Browser(clock, addr="10.0.0.1")
    browser.request(lambda s: s.set("uid", "hans"))
    assert browser.request(lambda s: s.getv("uid")) == "hans"
    browser.addr = "10.9.9.9"
    assert browser.request(lambda s: (s.source_verified(), s.getv("uid", "none"))) == (False, "none")


def test_unserialisable_value_is_a_clear_error(clock):
    with pytest.raises(TypeError, match="JSON serialisable"):
        Browser(clock).request(lambda s: s.set("obj", object()))


def test_missing_key_is_a_clear_error():
    with pytest.raises(MissingSecretKey, match="securekey"):
        Session(CookieJar(), None)


def test_namespaced_session_is_separate(clock):
    browser = Browser(clock)

    def write(s):
        s.mount("ADMIN", path="/admin")
        s.set("login", True)
        s.mount()
        s.set("uid", "hans")

    browser.request(write)
    assert any("ATLSESS_ADMIN=" in h and "Path=/admin" in h for h in browser.last_headers)

    def read(s):
        plain = s.get("login")
        s.mount("ADMIN")
        return plain, s.get("login"), s.get("uid")

    assert browser.request(read) == (None, True, None)


def test_namespace_with_its_own_key(clock):
    browser = Browser(clock)
    browser.request(lambda s: (s.mount("ADM", securekey="adm-key"), s.set("x", 1)))
    assert browser.request(lambda s: s.mount("ADM", securekey="adm-key").get("x")) == 1
    assert browser.request(lambda s: s.mount("ADM", securekey="wrong").get("x")) is None


def test_exists(clock):
    browser = Browser(clock)
    assert browser.request(lambda s: (s.exists(None), s.exists("ADM"))) == (False, False)
    browser.request(lambda s: s.mount("ADM").set("x", 1))
    assert browser.request(lambda s: (s.exists(None), s.exists("ADM"))) == (False, True)


def test_namespace_without_extend_is_not_extended(clock):
    browser = Browser(clock, timeout=100)
    browser.request(lambda s: s.mount("T", extend=False).set("x", 1))
    clock.advance(80)
    browser.request(lambda s: s.mount("T", extend=False).set("y", 2))
    clock.advance(30)
    assert browser.request(lambda s: s.mount("T", extend=False).get("x")) is None


def test_bad_namespace_name(clock):
    with pytest.raises(ValueError, match="namespace"):
        Browser(clock).request(lambda s: s.mount("bad name"))
