"""``python3 -m atila startproject NAME``: a project with Django as ORM and admin.

Writes ``NAME/``::

    manage.py             Django's command line (migrate, createsuperuser, startapp...)
    skitaid.py            the launch script: the Atila app and Django on one port
    backend/__init__.py   the Atila app (its routes under /api)
    backend/services/     Atila routes using the Django ORM
    backend/orm/          the Django project (settings, urls, wsgi; SQLite by default)
    backend/orm/blog/     a Django app with one model, its admin and its migration
    static/               where ``manage.py collectstatic`` puts the admin's files
"""

from __future__ import annotations

import os
import re
import secrets
from typing import Sequence

__all__ = ["startproject", "main", "FILES"]

FILES: dict[str, str] = {
    "manage.py": '''\
#!/usr/bin/env python3
"""Django's command line for the ORM and admin of {name}."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.orm.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
''',
    "skitaid.py": '''\
#!/usr/bin/env python3
"""{name}: the Atila app and Django on one port (./skitaid.py --devel to develop)."""
import skitai
from atila.collabo.django import setup

if __name__ == "__main__":
    settings = setup("backend.orm.settings")
    import backend
    from backend.orm.wsgi import application

    with skitai.preference() as pref:
        skitai.mount("/", backend, pref, name="api")      # Atila: /api/... (tried first)
    skitai.mount("/", application, name="orm")           # Django: /admin/ and everything else
    skitai.mount(settings.STATIC_URL, str(settings.STATIC_ROOT))
    skitai.log_off(settings.STATIC_URL)
    skitai.run(port=5000, name="{name}")
''',
    "backend/__init__.py": '''\
"""The Atila side of {name}; Django (backend/orm) owns the models and the admin."""


def __config__(pref):
    from django.conf import settings

    import skitai

    settings.DEBUG = skitai.is_devel()
    pref.config.SETTINGS = settings
    pref.securekey = settings.SECRET_KEY


def __app__():
    from atila import Atila

    return Atila(__name__)


def __setup__(context, app):
    from . import services

    app.mount("/api", services)
''',
    "backend/services/__init__.py": '''\
"""Atila routes using the Django ORM: plain def handlers (the thread pool) under @orm."""
from atila.collabo.django import orm


def __mount__(context, app):
    from backend.orm.blog.models import Post

    @app.route("/recent-posts", methods=["GET"])
    @orm
    def recent_posts(context, limit: int = 10):
        posts = Post.objects.order_by("-updated_on").values("id", "title", "content")[:limit]
        return context.API(result=list(posts))

    @app.route("/posts", methods=["POST"])
    @orm
    def add_post(context, title: str, content: str = ""):
        post = Post.objects.create(title=title, content=content)
        return context.API("201 Created", id=post.id, url=context.urlfor(get_post, post.id))

    @app.route("/posts/<int:id>", methods=["GET"])
    @orm
    def get_post(context, id):
        post = Post.objects.filter(id=id).values("id", "title", "content").first()
        if post is None:
            raise context.HttpError("404 Not Found", f"no post {id}")
        return context.API(**post)
''',
    "backend/orm/__init__.py": "",
    "backend/orm/settings.py": '''\
"""Django settings of {name} (the ORM and the admin; Atila serves the API)."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "{secret}")
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "backend.orm.blog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.orm.urls"
WSGI_APPLICATION = "backend.orm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default; set DATABASE_URL-style settings here for PostgreSQL
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DJANGO_DB") or str(BASE_DIR / "db.sqlite3"),
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"
''',
    "backend/orm/urls.py": """\
from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]
""",
    "backend/orm/wsgi.py": """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.orm.settings")
application = get_wsgi_application()
""",
    "backend/orm/blog/__init__.py": "",
    "backend/orm/blog/apps.py": """\
from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "backend.orm.blog"
    label = "blog"
""",
    "backend/orm/blog/models.py": """\
from django.db import models


class Post(models.Model):
    title = models.CharField(max_length=200, unique=True)
    updated_on = models.DateTimeField(auto_now=True)
    content = models.TextField(blank=True)

    def __str__(self):
        return self.title
""",
    "backend/orm/blog/admin.py": """\
from django.contrib import admin

from .models import Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "updated_on"]
    search_fields = ["title"]
""",
    "backend/orm/blog/migrations/__init__.py": "",
    "backend/orm/blog/migrations/0001_initial.py": """\
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Post",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200, unique=True)),
                ("updated_on", models.DateTimeField(auto_now=True)),
                ("content", models.TextField(blank=True)),
            ],
        ),
    ]
""",
    "static/.keep": "",
}

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_EXECUTABLE = ("manage.py", "skitaid.py")


def startproject(name: str, where: str = ".") -> str:
    """Write the project ``name`` under ``where``; returns its folder.

    Raises:
        ValueError: a name that is not a plain folder name.
        FileExistsError: the folder exists and is not empty (nothing is overwritten).
    """
    if not _NAME.fullmatch(name):
        raise ValueError(f"project name {name!r}: use letters, digits, '_' and '-', not starting with a digit")
    root = os.path.abspath(os.path.join(where, name))
    if os.path.isdir(root) and os.listdir(root):
        raise FileExistsError(f"{root} exists and is not empty; pick another name or folder")
    secret = secrets.token_urlsafe(40)
    for relative, template in FILES.items():
        path = os.path.join(root, *relative.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # NOTE: plain replacement, not str.format: the templates are Python full of braces
        text = template.replace("{name}", name).replace("{secret}", secret)
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
        if relative in _EXECUTABLE:
            os.chmod(path, 0o755)
    return root


_USAGE = "usage: python3 -m atila startproject NAME [FOLDER]"


def main(argv: Sequence[str]) -> int:
    """The ``python3 -m atila`` command line; returns the exit code."""
    args = list(argv)
    if len(args) not in (2, 3) or args[0] != "startproject":
        print(_USAGE)
        return 2
    try:
        root = startproject(args[1], args[2] if len(args) == 3 else ".")
    except (ValueError, FileExistsError) as exc:
        print(f"atila startproject: {exc}")
        return 1
    print(
        f"created {root}\n  cd {args[1]}\n  ./manage.py migrate\n  ./manage.py createsuperuser\n"
        "  ./manage.py collectstatic --noinput\n  ./skitaid.py --devel"
    )
    return 0
