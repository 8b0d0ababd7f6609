"""Small real HTTP upstreams for the stub tests: JSON echo servers, an XML-RPC
server and a JSON-RPC server, each on 127.0.0.1 in a thread."""

from __future__ import annotations

import http.server
import json
import threading
import time
import xmlrpc.server
from typing import Any

__all__ = ["Upstream", "echo_server", "xmlrpc_server", "jsonrpc_server"]


class Upstream:
    def __init__(self, server: Any) -> None:
        self.server = server
        self.port = server.server_address[1]
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def member(self) -> str:
        return f"127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def echo_server(name: str) -> Upstream:
    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            if self.path.startswith("/slow"):
                time.sleep(3)
            status = 404 if self.path.startswith("/missing") else 200
            data = json.dumps(
                {
                    "server": name,
                    "method": self.command,
                    "path": self.path,
                    "body": body,
                    "type": self.headers.get("Content-Type"),
                }
            ).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, *args: Any) -> None:
            pass

    return Upstream(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler))


def xmlrpc_server() -> Upstream:
    server = xmlrpc.server.SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False, allow_none=True)
    server.register_function(lambda a, b: a + b, "add")
    server.register_function(lambda: 1 / 0, "broken")
    return Upstream(server)


def jsonrpc_server() -> Upstream:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            call = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            params = call.get("params") or []
            if call["method"] == "add":
                answer = {"result": sum(params) if isinstance(params, list) else params["a"] + params["b"]}
            else:
                answer = {"error": {"code": -32601, "message": f"no method {call['method']}"}}
            data = json.dumps({"jsonrpc": "2.0", "id": call["id"], **answer}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Upstream(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler))
