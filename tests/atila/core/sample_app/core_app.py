"""The framework core as a user writes it, served by a real process for test_core_e2e.py."""

import asyncio
import os
import threading

from atila import Atila

app = Atila(__name__)
app.securekey = "core-e2e-secret"
app.users = {"admin": "pw1"}
app.realm = "Core"

UPLOADS = os.environ.get("CORE_UPLOADS", "")
UPSTREAM = os.environ.get("CORE_UPSTREAM", "")


@app.route("")
def home(context):
    return "home " + context.urlfor("home")


@app.route("/items/<int:id>", methods=["GET", "DELETE"])
def item(context, id):
    return context.API(id=id)


@app.route("/sub/")
def sub(context):
    return "sub"


@app.route("/json", methods=["POST"], content_types=["application/json"])
def json_only(context, name: str, count: int = 1):
    return {"name": name, "count": count}


@app.route("/form", methods=["POST"])
def form(context, a, **rest):
    return {"a": a, "rest": rest}


@app.route("/upload", methods=["POST"])
def upload(context, file, dup="u"):
    saved = file.save(os.path.join(UPLOADS, "in"), mkdir=True, dup=dup)
    return {
        "name": file.name,
        "size": file.size,
        "ext": file.ext,
        "mimetype": file.mimetype,
        "saved": os.path.basename(saved),
    }


@app.route("/stream")
def stream(context):
    return (f"{i}\n" for i in range(3))


@app.route("/astream")
async def astream(context):
    async def chunks():
        for i in range(3):
            await asyncio.sleep(0)
            yield f"a{i}\n"

    return chunks()


@app.route("/queue")
def queue(context, lines: int = 2000):
    def produce(channel):
        for _ in range(lines):
            channel.put("x" * 999 + "\n")
        channel.put(None)

    return context.Queue(produce)


@app.route("/queue/fails")
def queue_fails(context):
    def produce(channel):
        channel.put("first line\n")
        raise OSError("the data source went away")

    return context.Queue(produce)


@app.route("/environ")
def environ(context):
    env = context.request.env
    return {"cookie": env.get("HTTP_COOKIE"), "accept": env.get("HTTP_ACCEPT"), "jar": dict(context.cookie)}


@app.route("/proxy/<path:path>")
def proxy(context, path, **query):
    return context.ProxyPass(UPSTREAM, path)


@app.route("/page")
def page(context, name="bob"):
    return context.render("page.html", name=name)


@app.route("/conflict")
def conflict(context):
    raise context.HttpError("409 Conflict", "already there")


@app.route("/boom")
def boom(context):
    raise RuntimeError("server-side secret detail")


@app.route("/login", methods=["POST"])
def login(context, user):
    context.session.set("user", user)
    return "ok"


@app.route("/whoami")
def whoami(context):
    return {"user": context.session.get("user")}


@app.route("/digest")
@app.authorization_required("digest")
def digest(context):
    return {"user": context.request.user.name}


@app.route("/thread/sync")
def sync_thread(context):
    return threading.current_thread().name


@app.route("/thread/async")
async def async_thread(context):
    return threading.current_thread().name


@app.route("/echo/<name>")
def echo(context, name):
    return {"name": name}
