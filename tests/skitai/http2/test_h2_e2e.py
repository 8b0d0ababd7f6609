"""HTTP/2 against real server processes: httpx with h2, raw h2 connections over
sockets, curl, TLS with ALPN, server push, and the probe's HTTP/2 cases."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
from typing import Any, Iterator

import h2.config
import h2.connection
import h2.events
import h2.settings
import httpx
import pytest
import trustme

import skitai
from skitai.http2.tls import server_context
from skitai.testing.client import TestClient, free_port

pytestmark = pytest.mark.process

HERE = os.path.dirname(__file__)
SERVE = os.path.join(HERE, "site", "serve.py")
MANY = os.path.join(HERE, "..", "e2e", "site", "serve.py")
#: the team's black-box probe lives with the shared tooling beside the checkout (SKITAI_PROBE overrides)
PROBE = os.environ.get("SKITAI_PROBE", os.path.join(HERE, "..", "..", "..", "..", "shared", "probes", "http_probe.py"))
STYLE = open(os.path.join(HERE, "site", "static", "style.css"), "rb").read()


@pytest.fixture(scope="module")
def many() -> Iterator[TestClient]:
    """Flask, Django, ASGI, Atila and static folders on one port, spoken to in HTTP/2."""
    with skitai.test_client(MANY, port=free_port(), http2=True) as client:
        yield client


@pytest.fixture(scope="module")
def plain() -> Iterator[TestClient]:
    with skitai.test_client(SERVE, port=free_port(), http2=True) as client:
        yield client


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    paths = {"ca": str(folder / "ca.pem"), "cert": str(folder / "cert.pem"), "key": str(folder / "key.pem")}
    ca.cert_pem.write_to_path(paths["ca"])
    cert.cert_chain_pems[0].write_to_path(paths["cert"])
    for blob in cert.cert_chain_pems[1:]:
        blob.write_to_path(paths["cert"], append=True)
    cert.private_key_pem.write_to_path(paths["key"])
    return paths


@pytest.fixture(scope="module")
def tls(certs: dict[str, str]) -> Iterator[TestClient]:
    env = {"TLS_CERT": certs["cert"], "TLS_KEY": certs["key"]}
    verify = ssl.create_default_context(cafile=certs["ca"])
    with skitai.test_client(SERVE, port=free_port(), http2=True, scheme="https", verify=verify, env=env) as client:
        yield client


# -- every kind of mount, unchanged, over HTTP/2 -----------------------------------


def test_wsgi_over_h2(many: TestClient) -> None:
    resp = many.get("/flask/where")
    assert resp.raw.http_version == "HTTP/2"
    assert resp.json() == {"script_name": "/flask", "path_info": "/where"}
    assert many.post("/flask/upload", data=b"x" * 300_000).json() == {"size": 300_000}
    assert many.get("/flask/stream").text == "line 0\nline 1\nline 2\n"


def test_django_over_h2(many: TestClient) -> None:
    resp = many.post("/django/echo?q=x", data=b"y" * 5000, headers={"content-type": "application/octet-stream"})
    assert resp.raw.http_version == "HTTP/2"
    assert resp.json() == {"method": "POST", "size": 5000, "q": "x"}


def test_asgi_over_h2(many: TestClient) -> None:
    resp = many.get("/asgi/hello")
    assert resp.raw.http_version == "HTTP/2" and resp.text == "asgi /asgi /asgi/hello"


def test_static_and_atila_over_h2(many: TestClient) -> None:
    resp = many.get("/js/app.js")
    assert resp.raw.http_version == "HTTP/2"
    assert resp.text == "console.log(1)\n" and resp.headers["cache-control"] == "max-age=300"
    assert many.get("/api/ping").json() == {"pong": True}
    head = many.head("/public/readme.txt")
    assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == "12"
    ranged = many.get("/public/readme.txt", headers={"range": "bytes=0-5"})
    assert ranged.status_code == 206 and ranged.content == b"public"


def test_body_limit_over_h2(many: TestClient) -> None:
    resp = many.post("/limited", data=b"z" * 1000)
    assert resp.status_code == 413
    assert many.get("/api/ping").status_code == 200


def test_atila_sees_version_2_and_streams(plain: TestClient) -> None:
    assert plain.get("/version").json() == {"version": "2", "scheme": "http"}
    body = plain.get("/stream").content
    assert len(body) == 200 * 1000 and body.startswith(b"line 0000 ")
    assert plain.post("/upload", data=b"u" * 1_000_000).json() == {"size": 1_000_000}


# -- raw sockets ---------------------------------------------------------------


class RawClient:
    def __init__(self, port: int, **settings: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        config = h2.config.H2Configuration(client_side=True, header_encoding=None)
        self.h2 = h2.connection.H2Connection(config=config)
        self.h2.local_settings = h2.settings.Settings(
            client=True, initial_values={getattr(h2.settings.SettingCodes, k.upper()): v for k, v in settings.items()}
        )
        self.h2.initiate_connection()
        self.flush()
        self.events: list[Any] = []

    def flush(self) -> None:
        self.sock.sendall(self.h2.data_to_send())

    def get(self, path: str) -> int:
        stream_id = self.h2.get_next_available_stream_id()
        self.h2.send_headers(
            stream_id,
            [(b":method", b"GET"), (b":scheme", b"http"), (b":path", path.encode()), (b":authority", b"127.0.0.1")],
            end_stream=True,
        )
        self.flush()
        return stream_id

    def until(self, done: Any) -> None:
        while not done():
            data = self.sock.recv(65536)
            if not data:
                return
            for event in self.h2.receive_data(data):
                self.events.append(event)
                if isinstance(event, h2.events.DataReceived):
                    self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            self.flush()

    def ended(self, stream_id: int) -> bool:
        return any(isinstance(e, h2.events.StreamEnded) and e.stream_id == stream_id for e in self.events)

    def body(self, stream_id: int) -> bytes:
        return b"".join(
            e.data for e in self.events if isinstance(e, h2.events.DataReceived) and e.stream_id == stream_id
        )

    def close(self) -> None:
        self.sock.close()


def test_many_streams_at_once_on_one_connection(plain: TestClient) -> None:
    client = RawClient(plain.port)
    try:
        streams = [client.get(f"/static/style.css?{i}") for i in range(40)]
        client.until(lambda: all(client.ended(s) for s in streams))
        assert [client.body(s) for s in streams] == [STYLE] * 40
    finally:
        client.close()


def test_hint_promise_pushes_when_the_client_allows_it(plain: TestClient) -> None:
    client = RawClient(plain.port, enable_push=1)
    try:
        page = client.get("/page")
        client.until(
            lambda: (
                client.ended(page)
                and any(
                    isinstance(e, h2.events.PushedStreamReceived) and client.ended(e.pushed_stream_id)
                    for e in client.events
                )
            )
        )
        (promise,) = [e for e in client.events if isinstance(e, h2.events.PushedStreamReceived)]
        assert dict(promise.headers)[b":path"] == b"/static/style.css"
        assert client.body(promise.pushed_stream_id) == STYLE
        assert client.body(page) == b"<html>page</html>"
    finally:
        client.close()


def test_hint_promise_pushes_nothing_when_push_is_off(plain: TestClient) -> None:
    client = RawClient(plain.port, enable_push=0)
    try:
        page = client.get("/page")
        client.until(lambda: client.ended(page))
        assert not [e for e in client.events if isinstance(e, h2.events.PushedStreamReceived)]
    finally:
        client.close()


def test_hint_promise_is_only_a_link_header_over_http1(plain: TestClient) -> None:
    resp = httpx.get(f"http://127.0.0.1:{plain.port}/page")
    assert resp.http_version == "HTTP/1.1"
    assert resp.headers["link"] == "</static/style.css>; rel=preload"


def test_garbage_gets_goaway_and_the_server_keeps_serving(plain: TestClient) -> None:
    sock = socket.create_connection(("127.0.0.1", plain.port), timeout=5)
    try:
        sock.sendall(
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
            + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
            + b"\x00\x00\x08\x07\x00\x00\x00\x00\x01"
            + b"\x00" * 8
        )
        received = b""
        while True:
            data = sock.recv(65536)
            if not data:
                break
            received += data
        # GOAWAY (type 7) carrying PROTOCOL_ERROR (1)
        assert b"\x07\x00\x00\x00\x00\x00" in received and b"\x00\x00\x00\x01" in received
    finally:
        sock.close()
    assert plain.get("/version").status_code == 200


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
def test_curl_prior_knowledge_and_upgrade(plain: TestClient) -> None:
    features = subprocess.run(["curl", "-V"], capture_output=True, text=True).stdout
    if "HTTP2" not in features:
        pytest.skip("this curl has no HTTP/2")
    url = f"http://127.0.0.1:{plain.port}/version"
    out = subprocess.run(["curl", "-si", "--http2-prior-knowledge", url], capture_output=True, text=True, timeout=20)
    assert out.stdout.startswith("HTTP/2 200") and '"version":"2"' in out.stdout.replace(" ", "")
    out = subprocess.run(["curl", "-si", "--http2", url], capture_output=True, text=True, timeout=20)
    assert "101 Switching Protocols" in out.stdout and "HTTP/2 200" in out.stdout
    upload = f"http://127.0.0.1:{plain.port}/upload"
    out = subprocess.run(
        ["curl", "-si", "--http2", "--data-binary", "x" * 5000, upload], capture_output=True, text=True, timeout=20
    )
    assert "HTTP/2 200" in out.stdout and '"size":5000' in out.stdout.replace(" ", "")


@pytest.mark.skipif(not os.path.exists(PROBE), reason="the shared HTTP probe is not here")
def test_probe_http2_cases(plain: TestClient) -> None:
    out = subprocess.run(
        [sys.executable, PROBE, "--port", str(plain.port), "--live-path", "/version", "--only", "http2/*"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "5 passed, 0 failed" in out.stdout


# -- TLS + ALPN ------------------------------------------------------------------


def test_tls_alpn_h2(tls: TestClient) -> None:
    resp = tls.get("/version")
    assert resp.raw.http_version == "HTTP/2"
    assert resp.json() == {"version": "2", "scheme": "https"}
    assert tls.get("/static/style.css").content == STYLE


def test_tls_client_offering_only_http1_gets_it(tls: TestClient, certs: dict[str, str]) -> None:
    with httpx.Client(verify=ssl.create_default_context(cafile=certs["ca"])) as client:
        resp = client.get(f"https://127.0.0.1:{tls.port}/version")
    assert resp.http_version == "HTTP/1.1" and resp.json() == {"version": "1.1", "scheme": "https"}
    context = ssl.create_default_context(cafile=certs["ca"])
    context.set_alpn_protocols(["http/1.1"])
    with socket.create_connection(("127.0.0.1", tls.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as conn:
            assert conn.selected_alpn_protocol() == "http/1.1"
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", tls.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as conn:
            assert conn.selected_alpn_protocol() == "h2"


def test_tls_port_refuses_plaintext_but_keeps_serving(tls: TestClient) -> None:
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{tls.port}/version", timeout=5)
    assert tls.get("/version").status_code == 200


def test_server_context_names_a_missing_file(tmp_path: Any) -> None:
    with pytest.raises(FileNotFoundError, match="cert.pem"):
        server_context(str(tmp_path / "cert.pem"), str(tmp_path / "key.pem"))


def test_enable_ssl_checks_the_passphrase_at_the_call(certs: dict[str, str], tmp_path: Any) -> None:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(open(certs["key"], "rb").read(), None)
    locked = tmp_path / "locked.pem"
    locked.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"sesame"),
        )
    )
    server_context(certs["cert"], str(locked), "sesame")
    with pytest.raises(ssl.SSLError):
        skitai.enable_ssl(certs["cert"], str(locked), "wrong")


def test_run_settings_and_enable_ssl_agree(certs: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from skitai.cli import Options, build_config

    config = build_config({"certfile": certs["cert"], "keyfile": certs["key"]}, Options())
    assert (config.certfile, config.keyfile, config.passphrase) == (certs["cert"], certs["key"], None)
    # relative paths are the launch script's folder's
    monkeypatch.setattr("skitai.launch_env.script_dir", lambda: os.path.dirname(certs["cert"]))
    site = skitai.Site()
    site.enable_ssl("cert.pem", "key.pem")
    assert site.ssl_settings == {"certfile": certs["cert"], "keyfile": certs["key"], "passphrase": None}
