"""ASGIMount with raw ASGI 3 apps: scope, receive, send and lifespan."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from mount_helpers import Engine, wait_until

from skitai.body import StreamBody
from skitai.errors import ClientGone, HTTPError
from skitai.mounts.asgi import ASGIMount
from skitai.testing import MemoryResponder, call_mount, make_request


async def hello(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello"})


def test_single_body_is_one_respond() -> None:
    calls: list[str] = []

    class Recorder(MemoryResponder):
        def respond(self, status: int, headers: Any, body: bytes = b"") -> None:
            calls.append("respond")
            super().respond(status, headers, body)

        def start(self, status: int, headers: Any) -> None:
            calls.append("start")
            super().start(status, headers)

    responder = Recorder()
    asyncio.run(ASGIMount("", hello).handle(make_request(), responder))
    assert calls == ["respond", "start"]  # MemoryResponder.respond uses start itself
    assert (responder.status, responder.body) == (200, b"hello")
    assert responder.headers == [("content-type", "text/plain")]


def test_http_scope() -> None:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.update(scope)
        await hello(scope, receive, send)

    request = make_request(
        "GET",
        "/api/caf%C3%A9/x?a=1&b=%20",
        script_name="/api",
        headers=[("X-Token", "t"), ("Accept", "a"), ("Accept", "b")],
    )
    call_mount(ASGIMount("/api", app), request)
    assert seen["type"] == "http"
    assert seen["asgi"] == {"version": "3.0", "spec_version": "2.4"}
    assert seen["http_version"] == "1.1"
    assert (seen["method"], seen["scheme"]) == ("GET", "http")
    assert seen["path"] == "/api/café/x"
    assert seen["raw_path"] == b"/api/caf%C3%A9/x"
    assert seen["query_string"] == b"a=1&b=%20"
    assert seen["root_path"] == "/api"
    assert seen["headers"] == [(b"x-token", b"t"), (b"accept", b"a"), (b"accept", b"b"), (b"host", b"testserver")]
    assert seen["client"] == ("127.0.0.1", 50000)
    assert seen["server"] == ("127.0.0.1", 80)
    assert seen["state"] == {}


def test_body_less_request_gives_one_empty_message() -> None:
    messages: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        messages.append(await receive())
        await hello(scope, receive, send)
        messages.append(await receive())

    call_mount(ASGIMount("", app), make_request())
    assert messages == [{"type": "http.request", "body": b"", "more_body": False}, {"type": "http.disconnect"}]


def test_request_body_in_several_chunks() -> None:
    messages: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            messages.append(message)
            if not message.get("more_body"):
                break
        body = b"".join(m["body"] for m in messages)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    async def main() -> MemoryResponder:
        loop = asyncio.get_running_loop()
        body = StreamBody(loop, 9)
        request = make_request("POST", "/")
        request.body = body
        responder = MemoryResponder()
        task = loop.create_task(ASGIMount("", app).handle(request, responder))
        for count, part in enumerate((b"abc", b"def", b"ghi"), 1):
            body.feed(part)
            await wait_until(lambda count=count: len(messages) == count)
        body.feed_eof()
        await asyncio.wait_for(task, 10)
        return responder

    responder = asyncio.run(main())
    assert responder.body == b"abcdefghi"
    assert [m["more_body"] for m in messages] == [True, True, False]
    assert [m["body"] for m in messages] == [b"abc", b"def", b"ghi"]


def test_chunked_request_body_ends_with_empty_message() -> None:
    messages: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            messages.append(message)
            if not message["more_body"]:
                break
        await hello(scope, receive, send)

    request = make_request("POST", "/", body=b"data")
    request.body.length = None  # as a chunked upload: the length is unknown
    call_mount(ASGIMount("", app), request)
    assert [(m["body"], m["more_body"]) for m in messages] == [(b"data", True), (b"", False)]


def test_streaming_response() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for part in (b"a", b"b", b""):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b"c"})

    responder = call_mount(ASGIMount("", app), make_request())
    assert responder is not None
    assert (responder.chunks, responder.ended) == ([b"a", b"b", b"c"], True)


def test_trailers_are_ignored_safely() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [], "trailers": True})
        await send({"type": "http.response.body", "body": b"x"})
        await send({"type": "http.response.trailers", "headers": [(b"x-checksum", b"1")], "more_trailers": False})

    responder = call_mount(ASGIMount("", app), make_request())
    assert responder is not None and (responder.status, responder.body) == (200, b"x")


def test_pathsend_uses_sendfile(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"file body")
    sent: list[tuple[int, int]] = []

    class Recorder(MemoryResponder):
        async def sendfile(self, file: Any, offset: int, count: int) -> None:
            sent.append((offset, count))
            await super().sendfile(file, offset, count)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert "http.response.pathsend" in scope["extensions"]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.pathsend", "path": str(path)})

    responder = Recorder()
    asyncio.run(ASGIMount("", app).handle(make_request(), responder))
    assert (sent, responder.body, responder.ended) == ([(0, 9)], b"file body", True)


def test_error_before_start_gives_500() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise ValueError("secret detail")

    engine = Engine()
    mount = ASGIMount("", app)

    async def main() -> MemoryResponder:
        mount._engine = engine  # as startup() would, without running lifespan
        responder = MemoryResponder()
        await mount.handle(make_request(), responder)
        return responder

    responder = asyncio.run(main())
    assert responder.status == 500 and b"secret" not in responder.body
    assert len(engine.errors) == 1


def test_error_after_start_propagates_to_close_the_connection() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"x", "more_body": True})
        raise ValueError("mid-stream")

    with pytest.raises(ValueError, match="mid-stream"):
        call_mount(ASGIMount("", app), make_request())


def test_app_that_never_answers_gives_500() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        return None

    responder = call_mount(ASGIMount("", app), make_request())
    assert responder is not None and responder.status == 500


def test_body_before_start_gives_500() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.body", "body": b"x"})

    responder = call_mount(ASGIMount("", app), make_request())
    assert responder is not None and responder.status == 500


def test_message_after_completion_is_an_error() -> None:
    errors: list[Exception] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await hello(scope, receive, send)
        try:
            await send({"type": "http.response.body", "body": b"again"})
        except RuntimeError as exc:
            errors.append(exc)

    responder = call_mount(ASGIMount("", app), make_request())
    assert responder is not None and responder.body == b"hello"
    assert len(errors) == 1


def test_receive_waits_for_disconnect_while_streaming() -> None:
    """A "listen for disconnect" task must not see http.disconnect early."""
    events: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()

        async def listen() -> None:
            message = await receive()
            events.append(message["type"])

        listener = asyncio.get_running_loop().create_task(listen())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"a", "more_body": True})
        await asyncio.sleep(0.01)
        events.append("streaming")
        await send({"type": "http.response.body", "body": b"b"})
        await asyncio.wait_for(listener, 5)

    call_mount(ASGIMount("", app), make_request())
    assert events == ["streaming", "http.disconnect"]


def lifespan_app(log: list[str], fail: bool = False) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                log.append(message["type"])
                if message["type"] == "lifespan.startup":
                    if fail:
                        await send({"type": "lifespan.startup.failed", "message": "no db"})
                        return
                    scope["state"]["db"] = "connected"
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = scope["state"].get("db", "none").encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    return app


def test_lifespan_startup_state_and_shutdown() -> None:
    log: list[str] = []
    mount = ASGIMount("", lifespan_app(log))

    async def main() -> MemoryResponder:
        await mount.startup(Engine())
        responder = MemoryResponder()
        await mount.handle(make_request(), responder)
        await mount.shutdown()
        return responder

    responder = asyncio.run(main())
    assert responder.body == b"connected"
    assert log == ["lifespan.startup", "lifespan.shutdown"]


def test_lifespan_startup_failure_raises() -> None:
    mount = ASGIMount("", lifespan_app([], fail=True))

    async def main() -> None:
        await mount.startup(Engine())

    with pytest.raises(RuntimeError, match="no db"):
        asyncio.run(main())


def test_app_without_lifespan_support_still_starts() -> None:
    async def http_only(scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http", "unsupported scope"
        await hello(scope, receive, send)

    mount = ASGIMount("", http_only)

    async def main() -> MemoryResponder:
        await mount.startup(Engine())
        responder = MemoryResponder()
        await mount.handle(make_request(), responder)
        await mount.shutdown()
        return responder

    assert asyncio.run(main()).body == b"hello"


def test_zerocopysend_with_offset_and_count(tmp_path: Path) -> None:
    path = tmp_path / "z.bin"
    path.write_bytes(b"0123456789")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        with open(path, "rb") as file:
            await send({"type": "http.response.zerocopysend", "file": file, "offset": 3, "count": 4, "more_body": True})
            await send({"type": "http.response.zerocopysend", "file": file, "offset": 0, "count": 1})

    responder = call_mount(ASGIMount("", app), make_request())
    assert responder is not None
    assert (responder.body, responder.ended) == (b"34560", True)


class FailingBody:
    length = None

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    async def read(self, size: int = -1) -> bytes:
        raise self.exc


def test_client_gone_while_reading_is_a_disconnect_message() -> None:
    messages: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        messages.append(await receive())

    request = make_request("POST", "/")
    request.body = FailingBody(ClientGone("reset"))
    call_mount(ASGIMount("", app), request)
    assert messages == [{"type": "http.disconnect"}]


def test_body_refusal_turned_into_500_by_app_gives_413() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        try:
            await receive()
        except Exception:  # as frameworks do
            await send({"type": "http.response.start", "status": 500, "headers": []})
            await send({"type": "http.response.body", "body": b"framework error page"})

    request = make_request("POST", "/")
    request.body = FailingBody(HTTPError(413, "body over the limit"))
    responder = call_mount(ASGIMount("", app), request)
    assert responder is not None and responder.status == 413
    assert b"body over the limit" in responder.body
