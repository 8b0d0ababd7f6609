"""Plain WSGI callables mounted by their "file.py:callable" string form (see serve.py)."""

import json


def echo(environ, start_response):
    size = len(environ["wsgi.input"].read())
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"got %d" % size]


def where(environ, start_response):
    body = json.dumps({"script_name": environ["SCRIPT_NAME"], "path_info": environ["PATH_INFO"]})
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body.encode()]


def streamed(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return (b"part %d\n" % number for number in range(3))
