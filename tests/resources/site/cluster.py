"""The cross-worker state test site: every answer names the worker (pid) that
gave it.  Settings from the environment the tests set: CLUSTER_WORKERS,
CLUSTER_URL (a redis:// URL; empty = per host)."""

import os
import time

import skitai
from atila import Atila
from skitai import state

skitai.deflu("news")

app = Atila(__name__)
app.securekey = "cluster-test-secret-0123456789abcdef"
app.store["boot"] = "before-fork"
app.users = {"hans": "secret"}
#: events this worker's listener received (per process on purpose)
seen = []
#: seconds from emit (on any host) to this worker's listener (benchmarks/state_bench.py)
latencies = []


@app.on("ping")
def ping(context, n, origin=None):
    seen.append([n, origin])


@app.on("timed")
def timed(context, sent):
    latencies.append(time.time() - sent)


@app.route("/timed", methods=["POST"])
def emit_timed(context):
    app.emit("timed", time.time(), broadcast=True)
    return me()


@app.route("/latencies")
def latency_list(context):
    return me(latencies=latencies)


@app.route("/plaintext")
def plaintext(context):
    return "Hello, World!"


@app.route("/cpu")
def cpu(context):
    times = os.times()
    return me(cpu=times.user + times.system)


def me(**values):
    return {"pid": os.getpid(), "worker": os.environ.get("SKITAI_WORKER_ID"), **values}


@app.route("/whoami")
def whoami(context):
    return me(seen=seen, scope=state.current().scope, boot=app.store.get("boot"))


@app.route("/emit", methods=["POST"])
def emit(context, n, via="app"):
    emitter = context if via == "context" else app
    emitter.emit("ping", int(n), broadcast=True, origin=os.getpid())
    return me()


@app.route("/touch", methods=["POST"])
def touch(context):
    return me(lu=context.setlu("news"))


@app.route("/lu")
def lu(context):
    return me(lu=context.getlu("news"))


@app.route("/hits", methods=["POST"])
def hit(context):
    return me(hits=app.store.incr("hits"))


@app.route("/hits")
def hits(context):
    return me(hits=app.store.get("hits", 0))


@app.route("/ott")
def ott_make(context):
    return me(token=context.encode_ott("hans", 3600, "pwrset"))


@app.route("/ott/revoke", methods=["POST"])
def ott_revoke(context, token):
    context.revoke_ott(token)
    return me()


@app.route("/ott/check")
def ott_check(context, token):
    return me(value=context.decode_ott(token))


@app.route("/digest")
@app.authorization_required("digest")
def digest(context):
    return me(user=context.request.user.name)


@app.route("/push", methods=["POST"])
def push(context, client_id, text):
    return me(sent=app.websocket_send(client_id, text))


def say_pid(context):
    context.websocket.send(str(os.getpid()))


@app.route("/room/<name>")
@app.websocket(skitai.WS_GROUPCHAT | skitai.WS_NOTHREAD, 60, say_pid)
def room(context, message, name):
    return f"{name}: {message}"


@app.route("/ws")
@app.websocket(skitai.WS_STREAM, 60)
async def ws(context):
    await context.websocket.send(f"{context.websocket.client_id} {os.getpid()}")
    while True:
        message = await context.websocket.receive()
        if message is None:
            break
        await context.websocket.send(f"echo {message}")


skitai.mount("/", app)
skitai.run(workers=int(os.environ.get("CLUSTER_WORKERS", "1")), cluster=os.environ.get("CLUSTER_URL", ""))
