"""An Atila app with server-push hints and a static folder, over HTTP/2
(test_h2_e2e.py).  With TLS_CERT/TLS_KEY in the environment it serves HTTPS
through ``skitai.enable_ssl``."""

import os

import skitai
from atila import Atila

HERE = os.path.dirname(os.path.abspath(__file__))

app = Atila(__name__)


@app.route("/page")
def page(context):
    context.response.hint_promise("/static/style.css")
    return "<html>page</html>"


@app.route("/version")
def version(context):
    return context.API(version=context.request.version, scheme=context.request.scheme)


@app.route("/upload", methods=["POST"])
def upload(context):
    return context.API(size=len(context.request.get_body() or b""))


@app.route("/stream")
def stream(context):
    def lines():
        for number in range(200):
            yield f"line {number:04d} ".encode() * 100

    return lines()


@app.route("/ws/echo")
@app.websocket(skitai.WS_CHANNEL | skitai.WS_NOTHREAD, 60)
def ws_echo(context, message):
    return f"echo {context.request.version}: {message}"


async def asgi_ws(scope, receive, send):
    """A raw ASGI websocket app: greets with the scope's http_version, echoes in capitals."""
    assert scope["type"] == "websocket"
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": f"hello over {scope['http_version']}"})
    while True:
        event = await receive()
        if event["type"] == "websocket.disconnect":
            return
        await send({"type": "websocket.send", "text": event.get("text", "").upper()})


async def asgi_extras(scope, receive, send):
    """ASGI's HTTP/2 extensions: push a stylesheet, answer with trailers."""
    await receive()
    extensions = scope.get("extensions", {})
    if "http.response.push" in extensions:
        await send({"type": "http.response.push", "path": "/static/style.css", "headers": [(b"accept", b"text/css")]})
    trailers = "http.response.trailers" in extensions
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "trailers": trailers,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"part one, ", "more_body": True})
    await send({"type": "http.response.body", "body": b"part two"})
    if trailers:
        await send({"type": "http.response.trailers", "headers": [(b"x-checksum", b"abc")], "more_trailers": True})
        await send({"type": "http.response.trailers", "headers": [(b"x-status", b"0")]})


if __name__ == "__main__":
    if os.environ.get("TLS_CERT"):
        skitai.enable_ssl(os.environ["TLS_CERT"], os.environ["TLS_KEY"], os.environ.get("TLS_PASSPHRASE"))
    skitai.mount("/static", os.path.join(HERE, "static"))
    skitai.mount("/asgi-ws", asgi_ws)
    skitai.mount("/asgi-extras", asgi_extras)
    skitai.mount("/", app)
    skitai.run(port=5000)
