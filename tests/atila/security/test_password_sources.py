"""Where passwords come from, over real HTTP: ``app.users`` alone, or
``@app.password_provider``, which is then the only source (said at start-up)."""

from __future__ import annotations

import textwrap

import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

APP = """
from atila import Atila


def __app__():
    app = Atila(__name__)
    app.users = {"static": "old-pw"}
    return app


def __mount__(context, app):
    if {provider!r}:
        @app.password_provider
        def provider(context, username):
            if username == "dynamic":
                return "new-pw"
            if username == "both":
                return context.app.users.get("static")  # the documented way to use both
            return None

    @app.route("/secret", authenticate="basic")
    def secret(context):
        return str(context.request.user)
"""

SERVE = """
import skitai
import myapp

if __name__ == "__main__":
    skitai.mount("/", myapp)
    skitai.run(port=5000)
"""


def _serve(tmp_path, provider):
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text(textwrap.dedent(APP.replace("{provider!r}", repr(provider))))
    (tmp_path / "serve.py").write_text(SERVE)
    return skitai.test_client(str(tmp_path / "serve.py"), port=free_port())


@pytest.mark.parametrize(
    "user,password,status",
    [
        ("static", "old-pw", 200),
        ("static", "wrong", 401),
        ("dynamic", "new-pw", 401),
    ],
)
def test_app_users_alone(tmp_path, user, password, status):
    with _serve(tmp_path, provider=False) as cli:
        assert cli.get("/secret", auth=(user, password)).status_code == status
        assert "is not consulted" not in cli.output()


def test_a_password_provider_is_the_only_source_and_says_so(tmp_path):
    with _serve(tmp_path, provider=True) as cli:
        ok = cli.get("/secret", auth=("dynamic", "new-pw"))
        assert (ok.status_code, ok.text) == (200, "dynamic")
        # app.users is not merged in: its accounts do not log in behind the provider's back
        assert cli.get("/secret", auth=("static", "old-pw")).status_code == 401
        # unless the provider looks them up itself
        assert cli.get("/secret", auth=("both", "old-pw")).status_code == 200
        output = cli.output()
    assert "app.users is set but @app.password_provider answers every password lookup" in output
    assert "[warning]" in output
