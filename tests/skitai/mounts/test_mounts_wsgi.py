"""WSGIMount: the PEP 3333 environ, start_response/write/exc_info and body sending."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest
from mount_helpers import Engine, wait_until

from skitai.body import StreamBody
from skitai.errors import HTTPError
from skitai.mounts.wsgi import FileWrapper, WSGIMount
from skitai.testing import MemoryResponder, call_mount, make_request


def capture_environ(seen: dict[str, Any]) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    return app


def environ_for(**request_args: Any) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    call_mount(WSGIMount("", capture_environ(seen)), make_request(**request_args))
    return seen


def test_environ_core_keys() -> None:
    env = environ_for(
        method="post",
        target="/a/b?x=1&y=2",
        headers=[("Content-Type", "text/plain"), ("Content-Length", "3")],
        body=b"abc",
    )
    assert env["REQUEST_METHOD"] == "POST"
    assert env["QUERY_STRING"] == "x=1&y=2"
    assert env["CONTENT_TYPE"] == "text/plain"
    assert env["CONTENT_LENGTH"] == "3"
    assert "HTTP_CONTENT_TYPE" not in env
    assert env["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert (env["SERVER_NAME"], env["SERVER_PORT"]) == ("127.0.0.1", "80")
    assert (env["REMOTE_ADDR"], env["REMOTE_PORT"]) == ("127.0.0.1", "50000")
    assert env["HTTP_HOST"] == "testserver"
    assert env["wsgi.version"] == (1, 0)
    assert env["wsgi.url_scheme"] == "http"
    assert env["wsgi.multithread"] is True
    assert env["wsgi.multiprocess"] is False
    assert env["wsgi.run_once"] is False
    assert env["wsgi.errors"] is sys.stderr
    assert env["wsgi.file_wrapper"] is FileWrapper


def test_script_name_and_path_info_split_at_prefix() -> None:
    env = environ_for(target="/api/users/7", script_name="/api")
    assert (env["SCRIPT_NAME"], env["PATH_INFO"]) == ("/api", "/users/7")


def test_prefix_itself_gives_empty_path_info() -> None:
    env = environ_for(target="/api", script_name="/api")
    assert (env["SCRIPT_NAME"], env["PATH_INFO"]) == ("/api", "")


def test_path_info_is_latin1_view_of_utf8_bytes() -> None:
    env = environ_for(target="/caf%C3%A9/%FF")
    assert env["PATH_INFO"] == "/caf\xc3\xa9/\xff"
    assert env["PATH_INFO"].encode("latin-1") == b"/caf\xc3\xa9/\xff"


def test_repeated_headers_are_joined() -> None:
    env = environ_for(headers=[("Accept", "a/b"), ("Accept", "c/d"), ("Cookie", "a=1"), ("Cookie", "b=2")])
    assert env["HTTP_ACCEPT"] == "a/b, c/d"
    assert env["HTTP_COOKIE"] == "a=1; b=2"


def test_header_names_with_underscore_are_dropped() -> None:
    env = environ_for(headers=[("X_Forwarded_For", "6.6.6.6"), ("X-Real-Ip", "1.2.3.4")])
    assert "HTTP_X_FORWARDED_FOR" not in env
    assert env["HTTP_X_REAL_IP"] == "1.2.3.4"


def test_multiprocess_follows_engine_workers() -> None:
    seen: dict[str, Any] = {}
    mount = WSGIMount("", capture_environ(seen))

    async def main() -> None:
        await mount.startup(Engine(strict=True, workers=3))
        await mount.handle(make_request(), MemoryResponder())

    asyncio.run(main())
    assert seen["wsgi.multiprocess"] is True


def test_list_body_is_one_respond() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("201 Created", [("X-A", "1")])
        return [b"hel", b"lo"]

    responder = call_mount(WSGIMount("", app), make_request())
    assert responder is not None
    assert (responder.status, responder.body, responder.ended) == (201, b"hello", True)
    assert responder.headers == [("X-A", "1")]


def test_generator_body_is_streamed_and_closed() -> None:
    closed = []

    class Body:
        def __iter__(self) -> Any:
            yield b""
            yield b"one,"
            yield b"two"

        def close(self) -> None:
            closed.append(True)

    def app(environ: Any, start_response: Any) -> Body:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body()

    responder = call_mount(WSGIMount("", app), make_request())
    assert responder is not None
    assert responder.chunks == [b"one,", b"two"]
    assert responder.ended and closed == [True]


def test_empty_generator_sends_head_only() -> None:
    def app(environ: Any, start_response: Any) -> Any:
        start_response("204 No Content", [])
        return iter(())

    responder = call_mount(WSGIMount("", app), make_request())
    assert responder is not None
    assert (responder.status, responder.body, responder.ended) == (204, b"", True)


def test_write_callable_sends_before_returned_body() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        write = start_response("200 OK", [])
        write(b"first ")
        return [b"second"]

    responder = call_mount(WSGIMount("", app), make_request())
    assert responder is not None
    assert responder.chunks == [b"first ", b"second"]
    assert responder.ended


def test_exc_info_before_head_replaces_response() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("X-Stale", "1")])
        try:
            raise ValueError("boom")
        except ValueError:
            start_response("500 Internal Server Error", [("X-Error", "1")], sys.exc_info())
        return [b"sorry"]

    responder = call_mount(WSGIMount("", app), make_request())
    assert responder is not None
    assert (responder.status, responder.headers, responder.body) == (500, [("X-Error", "1")], b"sorry")


def test_exc_info_after_head_reraises() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        write = start_response("200 OK", [])
        write(b"partial")
        try:
            raise ValueError("late failure")
        except ValueError:
            start_response("500 Internal Server Error", [], sys.exc_info())
        return [b"never"]

    with pytest.raises(ValueError, match="late failure"):
        call_mount(WSGIMount("", app), make_request())


def test_second_start_response_without_exc_info_is_an_error() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        start_response("404 Not Found", [])
        return [b""]

    responder = call_mount(WSGIMount("", app), make_request())
    assert responder is not None and responder.status == 500


def test_exception_before_head_gives_500() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        raise KeyError("missing")

    responder = call_mount(WSGIMount("", app), make_request())
    assert responder is not None
    assert responder.status == 500
    assert b"missing" not in responder.body


def test_str_body_is_refused_with_500() -> None:
    def app(environ: Any, start_response: Any) -> list[Any]:
        start_response("200 OK", [])
        return ["text"]

    responder = call_mount(WSGIMount("", app), make_request())
    assert responder is not None and responder.status == 500


def test_bad_status_line_gives_500() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response(200, [])
        return [b""]

    responder = call_mount(WSGIMount("", app), make_request())
    assert responder is not None and responder.status == 500


def test_file_wrapper_is_sent_with_sendfile(tmp_path: Any) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"0123456789")
    sent: list[tuple[int, int]] = []

    class Recorder(MemoryResponder):
        async def sendfile(self, file: Any, offset: int, count: int) -> None:
            sent.append((offset, count))
            await super().sendfile(file, offset, count)

    files: list[Any] = []

    def app(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        handle = open(path, "rb")  # the mount must close it
        handle.seek(2)
        files.append(handle)
        return environ["wsgi.file_wrapper"](handle, 4096)

    responder = Recorder()
    asyncio.run(WSGIMount("", app).handle(make_request(), responder))
    assert sent == [(2, 8)]
    assert responder.body == b"23456789"
    assert responder.header("content-length") == "8"
    assert files[0].closed


def test_file_wrapper_over_bytesio_is_iterated() -> None:
    import io

    def app(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [])
        return environ["wsgi.file_wrapper"](io.BytesIO(b"abcdef"), 4)

    responder = call_mount(WSGIMount("", app), make_request())
    assert responder is not None
    assert responder.chunks == [b"abcd", b"ef"]


def echo_input(method: str) -> Any:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        stream = environ["wsgi.input"]
        if method == "read":
            data = stream.read()
        elif method == "read3":
            data = b"|".join(iter(lambda: stream.read(3), b""))
        elif method == "readline":
            data = b"|".join(iter(stream.readline, b""))
        elif method == "readlines":
            data = b"|".join(stream.readlines())
        else:
            data = b"|".join(stream)
        start_response("200 OK", [])
        return [data]

    return app


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("read", b"ab\ncd\nef"),
        ("read3", b"ab\n|cd\n|ef"),
        ("readline", b"ab\n|cd\n|ef"),
        ("readlines", b"ab\n|cd\n|ef"),
        ("iterate", b"ab\n|cd\n|ef"),
    ],
)
def test_wsgi_input_reading_styles(method: str, expected: bytes) -> None:
    request = make_request("POST", "/", body=b"ab\ncd\nef")
    responder = call_mount(WSGIMount("", echo_input(method)), request)
    assert responder is not None and responder.body == expected


def test_wsgi_input_readline_respects_size() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        stream = environ["wsgi.input"]
        start_response("200 OK", [])
        return [stream.readline(2) + b"|" + stream.readline()]

    responder = call_mount(WSGIMount("", app), make_request("POST", "/", body=b"abcd\nef"))
    assert responder is not None and responder.body == b"ab|cd\n"


def test_wsgi_input_streams_while_body_arrives() -> None:
    """The app reads chunk by chunk while the protocol is still feeding the body
    (a sized read returns as soon as that many bytes have arrived)."""
    received: list[bytes] = []

    def app(environ: Any, start_response: Any) -> list[bytes]:
        stream = environ["wsgi.input"]
        while chunk := stream.read(1024):
            received.append(chunk)
        start_response("200 OK", [])
        return [b"%d" % len(received)]

    async def main() -> MemoryResponder:
        loop = asyncio.get_running_loop()
        body = StreamBody(loop, None)
        request = make_request("POST", "/")
        request.body = body
        responder = MemoryResponder()
        task = loop.create_task(WSGIMount("", app).handle(request, responder))
        for count, part in enumerate(PARTS):
            await wait_until(lambda count=count: len(received) == count)
            body.feed(part)
        await wait_until(lambda: len(received) == 3)
        body.feed_eof()
        await asyncio.wait_for(task, 10)
        return responder

    responder = asyncio.run(main())
    assert received == list(PARTS)
    assert responder.body == b"3"


PARTS = (b"a" * 1024, b"b" * 1024, b"c" * 1024)


def test_wsgi_input_sized_read_waits_for_all_bytes() -> None:
    """read(n) returns n bytes unless the body ends first (apps read CONTENT_LENGTH)."""
    seen: list[int] = []

    def app(environ: Any, start_response: Any) -> list[bytes]:
        seen.append(len(environ["wsgi.input"].read(5000)))
        seen.append(len(environ["wsgi.input"].read(5000)))
        start_response("200 OK", [])
        return [b"ok"]

    async def main() -> None:
        loop = asyncio.get_running_loop()
        body = StreamBody(loop, None)
        request = make_request("POST", "/")
        request.body = body
        task = loop.create_task(WSGIMount("", app).handle(request, MemoryResponder()))
        for part in (b"x" * 3000, b"y" * 3000):
            body.feed(part)
            await asyncio.sleep(0.05)
        body.feed_eof()
        await asyncio.wait_for(task, 10)

    asyncio.run(main())
    assert seen == [5000, 1000]


def test_streaming_stops_when_client_is_gone() -> None:
    produced: list[int] = []

    class Gone(MemoryResponder):
        async def write(self, data: bytes) -> None:
            await super().write(data)
            self.closed = True

    def app(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [])
        for number in range(100):
            produced.append(number)
            yield b"x"

    responder = Gone()
    asyncio.run(WSGIMount("", app).handle(make_request(), responder))
    assert len(produced) == 2
    assert responder.body == b"x"


class RefusingBody:
    """A body the engine refuses half-way (too large), as a chunked upload would be."""

    length = None

    def __init__(self) -> None:
        self.sent = False

    def read_sync(self, size: int = -1) -> bytes:
        if not self.sent:
            self.sent = True
            return b"x" * 10
        raise HTTPError(413, "request body over 10 bytes")


def test_body_refusal_swallowed_by_app_still_gives_413() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        try:
            environ["wsgi.input"].read()
        except Exception:  # as frameworks do
            start_response("500 Internal Server Error", [])
            return [b"framework error page"]
        raise AssertionError("the read should have failed")

    request = make_request("POST", "/")
    request.body = RefusingBody()
    responder = call_mount(WSGIMount("", app), request)
    assert responder is not None and responder.status == 413
    assert b"over 10 bytes" in responder.body


def test_body_refusal_uncaught_gives_its_status() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        environ["wsgi.input"].read()
        raise AssertionError("the read should have failed")

    request = make_request("POST", "/")
    request.body = RefusingBody()
    responder = call_mount(WSGIMount("", app), request)
    assert responder is not None and responder.status == 413
