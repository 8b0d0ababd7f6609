"""A real minimal Django project mounted with ``"proj/config/wsgi:application"``.

Django's settings and app registry are process-wide and cannot be reset, so each
scenario runs in a fresh interpreter; the launch script there does exactly what a
user's ``serve.py`` does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.process

SETTINGS = """
SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "config.urls"
INSTALLED_APPS = []
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES = {}
USE_TZ = True
"""

URLS = """
import json
from django.http import HttpResponse, JsonResponse
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt


def hello(request):
    return JsonResponse({"path": request.path, "path_info": request.path_info,
                         "script_name": request.META["SCRIPT_NAME"],
                         "reverse": reverse("hello"), "q": request.GET.get("q")})


@csrf_exempt
def echo(request):
    return HttpResponse(request.body[::-1], content_type="application/octet-stream")


urlpatterns = [path("hello/", hello, name="hello"), path("echo/", echo)]
"""

WSGI = """
import os
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
"""

SERVE = """
import json, sys
from skitai.mounts.loader import load_mount
from skitai.testing import call_mount, make_request

prefix = sys.argv[1]
mounts = load_mount(prefix or "/", "proj/config/wsgi:application")
results = []
for method, target, body in json.loads(sys.argv[2]):
    headers = [("Content-Length", str(len(body)))] if body else []
    request = make_request(method, target, headers=headers, body=body.encode(), script_name=prefix)
    responder = call_mount(mounts[0], request)
    results.append({"status": responder.status, "body": responder.body.decode("latin-1"),
                    "headers": dict((k.lower(), v) for k, v in responder.headers)})
print(json.dumps({"kind": type(mounts[0]).__name__, "count": len(mounts), "results": results}))
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    config = tmp_path / "proj" / "config"
    config.mkdir(parents=True)
    (config / "__init__.py").write_text("")
    (config / "settings.py").write_text(SETTINGS)
    (config / "urls.py").write_text(textwrap.dedent(URLS))
    (config / "wsgi.py").write_text(WSGI)
    (tmp_path / "serve.py").write_text(SERVE)
    return tmp_path


def serve(project: Path, prefix: str, requests: list[tuple[str, str, str]]) -> dict:
    completed = subprocess.run(
        [sys.executable, str(project / "serve.py"), prefix, json.dumps(requests)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_django_project_loads_from_string_form(project: Path) -> None:
    outcome = serve(project, "", [("GET", "/hello/?q=1", "")])
    assert (outcome["kind"], outcome["count"]) == ("WSGIMount", 1)
    result = outcome["results"][0]
    assert result["status"] == 200
    assert json.loads(result["body"]) == {
        "path": "/hello/",
        "path_info": "/hello/",
        "script_name": "",
        "reverse": "/hello/",
        "q": "1",
    }


def test_django_at_prefix_reverses_with_script_name(project: Path) -> None:
    result = serve(project, "/dj", [("GET", "/dj/hello/", "")])["results"][0]
    assert json.loads(result["body"]) == {
        "path": "/dj/hello/",
        "path_info": "/hello/",
        "script_name": "/dj",
        "reverse": "/dj/hello/",
        "q": None,
    }


def test_django_reads_request_body(project: Path) -> None:
    result = serve(project, "", [("POST", "/echo/", "abcdef")])["results"][0]
    assert (result["status"], result["body"]) == (200, "fedcba")


def test_django_common_middleware_redirects_to_slash(project: Path) -> None:
    result = serve(project, "/dj", [("GET", "/dj/hello", "")])["results"][0]
    assert result["status"] == 301
    assert result["headers"]["location"] == "/dj/hello/"
