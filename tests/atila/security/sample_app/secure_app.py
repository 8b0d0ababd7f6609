"""An app using every security feature, served by serve_security.py for the end-to-end tests."""

import hashlib

from atila import Atila

SECRET = "end-to-end-secret-key-0123456789abcdef"
REALM = "Partner App"

app = Atila(__name__)
app.realm = REALM
app.users = {
    "plain": "1234",
    "pair": ("5678", False),
    "root": ("abcd", False, {"role": "root"}),
    "hashed": (hashlib.md5(f"hashed:{REALM}:secret".encode()).hexdigest(), True),
}


# -- cookies, sessions, message box ------------------------------------------------
@app.route("/cookie/set")
def cookie_set(context, name="hans"):
    context.cookie.set("uid", name)
    context.cookie.set("gone", "x", expires="now")
    context.cookie.set("forever", "y", expires="never", http_only=True)
    return "ok"


@app.route("/cookie/get")
def cookie_get(context):
    return {"uid": context.cookie.get("uid"), "template": context.request.cookie.uid}


@app.route("/session/set")
def session_set(context, **values):
    for key, value in values.items():
        context.session[key] = value
    return {"keys": sorted(context.session.keys())}


@app.route("/session/get")
def session_get(context):
    return {"values": dict(context.session.items()), "exists": context.session.exists(None)}


@app.route("/session/expire")
def session_expire(context):
    context.session.expire()
    return "expired"


@app.route("/session/admin")
def session_admin(context):
    context.session.mount("ADMIN", path="/sec/session")
    context.session.set("login", True)
    context.session.mount()
    return {"admin": context.session.exists("ADMIN")}


@app.route("/session/admin/check")
def session_admin_check(context):
    return {
        "default_login": context.session.get("login"),
        "admin_login": context.session.mount("ADMIN", path="/sec/session").get("login"),
    }


@app.route("/msg/send")
def msg_send(context):
    context.mbox.send("saved", "flash")
    context.mbox.send("alarm", "alram", valid=600, level=2)
    return "sent"


@app.route("/msg/show")
def msg_show(context):
    return {"messages": [[m[1], m[4], m[5]] for m in context.mbox.get()]}


# -- CSRF ----------------------------------------------------------------------------------
@app.route("/form")
def form(context):
    return f"<form>{context.csrf_token_input}</form>"


@app.route("/token")
def token(context):
    return {"token": context.csrf_token}


@app.route("/transfer", methods=["POST"])
@app.csrf_verification_required
def transfer(context, amount=0, **extra):
    return {"done": amount}


@app.route("/manual", methods=["POST"])
def manual(context, **form):
    if not context.verify_csrf():
        return context.response("400 Bad Request")
    return "verified"


# -- tokens --------------------------------------------------------------------------------
@app.route("/jwt/make")
def jwt_make(context, username="hans", level="user", uid=7):
    import time

    return {
        "token": context.encode_jwt({"username": username, "level": level, "uid": int(uid), "exp": time.time() + 3600})
    }


@app.route("/jwt/claims")
def jwt_claims(context):
    return {"claims": context.request.JWT, "dejwt": context.dejwt()}


@app.route("/ott/make")
def ott_make(context, value="hans"):
    return {"token": context.encode_ott(value, 3600, "pwrset")}


@app.route("/ott/use")
def ott_use(context, token):
    value = context.decode_ott(token)
    if not value:
        return context.response("400 Bad Request")
    context.revoke_ott(token)
    return {"value": value}


def check_otp(context):
    if not context.verify_otp(context.request.get_header("x-otp")):
        raise context.Error("403 Forbidden", "bad one-time password")


@app.route("/otp")
@app.testpass_required(check_otp)
def otp(context):
    return "otp ok"


# -- authentication ---------------------------------------------------------------------------
@app.route("/auth/basic", authenticate="basic")
def auth_basic(context):
    return {"user": str(context.request.user), "info": context.request.user.info}


@app.route("/auth/digest")
@app.authorization_required("digest")
def auth_digest(context):
    return {"user": context.request.user.name, "realm": context.request.user.realm}


@app.route("/auth/bearer")
@app.authorization_required("bearer")
def auth_bearer(context):
    return {"user": str(context.request.user), "claims": context.request.JWT}


# -- permissions -------------------------------------------------------------------------------
@app.permission_handler
def permission_handler(context, perms):
    claims = context.request.JWT
    if "err" in claims:
        raise context.Error("401 Unauthorized", claims["err"])
    if not perms or claims["level"] == "admin":
        return None
    if claims["level"] not in perms:
        raise context.Error("403 Forbidden", "permission denied")


@app.route("/animals/<int:id>", methods=["GET", "POST", "DELETE", "PATCH"])
@app.permission_required(["user"], id=["staff"], DELETE=["admin"])
def animals(context, id=None):
    return {"id": context.request.JWT["uid"] if id == "me" else id}


@app.login_handler
def login_handler(context):
    if not context.session.get("uid"):
        return context.response("401 Unauthorized", "sign in first")


@app.route("/members")
@app.login_required
def members(context):
    return {"member": context.session.get("uid")}


def is_superuser(context):
    flag = context.request.get_header("x-super")
    if flag == "response":
        return context.response("418 I'm a Teapot", "custom refusal")
    return flag == "yes"


@app.route("/super")
@app.testpass_required(is_superuser)
def super_only(context):
    return "super"


# -- CORS -----------------------------------------------------------------------------------------
@app.route("/cors/post", methods=["POST", "OPTIONS"])
def cors_post(context):
    return "cors"


@app.route(
    "/cors/route", methods=["GET"], access_control_allow_origin=["https://route.example"], access_control_max_age=60
)
def cors_route(context):
    return "route cors"
