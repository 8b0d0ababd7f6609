from __future__ import annotations

import pytest

from atila.security.cookies import CookieJar, format_set_cookie, parse_cookie_header


def test_parse_skips_malformed_pairs_and_keeps_first_value():
    assert parse_cookie_header('a=1; junk; =x; b="q"; a=2') == {"a": "1", "b": "q"}


def test_parse_decodes_percent_encoding():
    assert parse_cookie_header("name=hans%20roh")["name"] == "hans roh"


def test_parse_of_nothing_is_empty():
    assert parse_cookie_header(None) == {}


def test_set_cookie_encodes_unsafe_value_chars():
    assert format_set_cookie("n", "a;b c", path=None, samesite=None) == "n=a%3Bb%20c"


def test_set_cookie_never_is_a_hundred_years():
    header = format_set_cookie("n", "v", expires="never", now=0)
    assert "Max-Age=3153600000" in header and "Expires=" in header


@pytest.mark.parametrize("expires", ["now", 0])
def test_set_cookie_now_expires_in_the_past(expires):
    header = format_set_cookie("n", "v", expires=expires)
    assert "Max-Age=0" in header and "1970" in header


def test_set_cookie_seconds_sets_max_age():
    assert "Max-Age=60" in format_set_cookie("n", "v", expires=60, now=0)


def test_set_cookie_without_expires_is_a_browser_session_cookie():
    header = format_set_cookie("n", "v")
    assert "Expires" not in header and "Max-Age" not in header


def test_set_cookie_flags():
    header = format_set_cookie("n", "v", domain="example.com", secure=True, http_only=True, samesite="strict")
    assert header == "n=v; Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Strict"


def test_samesite_none_forces_secure():
    assert "Secure" in format_set_cookie("n", "v", samesite="None")


def test_bad_cookie_name_is_refused():
    with pytest.raises(ValueError, match="invalid cookie name"):
        format_set_cookie("a b", "v")


def test_bad_expires_is_refused():
    with pytest.raises(ValueError, match="expires"):
        format_set_cookie("n", "v", expires="tomorrow")


def test_path_with_semicolon_is_refused():
    with pytest.raises(ValueError, match="path"):
        format_set_cookie("n", "v", path="/a;Domain=evil")


def test_jar_path_defaults_to_mount_point():
    jar = CookieJar(default_path="/app")
    jar["uid"] = "hans"
    assert "Path=/app" in jar.headers()[0]


def test_jar_reads_what_this_request_set():
    jar = CookieJar("uid=old")
    jar.set("uid", "new")
    assert jar["uid"] == "new" and jar.incoming("uid") == "old"


def test_jar_delete_expires_the_cookie():
    jar = CookieJar("uid=hans")
    del jar["uid"]
    assert "uid" not in jar and "Max-Age=0" in jar.headers()[0]


def test_jar_attribute_access_for_templates():
    jar = CookieJar("username=hans")
    assert jar.username == "hans" and jar.missing is None


def test_jar_secure_default_adds_secure():
    jar = CookieJar(secure_default=True)
    jar.set("a", "1")
    assert "Secure" in jar.headers()[0]


def test_jar_one_header_per_cookie_identity():
    jar = CookieJar()
    jar.set("a", "1")
    jar.set("a", "2")
    assert len(jar.headers()) == 1 and jar.headers()[0].startswith("a=2")
