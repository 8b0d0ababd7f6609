"""The generator routes the coroutine tests serve (copied beside their launch script)."""

import asyncio
import concurrent.futures
import time

from atila import Atila

app = Atila(__name__)
pool = concurrent.futures.ThreadPoolExecutor(2)
produced = []


@app.route("/coroutine", coroutine=True)
def coroutine(context):
    task = yield pool.submit(lambda: "from a thread")
    value = yield asyncio.sleep(0, result="awaited")
    return {"task": task.result(), "value": value}


@app.route("/tasks", coroutine=True)
def with_tasks(context):
    def wait_hello(timeout=1.0):
        time.sleep(timeout)
        return "mask"

    tasks = yield context.Tasks(a=context.Mask("Example Domain"), b=context.Thread(wait_hello, args=(0.05,)))
    task3 = yield context.Thread(wait_hello, args=(0.05,))
    task4 = yield context.Subprocess("echo hello")
    return context.API(d=task4.fetch().strip(), c=task3.fetch(), **tasks.fetch())


@app.route("/download_csv", coroutine=True)
def download_csv(context, rows=3):
    yield "ID, NAME\n"
    for current in range(int(rows)):
        task = yield pool.submit(lambda n=current: f'{n}, "name {n}"\n')
        yield task.result()
    return "END\n"


@app.route("/endless", coroutine=True)
def endless(context):
    n = 0
    try:
        while True:
            produced.append(n)
            n += 1
            yield b"x" * 65536
    finally:
        produced.append("closed")


@app.route("/produced")
def how_many(context):
    return {"count": len([p for p in produced if p != "closed"]), "closed": "closed" in produced}


@app.route("/bad", coroutine=True)
def bad(context):
    yield 42


@app.route("/no-input", coroutine=True)
def no_input(context):
    data = yield context.Input(10)
    return data


@app.route("/upload", methods=["POST"], input_stream=True)
def upload(context):
    buf = []
    while 1:
        data = yield context.Input(4096)
        if not data:
            break
        buf.append(data)
    return b"".join(buf)


@app.route("/bistreaming", methods=["POST"], coroutine=True, input_stream=True)
def coroutine_streaming(context):
    while 1:
        data = yield context.Input(16184)
        if not data:
            break
        yield b":" + data
