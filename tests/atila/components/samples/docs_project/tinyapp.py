"""A tiny mount routed by atila.routing, so --docs sees route names and templates."""

import json

from atila.routing import Router, Rule


class TinyApp:
    prefix = ""
    priority = 10
    body_limit = None
    name = "tiny"

    def __init__(self):
        self.router = Router()

    def route(self, path, methods, name):
        def decorator(func):
            self.router.add(Rule(path, func, methods, None, name, {}))
            return func

        return decorator

    def __skitai_mount__(self, prefix, pref=None, name=None, module=None, **options):
        self.prefix = prefix
        return [self]

    async def startup(self, engine):
        return None

    async def shutdown(self):
        return None

    def watch_paths(self):
        return []

    def handle(self, request, responder):
        match = self.router.match(request.path_info, request.method, request.headers.get("content-type"))
        if match.status != 200:
            responder.respond(match.status, [("content-type", "application/json")], b'{"error": "no route"}')
            return None
        status, data = match.rule.func(request, **match.kwargs)
        responder.respond(status, [("content-type", "application/json")], json.dumps(data).encode())
        return None


app = TinyApp()


@app.route("/apis/tickers/<int:product_code>", ["GET", "DELETE"], "product.tickers")
def tickers(request, product_code):
    if product_code == 0:
        return 404, {"code": 404, "message": "Not Found"}
    return 200, {"instock": 2}


@app.route("/apis/orders", ["POST"], "orders")
def orders(request):
    return 201, {"ordered": json.loads(request.body.read_sync() or b"{}")}
