from __future__ import annotations

import pytest
from security_helpers import next_request_cookies

from atila.security.cookies import CookieJar
from atila.security.csrf import CSRF_COOKIE, CsrfGuard, submitted_token
from atila.security.errors import MissingSecretKey

KEY = "csrf-key-for-tests"


def issue(key=KEY):
    jar = CookieJar()
    token = CsrfGuard(jar, key).token
    return token, next_request_cookies(jar.headers())


def test_token_issued_sets_an_httponly_cookie():
    jar = CookieJar()
    CsrfGuard(jar, KEY).token
    assert jar.headers()[0].startswith(CSRF_COOKIE + "=") and "HttpOnly" in jar.headers()[0]


def test_token_verifies_on_the_next_request():
    token, cookies = issue()
    assert CsrfGuard(CookieJar(cookies), KEY).verify(token)


def test_token_from_another_browser_fails():
    token, _ = issue()
    _, other_cookies = issue()
    assert not CsrfGuard(CookieJar(other_cookies), KEY).verify(token)


def test_token_signed_with_another_key_fails():
    token, cookies = issue(key="another-key")
    assert not CsrfGuard(CookieJar(cookies), KEY).verify(token)


def test_tampered_token_fails():
    token, cookies = issue()
    assert not CsrfGuard(CookieJar(cookies), KEY).verify(token[:-2] + "xx")


def test_missing_cookie_fails():
    token, _ = issue()
    assert not CsrfGuard(CookieJar(), KEY).verify(token)


def test_same_browser_keeps_its_token_secret():
    token, cookies = issue()
    jar = CookieJar(cookies)
    assert CsrfGuard(jar, KEY).token == token and jar.headers() == []


def test_input_is_a_hidden_field_safe_for_templates():
    html = str(CsrfGuard(CookieJar(), KEY).input)
    assert html.startswith('<input type="hidden" name="csrf_token" value="')


def test_remove_forgets_the_secret():
    token, cookies = issue()
    jar = CookieJar(cookies)
    CsrfGuard(jar, KEY).remove()
    assert not CsrfGuard(CookieJar(next_request_cookies(jar.headers(), cookies)), KEY).verify(token)


def test_submitted_token_prefers_form_then_headers():
    headers = {"x-csrf-token": "from-header"}
    assert submitted_token({"csrf_token": "from-form"}, headers.get) == "from-form"
    assert submitted_token({}, headers.get) == "from-header"
    assert submitted_token(None, {"x-csrftoken": "alt"}.get) == "alt"


def test_missing_key_is_clear():
    with pytest.raises(MissingSecretKey, match="CSRF"):
        CsrfGuard(CookieJar(), "")
