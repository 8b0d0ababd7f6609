"""An Atila app served by uvicorn: ``uvicorn asgi_atila_sample:app`` (the app is an
ASGI app itself) or ``uvicorn asgi_atila_sample:application`` (the adapter spelled out)."""

from atila.app import Atila
from atila.asgi import ASGIAdapter

app = Atila(__name__)
started = []


@app.on("mounted")
def on_mounted(context):
    started.append("mounted")


@app.route("/")
def index(context):
    return "<h1>something</h1>"


@app.route("/apis/pets/<int:id>", methods=["GET"])
def pets(context, id):
    return context.API({"id": id, "kind": "dog", "started": started})


@app.route("/apis/echo", methods=["POST"])
async def echo(context, name):
    return context.API(name=name)


@app.route("/apis/feed")
def feed(context):
    def produce(channel):
        channel.put("first line\n")
        raise OSError("the data source went away")

    return context.Queue(produce)


application = ASGIAdapter(app)
