import json
import socket

import pytest

import skitai
from skitai.testing.client import ServerNotStarted, free_port

pytestmark = pytest.mark.process

ECHO = """
import json, skitai

def app(environ, start_response):
    body, left = b"", int(environ.get("CONTENT_LENGTH") or 0)
    while left > 0:
        chunk = environ["wsgi.input"].read(left)
        if not chunk:
            break
        body, left = body + chunk, left - len(chunk)
    if environ["PATH_INFO"] == "/text":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"plain words"]
    echo = {
        "method": environ["REQUEST_METHOD"], "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"], "type": environ.get("CONTENT_TYPE", ""),
        "accept": environ.get("HTTP_ACCEPT", ""), "body": body.decode("latin-1"),
    }
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(echo).encode()]

if __name__ == "__main__":
    skitai.mount("/", app)
    skitai.run(port=5000)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    script = tmp_path_factory.mktemp("echo") / "serve.py"
    script.write_text(ECHO)
    with skitai.test_client(str(script), port=free_port()) as cli:
        yield cli


def answers(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def test_get_with_params(server):
    r = server.get("/api/documents", params={"q": "Detective Holmes"})
    assert r.status_code == 200
    assert r.json()["query"] == "q=Detective+Holmes"


def test_post_form_data(server):
    r = server.post("/api/tokens", data={"query": "Detective Holmes"})
    assert r.json()["type"] == "application/x-www-form-urlencoded"
    assert r.json()["body"] == "query=Detective+Holmes"


def test_post_json(server):
    r = server.post("/x", json={"a": 1})
    assert json.loads(r.json()["body"]) == {"a": 1}


def test_raw_bytes_data(server):
    assert server.put("/x", data=b"raw").json()["body"] == "raw"


def test_files_upload_is_multipart(server):
    r = server.post("/upload", files={"f": ("a.txt", b"hello")})
    assert r.json()["type"].startswith("multipart/form-data")
    assert "hello" in r.json()["body"]


@pytest.mark.parametrize("method", ["patch", "delete", "options"])
def test_other_verbs(server, method):
    assert getattr(server, method)("/v").json()["method"] == method.upper()


def test_head_has_no_body(server):
    r = server.head("/v")
    assert r.status_code == 200 and r.content == b""


def test_data_is_json_or_text(server):
    assert server.get("/j").data["path"] == "/j"
    assert server.get("/text").data == "plain words"


def test_headers_are_sent_and_received(server):
    r = server.get("/h", headers={"Accept": "text/html"})
    assert r.json()["accept"] == "text/html"
    assert r.headers["content-type"] == "application/json"


def test_api_stub_builds_paths(server):
    stub = server.api()
    r = stub.apis.pets(45).get()
    assert r.data["path"] == "/apis/pets/45"
    assert r.data["accept"] == "application/json"


def test_api_stub_sends_query_and_json(server):
    stub = server.api("/v1")
    assert stub.items.get(limit=3).data["query"] == "limit=3"
    r = stub.items.post(name="monk")
    assert r.data["path"] == "/v1/items" and json.loads(r.data["body"]) == {"name": "monk"}


def test_attach_to_a_running_server_and_stop_leaves_it_running(server):
    attached = skitai.test_client(port=server.port)
    assert attached.get("/a").status_code == 200
    assert attached.stop() is None
    assert server.get("/b").status_code == 200


def test_leaving_the_with_block_stops_the_server(tmp_path):
    script = tmp_path / "serve.py"
    script.write_text(ECHO)
    port = free_port()
    with skitai.test_client(str(script), port=port) as cli:
        assert answers(port)
    assert not answers(port)
    assert cli.process.returncode == 0


def test_server_output_shows_the_banner_and_access_lines(tmp_path):
    script = tmp_path / "serve.py"
    script.write_text(ECHO)
    port = free_port()
    with skitai.test_client(str(script), port=port) as cli:
        cli.get("/logged")
        cli.process.terminate()
        cli.process.wait(30)
        text = cli.output()
    assert f"http://127.0.0.1:{port}" in text and "workers=1" in text and "mount /" in text
    assert '"GET /logged HTTP/1.1" 200' in text


def test_a_script_that_exits_raises_with_its_output(tmp_path):
    script = tmp_path / "serve.py"
    script.write_text("raise SystemExit('broken launch script')\n")
    with pytest.raises(ServerNotStarted, match="broken launch script"):
        skitai.test_client(str(script), port=free_port())


def test_missing_script_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="launch script"):
        skitai.test_client(str(tmp_path / "nope.py"), port=free_port())


def test_port_already_in_use_is_refused(server, tmp_path):
    script = tmp_path / "serve.py"
    script.write_text(ECHO)
    with pytest.raises(ServerNotStarted, match="already in use"):
        skitai.test_client(str(script), port=server.port)
