"""Probe target: a static folder and the echo endpoint of shared/probes/README.md,
served by the engine alone (a raw mount using the same parsers Atila uses).

    python examples/probe/serve.py --port 5000
    python ../shared/probes/http_probe.py --port 5000 --static-prefix /static/ \
        --static-file hello.txt --echo-path /echo --secret-rel ../secret.txt \
        --secret-marker SKITAI-PROBE-SECRET-MARKER
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs, unquote

import orjson
from python_multipart import MultipartParser, QuerystringParser
from python_multipart.multipart import parse_options_header

import skitai

HERE = os.path.dirname(os.path.abspath(__file__))
TEXT = [("content-type", "text/plain; charset=utf-8")]


class Echo:
    """Answers the probe's echo contract: raw, ?mode=json|form|query."""

    prefix = "/echo"
    priority = 10
    body_limit = None
    name = "echo"

    def handle(self, request: Any, responder: Any) -> Any:
        return self.echo(request, responder)

    async def echo(self, request: Any, responder: Any) -> None:
        query = parse_qs(request.query, keep_blank_values=True, max_num_fields=20000)
        body = await request.body.read()
        mode = (query.get("mode") or [""])[0]
        if mode == "json":
            try:
                orjson.loads(body or b"null")
            except orjson.JSONDecodeError as exc:
                responder.respond(400, TEXT, f"invalid JSON: {exc}".encode())
                return
            responder.respond(200, TEXT, b"ok")
        elif mode == "form":
            count = parse_form(request.headers.get("content-type") or "", body)
            responder.respond(200 if count >= 0 else 400, TEXT, b"%d fields" % count)
        elif mode == "query":
            responder.respond(200, TEXT, b"%d params" % len(query))
        else:
            headers = list(TEXT)
            if "h" in query:
                headers.append(("x-echo", unquote(query["h"][0])))
            responder.respond(200, headers, body)

    async def startup(self, engine: Any) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def watch_paths(self) -> list[str]:
        return []


def parse_form(content_type: str, body: bytes) -> int:
    """Field count, or -1 for a malformed body."""
    ctype, options = parse_options_header(content_type)
    fields = 0

    def on_field_end(*_: Any) -> None:
        nonlocal fields
        fields += 1

    try:
        if ctype == b"multipart/form-data":
            boundary = options.get(b"boundary")
            if not boundary:
                return -1
            parser: Any = MultipartParser(boundary, {"on_part_end": on_field_end})
        else:
            parser = QuerystringParser({"on_field_end": on_field_end})
        parser.write(body)
        parser.finalize()
    except Exception:
        return -1
    return fields


if __name__ == "__main__":
    skitai.mount("/echo", Echo())
    skitai.mount("/static", os.path.join(HERE, "static"))
    skitai.mount("/", os.path.join(HERE, "static"))
    skitai.run(port=5000)
