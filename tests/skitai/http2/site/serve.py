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


if __name__ == "__main__":
    if os.environ.get("TLS_CERT"):
        skitai.enable_ssl(os.environ["TLS_CERT"], os.environ["TLS_KEY"], os.environ.get("TLS_PASSPHRASE"))
    skitai.mount("/static", os.path.join(HERE, "static"))
    skitai.mount("/", app)
    skitai.run(port=5000)
