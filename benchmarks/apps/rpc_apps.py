"""The servers of ``benchmarks/rpc_bench.py``.

    python benchmarks/apps/rpc_apps.py {skitai,xmlrpc,starlette} --port 8000

``skitai``: one Atila route ``add`` answering XML-RPC and JSON-RPC at ``/``
(by content type); ``xmlrpc``: the standard library's ``SimpleXMLRPCServer``
(threading, HTTP/1.1 keep-alive, so 64 connections are served at once);
``starlette``: a JSON-RPC 2.0 route on uvicorn (httptools, uvloop).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add(num1: int, num2: int) -> int:
    return num1 + num2


def run_skitai(port: int) -> None:
    import skitai
    from atila import Atila

    app = Atila(__name__)

    @app.route("/add")
    async def add_route(context: Any, num1: int, num2: int) -> int:
        return add(num1, num2)

    skitai.mount("/", app)
    sys.argv = sys.argv[:1]
    skitai.run(port=port, address="127.0.0.1", workers=1, access_log=False, name=f"bench-rpc-{port}")


def run_xmlrpc(port: int) -> None:
    import socketserver
    from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

    class Handler(SimpleXMLRPCRequestHandler):
        protocol_version = "HTTP/1.1"
        rpc_paths = ("/", "/RPC2")

    class Server(socketserver.ThreadingMixIn, SimpleXMLRPCServer):
        daemon_threads = True

    server = Server(("127.0.0.1", port), requestHandler=Handler, logRequests=False, allow_none=True)
    server.register_function(add, "add")  # type: ignore[arg-type]
    server.serve_forever()


def run_starlette(port: int) -> None:
    import orjson
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    methods = {"add": add}

    async def rpc(request: Request) -> Response:
        call = orjson.loads(await request.body())
        try:
            params = call.get("params", [])
            result = methods[call["method"]](*params) if isinstance(params, list) else methods[call["method"]](**params)
            answer: dict[str, Any] = {"jsonrpc": "2.0", "result": result, "id": call.get("id")}
        except KeyError:
            answer = {"jsonrpc": "2.0", "error": {"code": -32601, "message": "method not found"}, "id": call.get("id")}
        return Response(orjson.dumps(answer), media_type="application/json")

    app = Starlette(routes=[Route("/", rpc, methods=["POST"])])
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        workers=1,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("server", choices=["skitai", "xmlrpc", "starlette"])
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    {"skitai": run_skitai, "xmlrpc": run_xmlrpc, "starlette": run_starlette}[args.server](args.port)


if __name__ == "__main__":
    main()
