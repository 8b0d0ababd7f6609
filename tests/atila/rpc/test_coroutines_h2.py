"""The same generator routes over HTTP/2: streamed answers, streamed uploads,
a bidirectional echo on one stream, and the flow-control window as
back-pressure (a client that grants no window pauses the generator)."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import pytest

pytest.importorskip("skitai.http2")
h2_connection = pytest.importorskip("h2.connection")
import h2.config  # noqa: E402
import h2.events  # noqa: E402
import h2.settings  # noqa: E402
import httpx  # noqa: E402

import skitai  # noqa: E402
from skitai.testing.client import free_port  # noqa: E402

pytestmark = pytest.mark.process
HERE = Path(__file__).parent

SERVE = """
import skitai
import coapp

if __name__ == "__main__":
    skitai.mount("/", coapp.app)
    skitai.run(port=5000)
"""


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    home = tmp_path_factory.mktemp("coapp_h2")
    shutil.copy(HERE / "coapp.py", home)
    (home / "serve.py").write_text(SERVE)
    with skitai.test_client(str(home / "serve.py"), port=free_port()) as client:
        yield client


@pytest.fixture
def h2client(cli):
    with httpx.Client(base_url=cli.base_url, http1=False, http2=True, timeout=10) as client:
        yield client


def test_coroutine_streaming_over_http2(h2client):
    answer = h2client.get("/download_csv?rows=2")
    assert answer.http_version == "HTTP/2"
    assert answer.text == 'ID, NAME\n0, "name 0"\n1, "name 1"\nEND\n'
    assert h2client.get("/tasks").json() == {"a": "Example Domain", "b": "mask", "c": "mask", "d": "hello"}


def test_input_stream_over_http2(h2client):
    def chunks():
        for i in range(5):
            yield b"part%d;" % i

    answer = h2client.post("/upload", content=chunks())
    assert answer.http_version == "HTTP/2"
    assert answer.content == b"part0;part1;part2;part3;part4;"


class RawH2:
    """A bare HTTP/2 client: one socket, h2's state machine, nothing acknowledged unless asked."""

    def __init__(self, port: int, window: int | None = None) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.conn = h2_connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.conn.initiate_connection()
        if window is not None:
            self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
        self.flush()

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def request(self, method: str, path: str, end: bool) -> int:
        stream_id = self.conn.get_next_available_stream_id()
        self.conn.send_headers(
            stream_id,
            [(":method", method), (":path", path), (":scheme", "http"), (":authority", "127.0.0.1")],
            end_stream=end,
        )
        self.flush()
        return stream_id

    def next_data(self, acknowledge: bool = True) -> bytes | None:
        while True:
            for event in self.conn.receive_data(self.sock.recv(65536)):
                if isinstance(event, h2.events.DataReceived):
                    if acknowledge:
                        self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                    self.flush()
                    if event.data:
                        return event.data
                elif isinstance(event, h2.events.StreamEnded):
                    self.flush()
                    return None
            self.flush()

    def close(self) -> None:
        self.sock.close()


def test_bidirectional_streaming_over_http2(cli):
    client = RawH2(cli.port)
    try:
        stream = client.request("POST", "/bistreaming", end=False)
        client.conn.send_data(stream, b"hello")
        client.flush()
        assert client.next_data() == b":hello"  # answered while the upload is open
        client.conn.send_data(stream, b"world")
        client.flush()
        assert client.next_data() == b":world"
        client.conn.end_stream(stream)
        client.flush()
        assert client.next_data() is None
    finally:
        client.close()


def test_the_flow_control_window_pauses_the_generator(cli):
    start = cli.get("/produced").json()["count"]
    client = RawH2(cli.port)
    try:
        client.request("GET", "/endless", end=True)
        assert client.next_data(acknowledge=False)  # the stream started; no window is ever granted
        before = -1
        for _ in range(50):
            time.sleep(0.2)
            count = cli.get("/produced").json()["count"] - start
            if count == before:
                break
            before = count
        # the window is 64 KiB: the generator is a few chunks ahead at most, never running free
        assert count < 8
    finally:
        client.close()
