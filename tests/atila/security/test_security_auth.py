from __future__ import annotations

import base64
import hashlib
import time

import pytest

from atila.security.auth import Authenticator, jwt_bearer_check, normalize_entry, normalize_scheme
from atila.security.digest import parse_auth_params
from atila.security.errors import SecurityError
from atila.security.tokens import encode_jwt

KEY = "auth-key-for-tests"
REALM = "Partner App"
USERS = {
    "plain": "1234",
    "pair": ("5678", False),
    "info": ("abcd", False, {"role": "root"}),
    "hashed": (hashlib.md5(f"hashed:{REALM}:secret".encode()).hexdigest(), True),
}


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def digest_answer(challenge, user, password, method="GET", uri="/x", algorithm="SHA-256", nc="00000001"):
    params = parse_auth_params(challenge.partition(" ")[2])
    h = {"SHA-256": hashlib.sha256, "MD5": hashlib.md5}[algorithm]

    def hx(text):
        return h(text.encode()).hexdigest()

    cnonce = "0a4f113b"
    ha1 = hx(f"{user}:{params['realm']}:{password}")
    ha2 = hx(f"{method}:{uri}")
    response = hx(f"{ha1}:{params['nonce']}:{nc}:{cnonce}:auth:{ha2}")
    return (
        f'Digest username="{user}", realm="{params["realm"]}", nonce="{params["nonce"]}", uri="{uri}", '
        f'algorithm={algorithm}, qop=auth, nc={nc}, cnonce="{cnonce}", response="{response}", '
        f'opaque="{params["opaque"]}"'
    )


@pytest.fixture
def auth(clock):
    return Authenticator(REALM, KEY, nonce_ttl=300, clock=clock)


def refused(call):
    with pytest.raises(SecurityError) as info:
        call()
    assert info.value.status == 401
    return info.value


def challenge_of(auth, algorithm="SHA-256"):
    return next(v for _, v in auth.challenge("digest") if f"algorithm={algorithm}" in v)


@pytest.mark.parametrize("user,password", [("plain", "1234"), ("pair", "5678"), ("info", "abcd"), ("hashed", "secret")])
def test_basic_accepts_every_entry_form(auth, user, password):
    assert auth.authenticate("basic", "GET", "/", basic(user, password), USERS.get).name == user


def test_basic_user_carries_userinfo(auth):
    user = auth.authenticate("basic", "GET", "/", basic("info", "abcd"), USERS.get)
    assert user.info == {"role": "root"} and user.realm == REALM and str(user) == "info"


def test_basic_wrong_password_is_401_with_challenge(auth):
    error = refused(lambda: auth.authenticate("basic", "GET", "/", basic("plain", "nope"), USERS.get))
    assert error.headers == [("WWW-Authenticate", f'Basic realm="{REALM}", charset="UTF-8"')]
    assert "nope" not in str(error)


def test_missing_header_is_401(auth):
    refused(lambda: auth.authenticate("basic", "GET", "/", None, USERS.get))


def test_malformed_basic_is_401(auth):
    refused(lambda: auth.authenticate("basic", "GET", "/", "Basic !!!", USERS.get))


def test_wrong_scheme_is_401_with_the_required_challenge(auth):
    error = refused(lambda: auth.authenticate("digest", "GET", "/x", basic("plain", "1234"), USERS.get))
    assert all(v.startswith("Digest ") for _, v in error.headers)


@pytest.mark.parametrize("algorithm", ["SHA-256", "MD5"])
def test_digest_accepts_both_algorithms(auth, algorithm):
    header = digest_answer(challenge_of(auth, algorithm), "plain", "1234", algorithm=algorithm)
    assert auth.authenticate("digest", "GET", "/x", header, USERS.get).name == "plain"


def test_digest_challenge_offers_sha256_then_md5(auth):
    values = [v for _, v in auth.challenge("digest")]
    assert "algorithm=SHA-256" in values[0] and "algorithm=MD5" in values[1]
    assert all('qop="auth"' in v and "stale" not in v for v in values)


def test_digest_with_encrypted_md5_password(auth):
    header = digest_answer(challenge_of(auth, "MD5"), "hashed", "secret", algorithm="MD5")
    assert auth.authenticate("digest", "GET", "/x", header, USERS.get).name == "hashed"


def test_digest_wrong_password(auth):
    header = digest_answer(challenge_of(auth), "plain", "wrong")
    assert "mismatch" in refused(lambda: auth.authenticate("digest", "GET", "/x", header, USERS.get)).detail


def test_digest_forged_nonce(auth):
    header = digest_answer(challenge_of(auth), "plain", "1234")
    forged = base64.urlsafe_b64encode(f"{int(time.time())}:abcd:{'0' * 32}".encode()).decode()
    header = header.replace(parse_auth_params(header[7:])["nonce"], forged)
    error = refused(lambda: auth.authenticate("digest", "GET", "/x", header, USERS.get))
    assert error.detail == "invalid nonce"


def test_digest_nonce_from_another_key(auth, clock):
    other = Authenticator(REALM, "another-key", clock=clock)
    header = digest_answer(challenge_of(other), "plain", "1234")
    assert refused(lambda: auth.authenticate("digest", "GET", "/x", header, USERS.get)).detail == "invalid nonce"


def test_digest_expired_nonce_is_stale(auth, clock):
    header = digest_answer(challenge_of(auth), "plain", "1234")
    clock.advance(301)
    error = refused(lambda: auth.authenticate("digest", "GET", "/x", header, USERS.get))
    assert all("stale=true" in v for _, v in error.headers)


def test_digest_uri_must_match_the_request(auth):
    header = digest_answer(challenge_of(auth), "plain", "1234", uri="/other")
    refused(lambda: auth.authenticate("digest", "GET", "/x", header, USERS.get))


def test_digest_method_is_part_of_the_answer(auth):
    header = digest_answer(challenge_of(auth), "plain", "1234", method="GET")
    refused(lambda: auth.authenticate("digest", "DELETE", "/x", header, USERS.get))


def test_digest_unknown_user(auth):
    header = digest_answer(challenge_of(auth), "nobody", "1234")
    refused(lambda: auth.authenticate("digest", "GET", "/x", header, USERS.get))


def test_bearer_jwt(auth):
    token = encode_jwt({"username": "hans", "exp": time.time() + 60}, KEY)
    user = auth.authenticate("bearer", "GET", "/", f"Bearer {token}", bearer_check=jwt_bearer_check(KEY, REALM))
    assert user.name == "hans" and user.claims["username"] == "hans"


def test_bearer_expired_jwt_says_why(auth):
    token = encode_jwt({"username": "hans", "exp": time.time() - 1}, KEY)
    error = refused(
        lambda: auth.authenticate("bearer", "GET", "/", f"Bearer {token}", bearer_check=jwt_bearer_check(KEY))
    )
    assert error.headers[0][1] == f'Bearer realm="{REALM}", error="invalid_token", error_description="token expired"'


def test_bearer_without_token_has_no_error_code(auth):
    error = refused(lambda: auth.authenticate("bearer", "GET", "/", None))
    assert error.headers[0][1] == f'Bearer realm="{REALM}"'


def test_scheme_names():
    assert normalize_scheme("Digest") == "digest" and normalize_scheme(True) == "digest"
    assert normalize_scheme(None) is None
    with pytest.raises(ValueError, match="authenticate"):
        normalize_scheme("kerberos")


def test_bad_password_entry_is_a_clear_error():
    with pytest.raises(TypeError, match="password entry"):
        normalize_entry(1234)


def test_parse_auth_params_handles_escapes_and_commas():
    assert parse_auth_params(r'a="x\"y", b=2, c="1,2"') == {"a": 'x"y', "b": "2", "c": "1,2"}
