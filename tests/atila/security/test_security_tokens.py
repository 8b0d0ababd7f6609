from __future__ import annotations

import time

import jwt as pyjwt
import pytest

from atila.security.tokens import (
    OneTimeTokens,
    bearer_token,
    decode_jwt,
    encode_jwt,
    generate_otp,
    verify_otp,
)

KEY = "token-key-for-tests"


def test_jwt_round_trip():
    token = encode_jwt({"username": "hans", "exp": time.time() + 60}, KEY)
    assert decode_jwt(token, KEY)["username"] == "hans"


def test_expired_jwt_has_err():
    token = encode_jwt({"exp": time.time() - 10}, KEY)
    assert decode_jwt(token, KEY) == {"err": "token expired"}


def test_jwt_with_another_key_has_err():
    assert decode_jwt(encode_jwt({"a": 1}, "another-key"), KEY) == {"err": "invalid signature"}


def test_tampered_jwt_has_err():
    header, payload, signature = encode_jwt({"role": "user"}, KEY).split(".")
    forged_payload = pyjwt.utils.base64url_encode(b'{"role":"admin"}').decode()
    assert "err" in decode_jwt(f"{header}.{forged_payload}.{signature}", KEY)


def test_unsigned_jwt_is_refused():
    token = pyjwt.encode({"role": "admin"}, None, algorithm="none")
    assert decode_jwt(token, KEY) == {"err": "algorithm not allowed"}


def test_garbage_and_missing_jwt_have_err():
    assert decode_jwt("not-a-token", KEY) == {"err": "malformed token"}
    assert decode_jwt(None, KEY) == {"err": "no token"}


def test_long_key_is_used_as_is_for_interoperability():
    key = "k" * 64
    token = encode_jwt({"a": 1}, key)
    assert pyjwt.decode(token, key.encode(), algorithms=["HS256"]) == {"a": 1}


def test_bearer_token_parsing():
    assert bearer_token("Bearer abc.def") == "abc.def"
    assert bearer_token("bearer  abc ") == "abc"
    assert bearer_token("Basic abc") is None and bearer_token(None) is None


def test_ott_round_trip(clock):
    ott = OneTimeTokens(KEY, clock=clock)
    assert ott.decode(ott.encode({"user": "hans"}, 60)) == {"user": "hans"}


def test_expired_ott_is_none(clock):
    ott = OneTimeTokens(KEY, clock=clock)
    token = ott.encode("hans", 60)
    clock.advance(61)
    assert ott.decode(token) is None


def test_revoked_ott_replay_is_none(clock):
    ott = OneTimeTokens(KEY, clock=clock)
    token = ott.encode("hans", 60)
    assert ott.decode(token) == "hans"
    ott.revoke(token)
    assert ott.decode(token) is None


def test_revoking_one_token_leaves_others_valid(clock):
    ott = OneTimeTokens(KEY, clock=clock)
    first, second = ott.encode("hans", 60), ott.encode("hans", 60)
    ott.revoke(first)
    assert ott.decode(second) == "hans"


def test_tampered_ott_is_none(clock):
    ott = OneTimeTokens(KEY, clock=clock)
    token = ott.encode("hans", 60)
    assert ott.decode(token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")) is None


def test_ott_from_another_key_is_none(clock):
    token = OneTimeTokens("another-key", clock=clock).encode("hans", 60)
    assert OneTimeTokens(KEY, clock=clock).decode(token) is None


def test_ott_purpose_key_is_checked_when_given(clock):
    ott = OneTimeTokens(KEY, clock=clock)
    token = ott.encode("hans", 60, "pwrset")
    assert ott.decode(token, "pwrset") == "hans" and ott.decode(token, "other") is None


def test_ott_zero_timeout_is_refused(clock):
    with pytest.raises(ValueError, match="timeout"):
        OneTimeTokens(KEY, clock=clock).encode("x", 0)


def test_otp_verifies_current_code():
    assert verify_otp(generate_otp(KEY), KEY)


def test_otp_from_another_secret_fails():
    now = 1_700_000_000
    assert not verify_otp(generate_otp("another-key", now=now), KEY, now=now)


def test_otp_outside_the_window_fails():
    code = generate_otp(KEY, now=1_700_000_000)
    assert verify_otp(code, KEY, now=1_700_000_030)
    assert not verify_otp(code, KEY, now=1_700_000_300)


def test_otp_rejects_non_digits():
    assert not verify_otp("abc", KEY) and not verify_otp(None, KEY)
