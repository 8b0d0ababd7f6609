"""The framework core over real HTTP, against one server process (sample_app/serve_core.py):
what a Flask or FastAPI user does first, including the client mistakes that must stay 4xx."""

from __future__ import annotations

import os
import socket

import httpx
import pytest

import skitai
from atila.context.uploads import SPOOL_LIMIT
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def uploads(tmp_path_factory):
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture(scope="module")
def engine(upstream, uploads):
    env = {"CORE_UPSTREAM": upstream, "CORE_UPLOADS": str(uploads)}
    with skitai.test_client(os.path.join(HERE, "sample_app", "serve_core.py"), port=free_port(), env=env) as engine:
        yield engine


@pytest.fixture
def browser(engine):
    with httpx.Client(base_url=engine.base_url, timeout=10) as client:
        yield client


# -- routing -----------------------------------------------------------------------------------------------
def test_empty_route_at_the_root_mount_is_slash(browser):
    response = browser.get("/")
    assert (response.status_code, response.text) == (200, "home /")


def test_slash_route_redirects_the_bare_form(browser):
    response = browser.get("/sub?x=1")
    assert (response.status_code, response.headers["location"]) == (301, "/sub/?x=1")


def test_converter_and_special_values(browser):
    assert browser.get("/items/7").json() == {"id": 7}
    assert browser.get("/items/me").json() == {"id": "me"}
    assert browser.get("/items/seven").status_code == 404


def test_wrong_method_is_405_with_allow(browser):
    response = browser.put("/items/7")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, DELETE, HEAD, OPTIONS"


def test_head_and_options_where_get_is(browser):
    head = browser.head("/items/7")
    assert (head.status_code, head.content) == (200, b"")
    options = browser.options("/items/7")
    assert options.status_code == 204 and "HEAD" in options.headers["allow"]


def test_wrong_content_type_is_415(browser):
    assert browser.post("/json", data={"name": "x"}).status_code == 415


# -- client mistakes are 4xx naming the problem -------------------------------------------------------------
@pytest.mark.parametrize(
    "body,field",
    [
        (b'{"name": "x", "count": "many"}', "count"),
        (b'{"count": 2}', "name"),
        (b'{"name": "x", "extra": 1}', "extra"),
    ],
)
def test_bad_json_parameters_are_400_naming_the_field(browser, body, field):
    response = browser.post("/json", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["field"] == field


@pytest.mark.parametrize("body", [b"{broken", b"\xff\xfe", b""])
def test_invalid_json_is_400(browser, body):
    response = browser.post("/json", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=zz"])
def test_bad_multipart_is_400(browser, content_type):
    response = browser.post("/upload", content=b"garbage", headers={"Content-Type": content_type})
    assert response.status_code == 400 and "multipart" in response.json()["detail"]


def test_query_string_with_a_form_body(browser):
    assert browser.post("/form?b=2", data={"a": "1"}).json() == {"a": "1", "rest": {"b": "2"}}


def test_server_error_hides_the_traceback(browser):
    response = browser.get("/boom")
    assert response.status_code == 500
    assert "secret detail" not in response.text and "Traceback" not in response.text


def test_errors_are_json_for_apis_and_html_for_browsers(browser):
    api = browser.get("/conflict")
    assert api.status_code == 409 and api.json()["detail"] == "already there"
    page = browser.get("/conflict", headers={"Accept": "text/html"})
    assert page.status_code == 409 and page.headers["content-type"].startswith("text/html")
    assert "already there" in page.text


# -- uploads ---------------------------------------------------------------------------------------------------
def test_upload_object_and_unique_names(browser):
    first = browser.post("/upload", files={"file": ("note.txt", b"hello", "text/plain")}).json()
    second = browser.post("/upload", files={"file": ("note.txt", b"again", "text/plain")}).json()
    assert first == {"name": "note.txt", "size": 5, "ext": "txt", "mimetype": "text/plain", "saved": "note.txt"}
    assert second["saved"] == "note.1.txt"


def test_upload_overwrite(browser, uploads):
    browser.post("/upload", files={"file": ("over.txt", b"old", "text/plain")})
    saved = browser.post("/upload", data={"dup": "o"}, files={"file": ("over.txt", b"new", "text/plain")}).json()
    assert saved["saved"] == "over.txt" and (uploads / "in" / "over.txt").read_bytes() == b"new"


def test_upload_past_the_spool_limit_arrives_whole(browser, uploads):
    data = os.urandom(SPOOL_LIMIT * 2 + 17)
    saved = browser.post("/upload", files={"file": ("big.bin", data, "application/octet-stream")}).json()
    assert saved["size"] == len(data) and (uploads / "in" / saved["saved"]).read_bytes() == data


def test_upload_name_cannot_leave_the_folder(browser, uploads):
    saved = browser.post("/upload", files={"file": ("../../escape.txt", b"x", "text/plain")}).json()
    assert saved["saved"] == "escape.txt" and (uploads / "in" / "escape.txt").exists()


# -- responses -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path,text", [("/stream", "0\n1\n2\n"), ("/astream", "a0\na1\na2\n")])
def test_generators_are_streamed(browser, path, text):
    response = browser.get(path)
    assert response.text == text and response.headers["transfer-encoding"] == "chunked"


def test_queue_with_a_slow_client_delivers_everything_and_blocks_nobody(engine, browser):
    with socket.create_connection(("127.0.0.1", engine.port), timeout=10) as sock:
        # NOTE: 8000 lines (8 MB) outgrow the socket buffers, so while this client
        # does not read, the producer thread waits for room; the loop must not.
        sock.sendall(b"GET /queue?lines=8000 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        first = sock.recv(4096)
        assert browser.get("/items/1").status_code == 200
        received = [first]
        while chunk := sock.recv(65536):
            received.append(chunk)
    raw = b"".join(received)
    assert raw.startswith(b"HTTP/1.1 200") and raw.endswith(b"\r\n0\r\n\r\n")
    assert raw.count(b"x" * 999 + b"\n") == 8000


def test_failed_queue_producer_cuts_the_stream(engine, browser):
    # the head and the first chunk are out; a complete-looking 200 would lie
    with pytest.raises(httpx.RemoteProtocolError, match="incomplete|complete message body"):
        browser.get("/queue/fails")
    with socket.create_connection(("127.0.0.1", engine.port), timeout=10) as sock:
        sock.sendall(b"GET /queue/fails HTTP/1.1\r\nHost: test\r\n\r\n")
        received = []
        while chunk := sock.recv(65536):
            received.append(chunk)
    raw = b"".join(received)
    assert raw.startswith(b"HTTP/1.1 200") and b"first line" in raw
    assert not raw.endswith(b"0\r\n\r\n")  # no last chunk: the client knows the body is cut
    assert browser.get("/items/1").status_code == 200  # the server carries on


def test_environ_joins_repeated_cookie_fields_like_the_wsgi_mount(browser):
    headers = [("Cookie", "a=1"), ("Cookie", "b=2"), ("Accept", "a/b"), ("Accept", "c/d")]
    body = browser.get("/environ", headers=headers).json()
    assert body == {"cookie": "a=1; b=2", "accept": "a/b, c/d", "jar": {"a": "1", "b": "2"}}


def test_proxypass_forwards_path_query_and_headers(browser):
    response = browser.get("/proxy/a/b?x=1", headers={"X-Token": "t1"})
    assert (response.status_code, response.text) == (200, "upstream saw /a/b?x=1 t1")


def test_template_sees_variables_context_and_was(browser):
    assert browser.get("/page?name=ann").text.strip() == "ann|GET|/page"


# -- state, auth, execution --------------------------------------------------------------------------------
def test_session_kept_by_a_cookie_keeping_client(browser):
    assert browser.post("/login", data={"user": "ann"}).text == "ok"
    assert browser.get("/whoami").json() == {"user": "ann"}
    with httpx.Client(base_url=str(browser.base_url)) as stranger:
        assert stranger.get("/whoami").json() == {"user": None}


def test_digest_with_a_stock_client(browser):
    assert browser.get("/digest", auth=httpx.DigestAuth("admin", "pw1")).json() == {"user": "admin"}
    refused = browser.get("/digest", auth=httpx.DigestAuth("admin", "wrong"))
    assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Digest ")


def test_def_handlers_run_in_the_pool_and_async_ones_on_the_loop(browser):
    assert browser.get("/thread/async").text == "MainThread"
    assert browser.get("/thread/sync").text != "MainThread"


# -- odd but legal request lines --------------------------------------------------------------------------
def test_undecodable_path_bytes_reach_the_handler_as_replacement_characters(browser):
    assert browser.get("/echo/%ff%fe").json() == {"name": "\ufffd\ufffd"}
    assert browser.get("/echo/%ED%95%9C").json() == {"name": "\ud55c"}


def test_integer_past_64_bits_is_still_json(browser):
    response = browser.get("/items/99999999999999999999999999")
    assert (response.status_code, response.text) == (200, '{"id":99999999999999999999999999}')


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_not_found_with_undecodable_bytes_is_404(browser, accept):
    assert browser.get("/missing%ff", headers={"Accept": accept}).status_code == 404
