"""WebSocket routes of every spec, served in-process and as a real process."""

from __future__ import annotations

import asyncio
import sys
import threading

import skitai
from atila import Atila

app = Atila(__name__)
app.securekey = "ws-test-secret"
app.users = {"admin": "pw1"}
EVENTS: list[str] = []


def onopen(context):
    context.session.set("WS_ID", context.websocket.client_id)
    EVENTS.append(f"open {context.request.ARGS.get('options', '')}")


def onclose(context):
    EVENTS.append(f"close {context.websocket.client_id}")


@app.route("/echo")
@app.websocket(skitai.WS_CHANNEL | skitai.WS_NOTHREAD, 60)
def echo(context, message):
    return message


@app.route("/threaded")
@app.websocket(skitai.WS_CHANNEL | skitai.WS_THREAD, 1200, onopen, onclose)
def threaded(context, message, **options):
    return f"you said: {message} in {threading.current_thread().name} {sorted(options.items())}"


@app.route("/fast")
@app.websocket(skitai.WS_SIMPLE | skitai.WS_FAST, 60, onopen)
def fast(context, message):
    return {"echo": message, "thread": threading.current_thread().name}


@app.route("/safe")
@app.websocket(skitai.WS_THREADSAFE, 60)
def safe(context, message, option):
    def later():
        context.websocket.send(f"from a thread: {message} {option}")

    threading.Thread(target=later).start()


@app.route("/session")
@app.websocket(skitai.WS_SESSION, 60)
def session(context):
    count = 0
    message = yield "welcome"
    while message != "bye":
        count += 1
        message = yield f"{count}: {message}"


@app.route("/coroutine")
@app.websocket(skitai.WS_COROUTINE, 60)
def coroutine(context):
    while 1:
        msg = yield context.Input()
        if not msg:
            break
        slept = yield asyncio.sleep(0, result="awaited")
        yield f"{msg} {slept}"


@app.route("/stream")
@app.websocket(skitai.WS_STREAM, 60)
async def stream(context):
    total = 0
    while True:
        message = await context.websocket.receive()
        if message is None:
            break
        total += len(message)
        await context.websocket.send(f"{total}")
        if message == "done":
            break


@app.route("/room/<name>")
@app.websocket(skitai.WS_GROUPCHAT | skitai.WS_NOTHREAD, 60)
def room(context, message, name):
    return f"{name}: {message}"


@app.route("/broken")
@app.websocket(skitai.WS_NOTHREAD, 60)
def broken(context, message):
    raise RuntimeError("handler bug")


@app.route("/shell")
@app.websocket(
    skitai.WS_CHANNEL,
    60,
    lambda context: context.websocket.pipe(
        [sys.executable, "-u", "-c", "import sys\nfor line in sys.stdin: print('got', line.strip().upper())"]
    ),
)
def shell(context, message):
    return "never: the process takes the messages"


def guarded_open(context):
    if context.request.ARGS.get("token") != "let-me-in":
        raise context.HttpError("403 Forbidden", "token required")


@app.route("/guarded")
@app.websocket(skitai.WS_NOTHREAD, 60, guarded_open)
def guarded(context, message, **values):
    return "inside"


@app.route("/chat")
@app.websocket(skitai.WS_NOTHREAD, 60, subprotocols=["chat.v2", "chat.v1"])
def chat(context, message):
    return context.websocket.subprotocol


@app.route("/async-session")
@app.websocket(skitai.WS_SESSION, 60)
async def async_session(context):
    message = yield None
    while True:
        await asyncio.sleep(0)
        message = yield message[::-1]


@app.route("/slow")
@app.websocket(skitai.WS_THREAD, 60)
def slow(context, message):
    import time

    time.sleep(0.01)
    return message


@app.route("/private")
@app.authorization_required("basic")
@app.websocket(skitai.WS_NOTHREAD, 60)
def private(context, message):
    return f"{context.request.user.name}: {message}"


@app.route("/push")
def push(context, client_id, message="Item In Stock!"):
    return context.API(sent=app.websocket_send(client_id, message))


@app.route("/push-session")
def push_session(context):
    return context.API(sent=app.websocket_send(context.session.get("WS_ID"), "Item In Stock!"))


@app.route("/events")
def events(context):
    return context.API(events=EVENTS)


if __name__ == "__main__":
    skitai.mount("/", app)
    skitai.run(port=5000, ws_ping_interval=1.0, ws_ping_timeout=2.0)
