"""Routes exercising context.Thread/Process/Subprocess/Mask/Tasks/Map and the rest."""

import math
import os
import sys
import time

import jobs

from atila import Atila

app = Atila(__name__)


def respond(context, task):
    return context.API(result=task.fetch(), a=task.meta.get("a"))


@app.route("/thread")
def thread(context):
    return context.Thread(jobs.sqrt, args=(16.0,), meta={"a": 1}).then(respond)


@app.route("/thread-positional")
def thread_positional(context):
    return {"result": context.Thread(jobs.slow, 0, "hello").fetch()}


@app.route("/process")
def process(context):
    return context.Process(math.sqrt, args=(4.0,), meta={"a": 2}).then(respond)


@app.route("/process-local")
def process_local(context):
    def local(x):
        return x

    return {"result": context.Process(local, args=(1,)).fetch()}


@app.route("/process-unpicklable")
def process_unpicklable(context):
    return {"result": context.Process(jobs.slow, args=(0, lambda: 1)).fetch()}


@app.route("/subprocess")
def subprocess(context):
    task = context.Subprocess(f"{sys.executable} -c \"print('a b')\"", filter=lambda x: x.strip().replace(" ", "_"))
    return {"result": task.fetch()}


@app.route("/subprocess-timeout")
def subprocess_timeout(context):
    return {"result": context.Subprocess("sleep 5", timeout=0.3).fetch()}


@app.route("/mask")
def mask(context):
    a = context.Mask(1).fetch()
    b, c = context.Mask([2, 3]).fetch()
    return {"a": a, "b": b, "c": c}


@app.route("/tasks-list")
def tasks_list(context):
    tasks = context.Tasks([context.Thread(jobs.slow, 0.2, "x"), context.Thread(jobs.slow, 0.2, "y"), context.Mask(3)])
    a, b, c = tasks.fetch()
    return {"results": [a, b, c]}


@app.route("/tasks-named")
def tasks_named(context):
    tasks = context.Tasks(
        context.Mask("ignored"),
        files=context.Mask("a b", filter=lambda x: x.replace(" ", "_")),
        value=context.Thread(jobs.sqrt, 9.0),
        row__one=context.Mask([{"n": 1}]),
    )
    return tasks.fetch()


@app.route("/tasks-commit")
def tasks_commit(context):
    return {"committed": context.Tasks([context.Thread(jobs.slow, 0)]).commit()}


@app.route("/dispatch")
def dispatch(context):
    ok = context.Thread(jobs.sqrt, 4.0).dispatch()
    failed = context.Thread(jobs.fail, "boom").dispatch()
    late = context.Thread(jobs.slow, 1.0, timeout=0.1).dispatch()
    return {"status": [ok.status, failed.status, late.status], "data": ok.data, "error": str(failed.error)}


@app.route("/wait")
def wait(context):
    task = context.Thread(jobs.slow, 0.1, "waited")
    return {"same": task.wait() is task, "done": task.done(), "result": task.fetch()}


@app.route("/fail")
def fail(context):
    return {"result": context.Thread(jobs.fail, "task went wrong").fetch()}


@app.route("/fail-caught")
def fail_caught(context):
    try:
        context.Thread(jobs.fail, "caught").fetch()
    except ValueError as exc:
        return {"caught": str(exc)}


@app.route("/timeout")
def timeout(context):
    return {"result": context.Thread(jobs.slow, 2.0, timeout=0.2).fetch()}


@app.route("/map")
def map_(context):
    return context.Map(
        context.Thread(time.sleep, args=(0.1,)),
        files=context.Subprocess("echo syslog"),
        result=context.Mask([{"id": 1}, {"id": 2}]),
        record_count__one=context.Mask([{"cnt": 2}]),
    )


@app.route("/map-fail")
def map_fail(context):
    return context.Map(result=context.Thread(jobs.fail, "inside map"))


@app.route("/map-timeout")
def map_timeout(context):
    return context.Map(result=context.Thread(jobs.slow, 2.0, timeout=0.2))


@app.route("/mapped")
def mapped(context):
    return context.Mapped(context.Tasks(a=context.Mask(1), b=context.Thread(jobs.sqrt, 25.0)))


@app.route("/render-or-map")
def render_or_map(context):
    return context.render_or_Map("list.html", items=context.Mask(["x", "y"]))


@app.route("/render-or-mapped")
def render_or_mapped(context):
    return context.render_or_Mapped("list.html", context.Tasks(items=context.Mask(["z"])))


@app.route("/threadpass")
def threadpass(context):
    def respond(context, a):
        return context.API(result=a * 2, thread=context.Thread(jobs.sqrt, 4.0).fetch())

    return context.ThreadPass(respond, args=(4.0,))


@app.route("/then-headers")
def then_headers(context):
    context.response.set_header("X-From-Handler", "yes")
    return context.Mask(5).then(lambda context, task: context.API("201 Created", n=task.fetch()))


# -- async routes -----------------------------------------------------------------------------------
@app.route("/async/thread")
async def async_thread(context):
    value = await context.Thread(jobs.slow, 0.05, "async-thread")
    task = context.Mask(7)
    await task
    return {"value": value, "mask": task.fetch()}


@app.route("/async/tasks")
async def async_tasks(context):
    results = await context.Tasks(a=context.Thread(jobs.sqrt, 4.0), b=context.Subprocess("echo hi"))
    return {"a": results["a"], "b": results["b"].strip()}


@app.route("/async/fail")
async def async_fail(context):
    return {"result": await context.Thread(jobs.fail, "async boom")}


@app.route("/async/timeout")
async def async_timeout(context):
    return {"result": await context.Thread(jobs.slow, 2.0, timeout=0.2)}


@app.route("/async/blocking-fetch")
async def async_blocking_fetch(context):
    return {"result": context.Thread(jobs.slow, 0.5).fetch()}


@app.route("/async/map")
async def async_map(context):
    return context.Map(value=context.Thread(jobs.sqrt, 36.0))


# -- HTTP upstreams -------------------------------------------------------------------------------
@app.route("/stub/get")
def stub_get(context):
    with context.stub("@api/v1") as stub:
        task = stub.get("/profiles/{}?limit={}", "a b/c", 10)
        return {"data": task.fetch()}


@app.route("/stub/put")
def stub_put(context):
    with context.stub("@api") as stub:
        task = stub.put("/profiles/{}", 100, {"name": "Hans Roh"})
        posted = stub.post("/raw", payload="plain text")
        resp = task.dispatch()
        return {
            "data": task.fetch(),
            "posted": posted.fetch()["body"],
            "status": resp.status,
            "status_code": resp.status_code,
        }


@app.route("/stub/missing")
def stub_missing(context):
    task = context.stub("@api").get("/missing")
    resp = task.dispatch()
    return {"status_code": resp.status_code, "text_has_server": "server" in resp.text, "data": resp.data["path"]}


@app.route("/stub/missing-fetch")
def stub_missing_fetch(context):
    return {"data": context.stub("@api").get("/missing").fetch()}


@app.route("/stub/lb")
def stub_lb(context, n="20"):
    seen = [context.stub.lb("@api").get("/who").fetch()["server"] for _ in range(int(n))]
    return {"servers": sorted(set(seen))}


@app.route("/stub/failover")
def stub_failover(context, n="6"):
    return {"servers": [context.stub("@flaky").get("/who").fetch()["server"] for _ in range(int(n))]}


@app.route("/stub/map")
def stub_map(context):
    import skitai

    with context.stub.map("@flaky") as stub:
        task = stub.get("@flaky/profiles/{}?limit={}", 100, 10)
        answers = []
        statuses = []
        for resp in task.dispatch():
            statuses.append(resp.status)
            if resp.status != skitai.STA_NORMAL:
                continue
            answers.append(resp.data["server"])
    return {
        "servers": sorted(answers),
        "statuses": sorted(statuses),
        "normal": skitai.STA_NORMAL,
        "neterr": skitai.STA_NETERR,
    }


@app.route("/stub/timeout")
def stub_timeout(context):
    return {"data": context.stub("@api").get("/slow").fetch()}


@app.route("/stub/url")
def stub_url(context):
    return {"data": context.stub(os.environ["RES_PLAIN_URL"] + "/base").get("/x").fetch()["path"]}


@app.route("/stub/async")
async def stub_async(context):
    data = await context.stub("@api").post("/async", {"k": 1})
    answers = await context.stub.map("@api").get("/all")
    return {"data": data["body"], "servers": sorted(a["server"] for a in answers)}


@app.route("/rpc/xml")
def rpc_xml(context):
    with context.xmlrpc("@xmlrpc/RPC2") as stub:
        return {"sum": stub.add(156, 952).fetch()}


@app.route("/rpc/xml-fault")
def rpc_xml_fault(context):
    import xmlrpc.client

    try:
        context.xmlrpc("@xmlrpc/RPC2").broken().fetch()
    except xmlrpc.client.Fault as exc:
        return {"fault": exc.faultCode != 0}


@app.route("/rpc/json")
def rpc_json(context):
    stub = context.jsonrpc("@jsonrpc/")
    from atila.tasks.rpc import JSONRPCError

    try:
        stub.nothing().fetch()
    except JSONRPCError as exc:
        error = exc.code
    return {"sum": stub.add(1, 2).fetch(), "kw": stub.add(a=3, b=4).fetch(), "error": error}


@app.route("/proxy/<path:path>")
def proxy(context, path, **query):
    return context.ProxyPass("@api", path)
