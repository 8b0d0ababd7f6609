"""One engine, many kinds of mounts (real process, used by test_engine_e2e.py)."""

import os

from flask import Flask, Response, request

import skitai
from atila import Atila

HERE = os.path.dirname(os.path.abspath(__file__))

flask_app = Flask(__name__)


@flask_app.route("/where")
def where():
    return {"script_name": request.environ["SCRIPT_NAME"], "path_info": request.environ["PATH_INFO"]}


@flask_app.route("/upload", methods=["POST"])
def upload():
    return {"size": len(request.get_data())}


@flask_app.route("/stream")
def stream():
    return Response((f"line {number}\n" for number in range(3)), mimetype="text/plain")


async def asgi_app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b"asgi " + scope["root_path"].encode() + b" " + scope["path"].encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


spa = Atila(__name__)


@spa.route("/api/ping")
def ping(context):
    return context.API(pong=True)


@spa.route("/<path:path>")
def vapp(context, path=None):
    return context.File(os.path.join(HERE, "dist", "index.html"), "text/html")


if __name__ == "__main__":
    skitai.mount("/flask", flask_app)
    skitai.mount("/flask/deep/er", "wsgi_apps.py:where")
    skitai.mount("/stream", "wsgi_apps.py:streamed")
    with skitai.preference() as pref:
        pref.max_client_body_size = 64
        skitai.mount("/limited", "wsgi_apps.py:echo", pref)
    skitai.mount("/django", "djproj/config/wsgi:application")
    skitai.mount("/asgi", asgi_app)
    skitai.mount("/public", os.path.join(HERE, "public"))
    skitai.mount("/", spa)
    skitai.mount("/", os.path.join(HERE, "dist"))
    skitai.set_max_age("/js", 300)
    skitai.log_off("/public")
    skitai.run(port=5000)
