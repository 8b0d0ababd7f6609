"""Probe target on the whole stack: the echo endpoint is an Atila route, so the
probe's JSON, form and multipart cases go through the framework's own parsers.

    python examples/probe/atila_serve.py --port 5000
    python ../shared/probes/http_probe.py --port 5000 --static-prefix /static/ \
        --static-file hello.txt --echo-path /echo --secret-rel ../secret.txt \
        --secret-marker SKITAI-PROBE-SECRET-MARKER --ws-path /ws
"""

from __future__ import annotations

import os

import skitai
from atila import Atila

HERE = os.path.dirname(os.path.abspath(__file__))

app = Atila(__name__)


@app.route("/echo", methods=["GET", "POST", "PUT"])
def echo(context, **params):
    request = context.request
    mode = request.URL.get("mode")
    if mode == "json":
        return context.API(kind=type(request.JSON).__name__)
    if mode == "form":
        return context.API(fields=len(request.FORM))
    if mode == "query":
        return context.API(params=len(request.URL))
    if "h" in request.URL:
        context.response["X-Echo"] = request.URL["h"]
    return request.get_body()


@app.route("/ws")
@app.websocket(skitai.WS_CHANNEL | skitai.WS_NOTHREAD, 60)
def ws(context: object, message: str | bytes) -> str | bytes:
    return message


if __name__ == "__main__":
    skitai.mount("/", app)
    skitai.mount("/static", os.path.join(HERE, "static"))
    skitai.run(port=5000)
