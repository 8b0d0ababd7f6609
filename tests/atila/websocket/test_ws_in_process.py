"""Every WebSocket spec through the in-process client (``app.test_client``)."""

from __future__ import annotations

import os
import sys

import pytest

from skitai.testing.websocket import WebSocketClosed

sys.path.insert(0, os.path.dirname(__file__))
import ws_app


@pytest.fixture(scope="module")
def cli():
    with ws_app.app.test_client("/", approot=os.path.dirname(__file__)) as client:
        yield client


def test_nothread_channel_echoes_text_and_binary_on_the_loop(cli):
    with cli.websocket("/echo") as ws:
        ws.send("hello")
        assert ws.receive() == "hello"
        ws.send(b"\x00\x01")
        assert ws.receive() == b"\x00\x01"


def test_threaded_channel_gets_query_options_and_runs_in_the_pool(cli):
    with cli.websocket("/threaded?options=x&lang=en") as ws:
        ws.send("hi")
        reply = ws.receive()
    assert reply.startswith("you said: hi in ")
    assert "atila-test" in reply
    assert "('lang', 'en'), ('options', 'x')" in reply
    assert "open x" in cli.get("/events").json()["events"]


def test_fast_spec_answers_json_from_the_loop(cli):
    with cli.websocket("/fast") as ws:
        ws.send("a")
        answer = ws.receive_json()
    assert answer["echo"] == "a"
    assert answer["thread"] == "atila-test-loop"


def test_threadsafe_send_from_another_thread(cli):
    with cli.websocket("/safe?option=7") as ws:
        ws.send("m")
        assert ws.receive() == "from a thread: m 7"


def test_missing_route_parameter_refuses_the_handshake_with_400(cli):
    with pytest.raises(WebSocketClosed) as info:
        cli.websocket("/safe")
    assert "400" in info.value.reason and "option" in info.value.reason


def test_session_generator_keeps_state_per_connection(cli):
    with cli.websocket("/session") as ws:
        assert ws.receive() == "welcome"
        ws.send("a")
        ws.send("b")
        assert [ws.receive(), ws.receive()] == ["1: a", "2: b"]
        ws.send("bye")
        with pytest.raises(WebSocketClosed) as info:
            ws.receive()
    assert info.value.code == 1000


def test_coroutine_yields_input_and_awaitables(cli):
    with cli.websocket("/coroutine") as ws:
        ws.send("one")
        assert ws.receive() == "one awaited"
        ws.send("")
        with pytest.raises(WebSocketClosed) as info:
            ws.receive()
    assert info.value.code == 1000


def test_stream_handler_loops_on_receive(cli):
    with cli.websocket("/stream") as ws:
        ws.send("abc")
        assert ws.receive() == "3"
        ws.send("done")
        assert ws.receive() == "7"
        with pytest.raises(WebSocketClosed):
            ws.receive()


def test_groupchat_reaches_every_member_of_the_room_only(cli):
    with cli.websocket("/room/a") as one, cli.websocket("/room/a") as two, cli.websocket("/room/b") as other:
        one.send("hi")
        assert one.receive() == "a: hi"
        assert two.receive() == "a: hi"
        other.send("x")
        assert other.receive() == "b: x"
        with pytest.raises(TimeoutError):
            two.receive(timeout=0.3)


def test_handler_error_closes_1011_and_others_keep_working(cli):
    with cli.websocket("/broken") as bad, cli.websocket("/echo") as good:
        bad.send("x")
        with pytest.raises(WebSocketClosed) as info:
            bad.receive()
        assert info.value.code == 1011
        good.send("still here")
        assert good.receive() == "still here"


def test_websocket_send_pushes_by_client_id_and_is_false_once_gone(cli):
    ws = cli.websocket("/threaded")
    # onopen stored the id in the session; its cookie came with the 101
    answer = cli.get("/push-session").json()
    assert answer["sent"] is True
    assert ws.receive() == "Item In Stock!"
    ws.close()
    assert cli.get("/push-session").json()["sent"] is False
    assert cli.get("/push", params={"client_id": "nobody-1"}).json()["sent"] is False


def test_onclose_runs_once_per_connection(cli):
    with cli.websocket("/threaded") as ws:
        ws.send("x")
        ws.receive()
    events = cli.get("/events").json()["events"]
    opened = [e for e in events if e.startswith("open")]
    closed = [e for e in events if e.startswith("close")]
    assert len(closed) >= 1 and len(opened) >= len(closed)


@pytest.mark.process  # the piped process is a child process
def test_piped_process_streams_stdout_and_takes_messages(cli):
    with cli.websocket("/shell") as ws:
        ws.send("hello")
        assert ws.receive() == "got HELLO"
        ws.send("again")
        assert ws.receive() == "got AGAIN"


def test_plain_get_to_a_websocket_route_is_426_not_500(cli):
    r = cli.get("/echo")
    assert r.status_code == 426
    assert r.headers["upgrade"] == "websocket"


def test_onopen_raising_refuses_the_handshake_with_its_status(cli):
    with pytest.raises(WebSocketClosed) as info:
        cli.websocket("/guarded")
    assert "403" in info.value.reason
    with cli.websocket("/guarded?token=let-me-in") as ws:
        ws.send("x")
        assert ws.receive() == "inside"


def test_subprotocol_is_negotiated_in_the_route_order(cli):
    with cli.websocket("/chat", subprotocols=["chat.v1", "chat.v2"]) as ws:
        ws.send("which")
        assert ws.receive() == "chat.v2"
        assert ws.headers["Sec-WebSocket-Protocol"] == "chat.v2"


def test_async_generator_session_runs_on_the_loop(cli):
    with cli.websocket("/async-session") as ws:
        ws.send("abc")
        assert ws.receive() == "cba"


def test_threaded_messages_are_answered_in_order_past_the_queue_limit(cli):
    with cli.websocket("/slow") as ws:
        for index in range(80):  # more than ws_max_queue (32): reading pauses, nothing is lost
            ws.send(str(index))
        assert [ws.receive() for _ in range(80)] == [str(index) for index in range(80)]


@pytest.mark.parametrize(
    "spec, handler, error",
    [
        ("WS_SESSION | skitai.WS_STREAM", "def h(context):\n    yield", ValueError),
        ("WS_STREAM", "def h(context):\n    pass", TypeError),
        ("WS_CHANNEL", "def h(context):\n    pass", TypeError),
        ("WS_SESSION", "def h(context):\n    pass", TypeError),
        ("WS_COROUTINE", "async def h(context):\n    pass", TypeError),
    ],
)
def test_a_handler_that_does_not_fit_its_spec_is_refused_at_decoration(spec, handler, error):
    import skitai
    from atila import Atila

    app = Atila("misfit")
    namespace = {}
    exec(handler, namespace)
    with pytest.raises(error):
        app.websocket(eval(f"skitai.{spec}", {"skitai": skitai}))(namespace["h"])


def test_authentication_guards_the_handshake(cli):
    with pytest.raises(WebSocketClosed) as info:
        cli.websocket("/private")
    assert "401" in info.value.reason
    import base64

    token = base64.b64encode(b"admin:pw1").decode()
    with cli.websocket("/private", headers={"Authorization": f"Basic {token}"}) as ws:
        ws.send("hi")
        assert ws.receive() == "admin: hi"
