"""Start-up checks and in-process integration details."""

from __future__ import annotations

import pytest

from atila import Atila
from atila.security.errors import MissingSecretKey
from atila.security.startup import uses_secret


def test_app_using_sessions_without_key_fails_at_startup():
    app = Atila("no_key_app")

    @app.route("/")
    def index(context):
        return context.session.get("uid") or "anonymous"

    with pytest.raises(MissingSecretKey, match="securekey") as info:
        with app.test_client("/", None):
            pass
    assert "route '/'" in str(info.value)


def test_app_without_secret_features_starts_without_key():
    app = Atila("plain_app")

    @app.route("/")
    def index(context):
        return "hello"

    with app.test_client("/", None) as client:
        assert client.get("/").text == "hello"


def test_secret_key_alias_is_accepted():
    app = Atila("alias_app")
    app.secret_key = "alias-secret-key-for-tests"

    @app.route("/")
    def index(context):
        context.session["n"] = 1
        return "ok"

    with app.test_client("/", None) as client:
        assert "ATLSESS=" in client.get("/").headers["set-cookie"]


def test_uses_secret_reads_context_attributes_only():
    def handler(context):
        return context.request.session

    def unrelated(context, db):
        return db.session

    assert uses_secret(handler) and not uses_secret(unrelated)


def test_generate_otp_is_exported_from_was():
    from atila.was import generate_otp

    assert len(generate_otp("any-key")) == 6
