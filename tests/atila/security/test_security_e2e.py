"""Every security feature over real HTTP, against one server process (sample_app/serve_security.py)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import sys
import time

import httpx
import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "sample_app"))

from secure_app import REALM, SECRET  # noqa: E402

from atila.security.auth import Authenticator  # noqa: E402
from atila.security.cookies import CookieJar  # noqa: E402
from atila.security.digest import parse_auth_params  # noqa: E402
from atila.security.sessions import Session  # noqa: E402
from atila.security.tokens import OneTimeTokens, encode_jwt, generate_otp  # noqa: E402

ALLOWED = "https://allowed.example"


@pytest.fixture(scope="module")
def server():
    port = free_port()
    with skitai.test_client(os.path.join(HERE, "sample_app", "serve_security.py"), port=port) as engine:
        yield engine.base_url


@pytest.fixture
def browser(server):
    with httpx.Client(base_url=server, timeout=10) as client:
        yield client


@pytest.fixture
def other_browser(server):
    with httpx.Client(base_url=server, timeout=10) as client:
        yield client


def set_cookies(response):
    return response.headers.get_list("set-cookie")


def jwt_for(browser, **claims):
    return browser.get("/sec/jwt/make", params=claims).json()["token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# -- cookies -------------------------------------------------------------------------------
def test_cookie_set_defaults_to_mount_path_and_expiry_forms(browser):
    headers = set_cookies(browser.get("/sec/cookie/set"))
    uid = next(h for h in headers if h.startswith("uid="))
    gone = next(h for h in headers if h.startswith("gone="))
    forever = next(h for h in headers if h.startswith("forever="))
    assert "Path=/sec" in uid and "Expires" not in uid
    assert "Max-Age=0" in gone
    assert "Max-Age=3153600000" in forever and "HttpOnly" in forever


def test_cookie_read_back(browser):
    browser.get("/sec/cookie/set", params={"name": "roh"})
    assert browser.get("/sec/cookie/get").json() == {"uid": "roh", "template": "roh"}


# -- sessions -------------------------------------------------------------------------------
def test_session_round_trip_with_secure_defaults(browser):
    response = browser.get("/sec/session/set", params={"uid": "hans"})
    header = next(h for h in set_cookies(response) if h.startswith("ATLSESS="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/sec" in header
    assert browser.get("/sec/session/get").json() == {"values": {"uid": "hans"}, "exists": True}


def test_session_cookie_from_another_key_is_ignored(other_browser):
    jar = CookieJar(default_path="/sec")
    forged = Session(jar, "some-other-key", 600)
    forged["uid"] = "admin"
    forged.commit()
    cookie = jar.headers()[0].split(";")[0]
    response = other_browser.get("/sec/session/get", headers={"Cookie": cookie})
    assert response.json() == {"values": {}, "exists": False}


def test_tampered_session_cookie_is_ignored(browser):
    browser.get("/sec/session/set", params={"uid": "hans"})
    value = browser.cookies["ATLSESS"]
    browser.cookies.clear()
    tampered = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
    assert browser.get("/sec/session/get", headers={"Cookie": f"ATLSESS={tampered}"}).json()["exists"] is False


def test_expired_session_cookie_is_ignored(other_browser):
    jar = CookieJar(default_path="/sec")
    old = Session(jar, SECRET, 60, clock=lambda: time.time() - 3600)
    old["uid"] = "hans"
    old.commit()
    cookie = jar.headers()[0].split(";")[0]
    assert other_browser.get("/sec/session/get", headers={"Cookie": cookie}).json()["exists"] is False


def test_session_expire_removes_cookie(browser):
    browser.get("/sec/session/set", params={"uid": "hans"})
    response = browser.get("/sec/session/expire")
    assert any(h.startswith("ATLSESS=") and "Max-Age=0" in h for h in set_cookies(response))
    assert browser.get("/sec/session/get").json()["values"] == {}


def test_namespaced_session(browser):
    assert browser.get("/sec/session/admin").json() == {"admin": False}
    assert browser.get("/sec/session/admin/check").json() == {"default_login": None, "admin_login": True}


# -- message box -------------------------------------------------------------------------------
def test_flash_shown_once_and_valid_message_kept(browser):
    browser.get("/sec/msg/send")
    first = browser.get("/sec/msg/show").json()["messages"]
    assert first == [["flash", "saved", {}], ["alram", "alarm", {"level": 2}]]
    assert browser.get("/sec/msg/show").json()["messages"] == [["alram", "alarm", {"level": 2}]]


# -- CSRF -----------------------------------------------------------------------------------------
def form_token(browser):
    html = browser.get("/sec/form").text
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_csrf_form_field_accepted(browser):
    token = form_token(browser)
    assert browser.post("/sec/transfer", data={"csrf_token": token, "amount": "5"}).json() == {"done": "5"}


def test_csrf_header_accepted(browser):
    token = browser.get("/sec/token").json()["token"]
    assert browser.post("/sec/transfer", json={"amount": 3}, headers={"X-CSRF-Token": token}).status_code == 200


def test_csrf_missing_token_refused(browser):
    form_token(browser)
    response = browser.post("/sec/transfer", data={"amount": "5"})
    assert response.status_code == 400 and "CSRF" in response.json()["detail"]


def test_csrf_token_from_another_session_refused(browser, other_browser):
    stolen = form_token(other_browser)
    form_token(browser)
    assert browser.post("/sec/transfer", data={"csrf_token": stolen}).status_code == 400


def test_verify_csrf_in_handler(browser):
    token = form_token(browser)
    assert browser.post("/sec/manual", data={"csrf_token": token}).text == "verified"
    assert browser.post("/sec/manual", data={"csrf_token": token + "x"}).status_code == 400


# -- JWT -------------------------------------------------------------------------------------------
def test_jwt_claims_from_bearer(browser):
    token = jwt_for(browser, username="hans")
    body = browser.get("/sec/jwt/claims", headers=bearer(token)).json()
    assert body["claims"]["username"] == "hans" and body["dejwt"] == body["claims"]


def test_expired_jwt_has_err(browser):
    token = encode_jwt({"username": "hans", "exp": time.time() - 5}, SECRET)
    assert browser.get("/sec/jwt/claims", headers=bearer(token)).json()["claims"] == {"err": "token expired"}


def test_tampered_jwt_has_err(browser):
    header, payload, signature = jwt_for(browser).split(".")
    forged = base64.urlsafe_b64encode(b'{"username":"admin","level":"admin"}').decode().rstrip("=")
    claims = browser.get("/sec/jwt/claims", headers=bearer(f"{header}.{forged}.{signature}")).json()["claims"]
    assert claims == {"err": "invalid signature"}


# -- one-time tokens and passwords ---------------------------------------------------------------------
def test_ott_used_once_then_replay_refused(browser):
    token = browser.get("/sec/ott/make", params={"value": "hans"}).json()["token"]
    assert browser.get("/sec/ott/use", params={"token": token}).json() == {"value": "hans"}
    assert browser.get("/sec/ott/use", params={"token": token}).status_code == 400


def test_expired_ott_refused(browser):
    token = OneTimeTokens(SECRET, clock=lambda: time.time() - 7200).encode("hans", 60, "pwrset")
    assert browser.get("/sec/ott/use", params={"token": token}).status_code == 400


def test_tampered_ott_refused(browser):
    token = browser.get("/sec/ott/make").json()["token"]
    assert browser.get("/sec/ott/use", params={"token": "x" + token[1:]}).status_code == 400


def test_otp(browser):
    assert browser.get("/sec/otp", headers={"X-OTP": generate_otp(SECRET)}).text == "otp ok"
    assert browser.get("/sec/otp", headers={"X-OTP": generate_otp("wrong-secret")}).status_code == 403


# -- authentication -------------------------------------------------------------------------------------
def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def digest_header(challenge, user, password, uri, method="GET", algorithm="SHA-256"):
    params = parse_auth_params(challenge.partition(" ")[2])
    h = {"SHA-256": hashlib.sha256, "MD5": hashlib.md5}[algorithm]

    def hx(text):
        return h(text.encode()).hexdigest()

    ha1 = hx(f"{user}:{params['realm']}:{password}")
    response = hx(f"{ha1}:{params['nonce']}:00000001:c0ffee:auth:{hx(f'{method}:{uri}')}")
    return {
        "Authorization": (
            f'Digest username="{user}", realm="{params["realm"]}", nonce="{params["nonce"]}", uri="{uri}", '
            f'algorithm={algorithm}, qop=auth, nc=00000001, cnonce="c0ffee", response="{response}", '
            f'opaque="{params["opaque"]}"'
        )
    }


def challenge(response, algorithm="SHA-256"):
    return next(v for v in response.headers.get_list("www-authenticate") if f"algorithm={algorithm}" in v)


@pytest.mark.parametrize("user,password", [("plain", "1234"), ("pair", "5678"), ("root", "abcd"), ("hashed", "secret")])
def test_basic_route_option(browser, user, password):
    assert browser.get("/sec/auth/basic", headers=basic(user, password)).json()["user"] == user


def test_basic_userinfo_and_wrong_password(browser):
    assert browser.get("/sec/auth/basic", headers=basic("root", "abcd")).json()["info"] == {"role": "root"}
    response = browser.get("/sec/auth/basic", headers=basic("root", "nope"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == f'Basic realm="{REALM}", charset="UTF-8"'


@pytest.mark.parametrize("algorithm", ["SHA-256", "MD5"])
def test_digest_round_trip(browser, algorithm):
    first = browser.get("/sec/auth/digest")
    assert first.status_code == 401
    headers = digest_header(challenge(first, algorithm), "plain", "1234", "/sec/auth/digest", algorithm=algorithm)
    assert browser.get("/sec/auth/digest", headers=headers).json() == {"user": "plain", "realm": REALM}


def test_digest_wrong_nonce(browser):
    first = browser.get("/sec/auth/digest")
    headers = digest_header(challenge(first), "plain", "1234", "/sec/auth/digest")
    nonce = parse_auth_params(headers["Authorization"][7:])["nonce"]
    wrong = base64.urlsafe_b64encode(f"{int(time.time())}:00:{'f' * 32}".encode()).decode()
    headers["Authorization"] = headers["Authorization"].replace(nonce, wrong)
    response = browser.get("/sec/auth/digest", headers=headers)
    assert response.status_code == 401 and "stale" not in response.headers["www-authenticate"]


def test_digest_expired_nonce_is_stale(browser):
    old = Authenticator(REALM, SECRET, clock=lambda: time.time() - 3600)
    old_challenge = next(v for _, v in old.challenge("digest"))
    headers = digest_header(old_challenge, "plain", "1234", "/sec/auth/digest")
    response = browser.get("/sec/auth/digest", headers=headers)
    assert response.status_code == 401 and "stale=true" in response.headers["www-authenticate"]


def test_digest_replay_on_another_uri_refused(browser):
    first = browser.get("/sec/auth/digest")
    headers = digest_header(challenge(first), "plain", "1234", "/sec/auth/digest")
    assert browser.get("/sec/auth/basic", headers=headers).status_code == 401


def test_bearer(browser):
    token = jwt_for(browser, username="hans")
    assert browser.get("/sec/auth/bearer", headers=bearer(token)).json()["user"] == "hans"


def test_bearer_expired_token(browser):
    token = encode_jwt({"username": "hans", "exp": time.time() - 5}, SECRET)
    response = browser.get("/sec/auth/bearer", headers=bearer(token))
    assert response.status_code == 401
    assert 'error="invalid_token", error_description="token expired"' in response.headers["www-authenticate"]


def test_app_wide_digest_with_userinfo(browser):
    first = browser.get("/partner/hello/world")
    assert first.status_code == 401 and 'realm="Partner App Area of"' in first.headers["www-authenticate"]
    headers = digest_header(challenge(first), "app", "iamyourpartnerapp", "/partner/hello/world")
    body = browser.get("/partner/hello/world", headers=headers).json()
    assert body == {"hello": "world", "user": "app", "info": {"role": "root"}}


def test_password_provider(browser):
    first = browser.get("/partner/hello/x")
    headers = digest_header(challenge(first), "provided", "from-provider", "/partner/hello/x")
    assert browser.get("/partner/hello/x", headers=headers).json()["info"] == {"role": "guest"}


# -- permissions ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "level,method,target,status",
    [
        ("user", "GET", "me", 200),
        ("user", "GET", "100", 403),
        ("staff", "GET", "100", 200),
        ("staff", "GET", "notme", 200),
        ("staff", "DELETE", "notme", 421),
        ("staff", "PATCH", "notme", 421),
        ("staff", "DELETE", "100", 403),
        ("admin", "DELETE", "100", 200),
        ("guest", "GET", "me", 403),
    ],
)
def test_permission_rules(browser, level, method, target, status):
    token = jwt_for(browser, level=level)
    assert browser.request(method, f"/sec/animals/{target}", headers=bearer(token)).status_code == status


def test_permission_me_resolves_to_the_user(browser):
    token = jwt_for(browser, level="user", uid=42)
    assert browser.get("/sec/animals/me", headers=bearer(token)).json() == {"id": 42}


def test_permission_without_token_is_401(browser):
    assert browser.get("/sec/animals/me").status_code == 401


def test_login_required(browser):
    assert browser.get("/sec/members").status_code == 401
    browser.get("/sec/session/set", params={"uid": "hans"})
    assert browser.get("/sec/members").json() == {"member": "hans"}


@pytest.mark.parametrize("flag,status", [("yes", 200), ("no", 403), ("response", 418)])
def test_testpass(browser, flag, status):
    assert browser.get("/sec/super", headers={"X-Super": flag}).status_code == status


# -- CORS ------------------------------------------------------------------------------------------------------
def test_cors_preflight(browser):
    response = browser.options(
        "/sec/cors/post",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "X-Token",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-methods"] == "POST, OPTIONS"
    assert response.headers["access-control-allow-headers"] == "x-token"
    assert response.headers["access-control-max-age"] == "3600"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in response.headers["vary"]


def test_cors_actual_request_headers(browser):
    response = browser.post("/sec/cors/post", headers={"Origin": ALLOWED})
    assert response.text == "cors" and response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["vary"] == "Origin"


def test_cors_disallowed_origin_is_403(browser):
    preflight = browser.options(
        "/sec/cors/post", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    actual = browser.post("/sec/cors/post", headers={"Origin": "https://evil.example"})
    assert preflight.status_code == 403 and actual.status_code == 403


def test_cors_same_origin_is_not_refused(browser, server):
    assert browser.post("/sec/cors/post", headers={"Origin": server}).status_code == 200


def test_cors_per_route(browser):
    response = browser.options(
        "/sec/cors/route", headers={"Origin": "https://route.example", "Access-Control-Request-Method": "GET"}
    )
    assert response.status_code == 204 and response.headers["access-control-max-age"] == "60"
    assert browser.get("/sec/cors/route", headers={"Origin": ALLOWED}).status_code == 403
