"""A WSGI app behind skitai's WSGIMount, served over ASGI by atila.asgi (for uvicorn)."""

from atila.asgi import ASGIAdapter
from skitai.mounts.wsgi import WSGIMount


def wsgi_app(environ, start_response):
    size = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(size)
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-Script", environ["SCRIPT_NAME"])])
    return [environ["REQUEST_METHOD"].encode(), b" ", environ["PATH_INFO"].encode(), b" ", body]


app = ASGIAdapter(WSGIMount("", wsgi_app))
