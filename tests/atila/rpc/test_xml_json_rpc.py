"""XML-RPC and JSON-RPC reach ordinary routes by content type, over a real server:
the same ``add`` answers a browser GET, ``xmlrpc.client.ServerProxy`` and
JSON-RPC 2.0 posts (single, batch, notification, every standard error code)."""

from __future__ import annotations

import textwrap
import xmlrpc.client

import pytest

import skitai
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

APP = """
from atila import Atila

app = Atila(__name__)
calls = []


@app.route("/add")
def add(context, num1, num2):
    return num1 + num2


@app.route("/")
def index(context):
    return "index"


@app.route("/math/mul")
async def mul(context, a, b=2):
    return a * b


@app.route("/api")
def api(context, name):
    return context.API(greeting="hello " + name)


@app.route("/boom")
def boom(context):
    raise ValueError("the route broke")


@app.route("/guarded")
def guarded(context):
    from atila import HttpError
    raise HttpError(403, "members only")


@app.route("/note")
def note(context, text):
    calls.append(text)
    return None


@app.route("/notes")
def notes(context):
    return list(calls)


@app.route("/later", coroutine=True)
def later(context, x):
    task = yield context.Thread(lambda: x * 2)
    return task.fetch()


@app.route("/nothing")
def nothing(context):
    return None


@app.route("/upload", methods=["POST"])
def upload(context):
    return {"size": len(context.request.body), "type": context.request.get_header("content-type")}


@app.route("/lines", methods=["POST"], input_stream=True)
def lines(context):
    pieces = []
    while True:
        data = yield context.Input(4096)
        if not data:
            break
        pieces.append(data)
    return {"pieces": len(pieces) > 0, "body": b"".join(pieces).decode()}


@app.route("/rest", methods=["POST"])
def rest(context, name):
    return {"name": name}
"""

SERVE = """
import skitai
import rpcapp

if __name__ == "__main__":
    skitai.mount("/rpc2", rpcapp.app)
    skitai.run(port=5000)
"""


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    home = tmp_path_factory.mktemp("rpcapp")
    (home / "rpcapp.py").write_text(textwrap.dedent(APP))
    (home / "serve.py").write_text(SERVE)
    with skitai.test_client(str(home / "serve.py"), port=free_port()) as client:
        yield client


def proxy(cli, path="/rpc2"):
    return xmlrpc.client.ServerProxy(cli.base_url + path, allow_none=True)


def test_one_route_answers_a_browser_and_both_rpc_protocols(cli):
    assert cli.get("/rpc2/add?num1=1&num2=2").text == "12"  # query values are strings
    assert proxy(cli).add(1, 2) == 3
    answer = cli.post("/rpc2", json={"jsonrpc": "2.0", "method": "add", "params": [1, 2], "id": 7})
    assert answer.json() == {"jsonrpc": "2.0", "result": 3, "id": 7}


def test_xmlrpc_reaches_routes_by_name_from_every_url(cli):
    assert proxy(cli, "/rpc2/").add(2, 3) == 5  # the mount root, with its slash
    assert proxy(cli, "/rpc2/add").add(2, 3) == 5  # the route's own URL
    assert proxy(cli).math.mul(3) == 6  # dotted name -> /math/mul, async def, default
    assert proxy(cli).math.mul(3, 3) == 9
    assert proxy(cli).api("kim") == {"greeting": "hello kim"}
    assert proxy(cli).nothing() is None
    assert proxy(cli).later(21) == 42  # a coroutine route's return value


@pytest.mark.parametrize(
    "call,code,text",
    [
        (lambda p: p.missing(1), -32601, "method 'missing' not found"),
        (lambda p: p.add(1), -32602, "missing parameter: num2"),
        (lambda p: p.add(1, 2, 3), -32602, "takes 2 parameters, 3 were given"),
        (lambda p: p.boom(), -32603, "ValueError: the route broke"),
        (lambda p: p.guarded(), -32000, "403 Forbidden: members only"),
    ],
)
def test_xmlrpc_faults_carry_codes(cli, call, code, text):
    with pytest.raises(xmlrpc.client.Fault) as info:
        call(proxy(cli))
    assert info.value.faultCode == code
    assert text in info.value.faultString


def test_a_broken_xmlrpc_call_is_a_parse_fault(cli):
    answer = cli.post(
        "/rpc2", content=b"<methodCall><methodName>add</methodName><params>", headers={"Content-Type": "text/xml"}
    )
    assert answer.status_code == 200
    with pytest.raises(xmlrpc.client.Fault) as info:
        xmlrpc.client.loads(answer.content)
    assert info.value.faultCode == -32700


def test_a_plain_xml_upload_is_not_a_call(cli):
    answer = cli.post("/rpc2/upload", content=b"<?xml version='1.0'?><doc/>", headers={"Content-Type": "text/xml"})
    assert answer.status_code == 200
    assert answer.json() == {"size": 27, "type": "text/xml"}


def jsonrpc(cli, payload, content_type="application/json-rpc"):
    import json

    return cli.post("/rpc2", content=json.dumps(payload).encode(), headers={"Content-Type": content_type})


def test_jsonrpc_named_params_and_both_content_types(cli):
    call = {"jsonrpc": "2.0", "method": "math.mul", "params": {"a": 4, "b": 5}, "id": "x"}
    assert jsonrpc(cli, call).json() == {"jsonrpc": "2.0", "result": 20, "id": "x"}
    assert jsonrpc(cli, call, "application/json").json()["result"] == 20


def test_jsonrpc_batch_keeps_order_and_leaves_notifications_out(cli):
    answer = jsonrpc(
        cli,
        [
            {"jsonrpc": "2.0", "method": "add", "params": [1, 1], "id": 1},
            {"jsonrpc": "2.0", "method": "note", "params": ["batched"]},
            {"jsonrpc": "2.0", "method": "missing", "id": 2},
            {"jsonrpc": "2.0", "method": "add", "params": [2, 2], "id": 3},
        ],
    ).json()
    assert [item["id"] for item in answer] == [1, 2, 3]
    assert answer[0]["result"] == 2 and answer[2]["result"] == 4
    assert answer[1]["error"]["code"] == -32601
    assert "batched" in jsonrpc(cli, {"jsonrpc": "2.0", "method": "notes", "id": 9}).json()["result"]


def test_jsonrpc_notifications_only_get_no_content(cli):
    answer = jsonrpc(cli, {"jsonrpc": "2.0", "method": "note", "params": ["quiet"]})
    assert answer.status_code == 204 and answer.content == b""
    assert "quiet" in jsonrpc(cli, {"jsonrpc": "2.0", "method": "notes", "id": 1}).json()["result"]


@pytest.mark.parametrize(
    "payload,code",
    [
        ({"jsonrpc": "2.0", "method": "missing", "id": 1}, -32601),
        ({"jsonrpc": "2.0", "method": "add", "params": [1], "id": 1}, -32602),
        ({"jsonrpc": "2.0", "method": "add", "params": {"num1": 1, "num3": 2}, "id": 1}, -32602),
        ({"jsonrpc": "2.0", "method": "boom", "id": 1}, -32603),
        ({"jsonrpc": "1.0", "method": "add", "id": 1}, -32600),
        ({"jsonrpc": "2.0", "method": 5, "id": 1}, -32600),
        ({"jsonrpc": "2.0", "method": "add", "params": 5, "id": 1}, -32600),
        ([], -32600),
    ],
)
def test_jsonrpc_standard_error_codes(cli, payload, code):
    answer = jsonrpc(cli, payload).json()
    assert answer["error"]["code"] == code
    assert answer["id"] in (1, None)


def test_jsonrpc_parse_error(cli):
    answer = cli.post(
        "/rpc2", content=b'{"jsonrpc": "2.0", "method": ', headers={"Content-Type": "application/json-rpc"}
    )
    assert answer.json()["error"]["code"] == -32700 and answer.json()["id"] is None


def test_an_input_stream_route_reads_its_json_or_xml_body_itself(cli):
    for content_type in ("application/json", "text/xml"):
        answer = cli.post(
            "/rpc2/lines", content=b'{"jsonrpc": "2.0", "method": "add"}', headers={"Content-Type": content_type}
        )
        assert answer.json() == {"pieces": True, "body": '{"jsonrpc": "2.0", "method": "add"}'}


def test_a_rest_json_body_is_still_a_plain_request(cli):
    answer = cli.post("/rpc2/rest", json={"name": "kim"})
    assert answer.json() == {"name": "kim"}
    assert cli.post("/rpc2/nope", json={"name": "kim"}).status_code == 404
    # a JSON-RPC call is heard at the mount point and at route URLs, not at any other path
    call = {"jsonrpc": "2.0", "method": "add", "params": [1, 2], "id": 1}
    assert cli.post("/rpc2/nope", json=call).status_code == 404
