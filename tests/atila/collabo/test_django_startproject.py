"""``python3 -m atila startproject``: the Django project it writes migrates, and
its launch script serves Atila routes using the ORM next to the Django admin,
with the ORM's connections closed after each request."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import skitai
from atila.collabo.django import orm
from atila.collabo.startproject import startproject
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

ENV = {"DJANGO_SETTINGS_MODULE": "backend.orm.settings"}

CHECK_ROUTES = """

_generated_mount = __mount__


def __mount__(context, app):
    _generated_mount(context, app)
    from django.db import connections

    from atila.collabo.django import orm
    from backend.orm.blog.models import Post

    @app.route("/connection-after-orm", methods=["GET"])
    def after_orm(context):
        orm(Post.objects.count)()
        return {"open": connections["default"].connection is not None}

    @app.route("/connection-without-orm", methods=["GET"])
    def without_orm(context):
        Post.objects.count()
        still_open = connections["default"].connection is not None
        connections.close_all()
        return {"open": still_open}
"""


def run(args, cwd):
    done = subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env={**os.environ, **ENV}
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_project_migrates_and_serves_atila_with_the_orm_and_django(tmp_path):
    out = run(["-m", "atila", "startproject", "mysite"], tmp_path)
    assert "created" in out and "./manage.py migrate" in out
    root = tmp_path / "mysite"
    for relative in (
        "manage.py",
        "skitaid.py",
        "backend/__init__.py",
        "backend/orm/settings.py",
        "backend/orm/blog/models.py",
        "backend/services/__init__.py",
    ):
        assert (root / relative).is_file(), relative
    run(["manage.py", "migrate", "--noinput"], root)
    assert "No changes detected" in run(["manage.py", "makemigrations", "--check", "--dry-run"], root)
    with open(root / "backend/services/__init__.py", "a") as services:
        services.write(CHECK_ROUTES)
    with skitai.test_client(str(root / "skitaid.py"), port=free_port(), env=ENV) as cli:
        assert cli.get("/api/recent-posts").json() == {"result": []}
        created = cli.post("/api/posts", data={"title": "Hello", "content": "World"})
        assert created.status_code == 201
        assert cli.get(created.json()["url"]).json() == {"id": 1, "title": "Hello", "content": "World"}
        assert cli.get("/api/recent-posts").json()["result"][0]["title"] == "Hello"
        assert cli.get("/api/posts/99").status_code == 404
        assert cli.get("/api/recent-posts", params={"limit": "x"}).status_code == 400
        # Django answers what Atila has no route for: the admin
        login = cli.get("/admin/login/")
        assert login.status_code == 200 and "Django" in login.text
        assert cli.get("/openapi.json").json()["paths"]["/api/posts"]["post"]["requestBody"]
        # connections: closed after an @orm call, left open without it
        assert cli.get("/api/connection-after-orm").json() == {"open": False}
        assert cli.get("/api/connection-without-orm").json() == {"open": True}


def test_refuses_bad_names_and_existing_folders(tmp_path):
    with pytest.raises(ValueError, match="project name '1x'"):
        startproject("1x", str(tmp_path))
    startproject("site", str(tmp_path))
    with pytest.raises(FileExistsError, match="not empty"):
        startproject("site", str(tmp_path))
    usage = subprocess.run([sys.executable, "-m", "atila"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "startproject NAME" in usage.stdout


def test_orm_refuses_async_handlers():
    async def handler(context):
        return None

    with pytest.raises(TypeError, match="plain def handler"):
        orm(handler)
