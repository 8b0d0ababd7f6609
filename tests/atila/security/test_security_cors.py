from __future__ import annotations

import pytest

from atila.security.cors import CorsPolicy, is_preflight
from atila.security.errors import SecurityError

ORIGIN = "https://app.example"


def test_is_preflight():
    assert is_preflight("OPTIONS", ORIGIN, "POST")
    assert not is_preflight("OPTIONS", ORIGIN, None) and not is_preflight("POST", ORIGIN, "POST")


def test_disabled_policy_ignores_everything():
    assert CorsPolicy.build(None).check("https://evil.example") is False


def test_same_origin_is_not_cross_origin():
    assert CorsPolicy.build([ORIGIN]).check("http://127.0.0.1:5000", "http", "127.0.0.1:5000") is False


def test_disallowed_origin_is_403_with_vary():
    with pytest.raises(SecurityError) as info:
        CorsPolicy.build([ORIGIN]).check("https://evil.example")
    assert info.value.status == 403 and ("Vary", "Origin") in info.value.headers


def test_preflight_headers():
    policy = CorsPolicy.build([ORIGIN], max_age=3600)
    headers = policy.preflight(ORIGIN, "POST", "X-Token, Content-Type", ["POST", "OPTIONS"])
    found = dict(headers)
    assert found["Access-Control-Allow-Origin"] == ORIGIN
    assert found["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert found["Access-Control-Allow-Headers"] == "x-token, content-type"
    assert found["Access-Control-Max-Age"] == "3600"
    assert found["Access-Control-Allow-Credentials"] == "true"
    assert found["Vary"].startswith("Origin, ")


def test_preflight_for_a_method_not_offered_is_403():
    with pytest.raises(SecurityError):
        CorsPolicy.build([ORIGIN]).preflight(ORIGIN, "DELETE", None, ["GET", "POST"])


def test_preflight_with_header_not_allowed_is_403():
    with pytest.raises(SecurityError, match="x-evil"):
        CorsPolicy.build([ORIGIN], allow_headers=["x-token"]).preflight(ORIGIN, "GET", "X-Evil", ["GET"])


def test_any_origin_without_credentials_answers_star():
    found = dict(CorsPolicy.build(["*"]).response_headers("https://x.example"))
    assert found["Access-Control-Allow-Origin"] == "*" and "Access-Control-Allow-Credentials" not in found


def test_any_origin_with_credentials_echoes_the_origin():
    found = dict(CorsPolicy.build(["*"], allow_credentials=True).response_headers("https://x.example"))
    assert found["Access-Control-Allow-Origin"] == "https://x.example"
    assert found["Access-Control-Allow-Credentials"] == "true"


def test_empty_origin_entry_allows_nothing():
    assert not CorsPolicy.build([""]).enabled


def test_bad_max_age_is_refused():
    with pytest.raises(ValueError, match="max_age"):
        CorsPolicy.build(["*"], max_age=-1)
