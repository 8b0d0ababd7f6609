"""Cross-worker and cross-host state through real server processes.

One server with three workers (the host backend), then two servers on two
ports sharing one real Redis (the Redis backend), as two hosts behind a load
balancer would: setlu/getlu, app.store, broadcast events, websocket_send to a
socket the other server holds, revoked one-time tokens; Redis killed and
restarted while they serve.  Every answer names the worker (pid) that gave it.
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable

import httpx
import pytest
from db_servers import RedisServer

import skitai
from skitai.testing.client import ServerNotStarted, free_port

pytestmark = pytest.mark.process

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site", "cluster.py")
PATIENCE = 20.0


def fresh(method: str, url: str, **options: Any) -> dict[str, Any]:
    """One request on a new connection (so the kernel may pick any worker)."""
    with httpx.Client(timeout=10) as client:
        response = client.request(method, url, **options)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def every_worker(
    url: str,
    want: int,
    accept: Callable[[dict[str, Any]], bool] = lambda body: True,
) -> dict[int, dict[str, Any]]:
    """The first accepted answer of each of ``want`` workers (polls until then)."""
    answers: dict[int, dict[str, Any]] = {}
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        body = fresh("GET", url)
        if accept(body):
            answers.setdefault(body["pid"], body)
            if len(answers) >= want:
                return answers
    pytest.fail(f"only workers {sorted(answers)} gave an accepted answer to {url}")


def eventually(probe: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"never: {what}")


def held_by_other_worker(base: str, holder: int, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``action()`` until a worker other than ``holder`` ran it."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        body = action()
        if body["pid"] != holder:
            return body
    pytest.fail(f"every request to {base} landed on worker {holder}")


# -- one host, three workers ------------------------------------------------------------


@pytest.fixture(scope="module")
def host():
    with skitai.test_client(SITE, port=free_port(), env={"CLUSTER_WORKERS": "3"}) as engine:
        yield engine


def test_three_workers_answer_with_the_host_backend(host):
    answers = every_worker(host.base_url + "/whoami", 3)
    assert {body["scope"] for body in answers.values()} == {"host"}
    assert {body["worker"] for body in answers.values()} == {"1", "2", "3"}
    # a value stored before the workers forked is shared, not lost
    assert {body["boot"] for body in answers.values()} == {"before-fork"}


@pytest.mark.parametrize("via", ["app", "context"])
def test_broadcast_event_reaches_every_worker_once(host, via):
    n = 41 if via == "app" else 42
    sender = fresh("POST", host.base_url + "/emit", data={"n": n, "via": via})
    every_worker(host.base_url + "/whoami", 3, lambda body: body["seen"].count([n, sender["pid"]]) == 1)


def test_store_and_last_updates_are_one_for_all_workers(host):
    start = fresh("GET", host.base_url + "/hits")["hits"]
    pids = {fresh("POST", host.base_url + "/hits")["pid"] for _ in range(12)}
    answers = every_worker(host.base_url + "/hits", 3)
    assert {body["hits"] for body in answers.values()} == {start + 12}
    assert len(pids) >= 2
    touched = fresh("POST", host.base_url + "/touch")
    answers = every_worker(host.base_url + "/lu", 3)
    assert {body["lu"] for body in answers.values()} == {touched["lu"]}


def test_a_token_revoked_by_one_worker_is_refused_by_all(host):
    token = fresh("GET", host.base_url + "/ott")["token"]
    assert len(every_worker(host.base_url + f"/ott/check?token={token}", 3, lambda body: body["value"] == "hans")) == 3
    fresh("POST", host.base_url + "/ott/revoke", data={"token": token})
    answers = every_worker(host.base_url + f"/ott/check?token={token}", 3)
    assert {body["value"] for body in answers.values()} == {None}


def test_digest_answers_work_on_every_worker_once(host):
    with httpx.Client(auth=httpx.DigestAuth("hans", "secret"), timeout=10) as client:
        first = client.get(host.base_url + "/digest")
        assert first.status_code == 200 and first.json()["user"] == "hans"
        for _ in range(3):  # the client counts nc up: a fresh answer each time
            assert client.get(host.base_url + "/digest").status_code == 200
    replayed = first.request.headers["Authorization"]
    for _ in range(6):  # new connections: any worker
        with httpx.Client(timeout=10) as client:
            answer = client.get(host.base_url + "/digest", headers={"Authorization": replayed})
        assert answer.status_code == 401
        assert "stale=true" in answer.headers["WWW-Authenticate"]


def pushes_from_elsewhere(engine: Any, ws: Any, client_id: str, holder: int, via: Any = None) -> list[int]:
    """Push through ``via`` (default: the socket's server) until a worker other
    than ``holder`` sent one; every push must arrive once, in order."""
    via = via or engine
    senders = []
    deadline = time.monotonic() + PATIENCE
    for number in range(1000):
        body = fresh("POST", via.base_url + "/push", data={"client_id": client_id, "text": f"push {number}"})
        assert body["sent"] is True
        assert ws.receive() == f"push {number}"
        senders.append(body["pid"])
        if body["pid"] != holder or time.monotonic() > deadline:
            break
    return senders


def test_websocket_send_reaches_a_socket_of_another_worker(host):
    ws = host.websocket("/ws")
    try:
        client_id, holder = ws.receive().split()
        senders = pushes_from_elsewhere(host, ws, client_id, int(holder))
        assert senders[-1] != int(holder)
        ws.send("still there")
        assert ws.receive() == "echo still there"
    finally:
        ws.close()


def test_a_group_chat_room_spans_workers(host):
    members = [host.websocket("/room/lobby")]
    try:
        pids = {int(members[0].receive())}
        deadline = time.monotonic() + PATIENCE
        while len(pids) < 2 and time.monotonic() < deadline:
            member = host.websocket("/room/lobby")
            members.append(member)
            pids.add(int(member.receive()))
        assert len(pids) >= 2, "every member landed on one worker"
        members[0].send("hi")
        for member in members:
            assert member.receive() == "lobby: hi"  # once each, wherever it is held
        members[-1].send("bye")
        for member in members:
            assert member.receive() == "lobby: bye"
    finally:
        for member in members:
            member.close()


def test_websocket_send_to_a_client_that_never_existed_is_false(host):
    for client_id in ("nosuchworker-1", "", "-"):
        assert fresh("POST", host.base_url + "/push", data={"client_id": client_id, "text": "x"})["sent"] is False


# -- two hosts, one Redis ------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_cluster():
    """A Redis of this module's own: the tests kill and restart it."""
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture(scope="module")
def hosts(redis_cluster):
    env = {"CLUSTER_WORKERS": "2", "CLUSTER_URL": f"redis://{redis_cluster.member}"}
    with skitai.test_client(SITE, port=free_port(), env=env) as a:
        with skitai.test_client(SITE, port=free_port(), env=env) as b:
            yield a, b


def test_both_servers_use_redis(hosts):
    for engine in hosts:
        assert {body["scope"] for body in every_worker(engine.base_url + "/whoami", 2).values()} == {"redis"}


def test_setlu_on_one_host_getlu_on_the_other(hosts):
    a, b = hosts
    touched = fresh("POST", a.base_url + "/touch")["lu"]
    every_worker(b.base_url + "/lu", 2, lambda body: body["lu"] == touched)


def test_store_and_events_cross_hosts(hosts):
    a, b = hosts
    before = fresh("GET", b.base_url + "/hits")["hits"]
    fresh("POST", a.base_url + "/hits")
    fresh("POST", a.base_url + "/hits")
    assert {body["hits"] for body in every_worker(b.base_url + "/hits", 2).values()} == {before + 2}
    sender = fresh("POST", a.base_url + "/emit", data={"n": 7})
    # both workers of B, and the other worker of A, hear it once
    every_worker(b.base_url + "/whoami", 2, lambda body: [7, sender["pid"]] in body["seen"])
    every_worker(a.base_url + "/whoami", 2, lambda body: body["seen"].count([7, sender["pid"]]) == 1)


def test_a_token_revoked_on_one_host_is_refused_on_the_other(hosts):
    a, b = hosts
    token = fresh("GET", a.base_url + "/ott")["token"]
    assert fresh("GET", b.base_url + f"/ott/check?token={token}")["value"] == "hans"
    fresh("POST", a.base_url + "/ott/revoke", data={"token": token})
    answers = every_worker(b.base_url + f"/ott/check?token={token}", 2)
    assert {body["value"] for body in answers.values()} == {None}


def test_websocket_send_through_the_other_host(hosts):
    a, b = hosts
    ws = a.websocket("/ws")
    try:
        client_id, holder = ws.receive().split()
        # every worker of B pushes to A's socket
        senders = set()
        for number in range(200):
            body = fresh("POST", b.base_url + "/push", data={"client_id": client_id, "text": f"via b {number}"})
            assert body["sent"] is True
            assert ws.receive() == f"via b {number}"
            senders.add(body["pid"])
            if len(senders) == 2:
                break
        assert len(senders) == 2
    finally:
        ws.close()


def test_a_group_chat_room_spans_hosts(hosts):
    a, b = hosts
    on_a, on_b = a.websocket("/room/hall"), b.websocket("/room/hall")
    try:
        on_a.receive(), on_b.receive()
        on_b.send("from b")
        assert on_a.receive() == "hall: from b" and on_b.receive() == "hall: from b"
    finally:
        on_a.close()
        on_b.close()


def test_redis_lost_and_back_while_serving(hosts, redis_cluster):
    a, b = hosts
    ws = a.websocket("/ws")
    try:
        client_id, holder = ws.receive().split()
        redis_cluster.process.terminate()
        redis_cluster.process.wait(10)
        # requests keep being answered; state degrades to per host
        touched = fresh("POST", a.base_url + "/touch")["lu"]
        every_worker(a.base_url + "/lu", 2, lambda body: body["lu"] == touched)
        assert fresh("GET", b.base_url + "/lu")["lu"] < touched
        assert fresh("POST", b.base_url + "/push", data={"client_id": client_id, "text": "lost"})["sent"] is False
        assert fresh("GET", b.base_url + "/hits")["pid"]
        eventually(lambda: "cluster Redis" in a.output() and "lost" in a.output(), "the loss is logged")
        # back without a restart of either server
        redis_cluster.start()
        every_worker(b.base_url + "/lu", 2, lambda body: body["lu"] == touched)
        eventually(
            lambda: fresh("POST", b.base_url + "/push", data={"client_id": client_id, "text": "back"})["sent"],
            "pushing works again",
        )
        assert ws.receive() == "back"
        eventually(lambda: "is back" in a.output(), "the recovery is logged")
    finally:
        ws.close()
    lines = [line for line in a.output().splitlines() if "cluster Redis" in line and "lost" in line]
    assert lines


def test_redis_down_at_start_up_is_a_clear_error():
    dead = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(ServerNotStarted) as failure:
        skitai.test_client(SITE, port=free_port(), env={"CLUSTER_WORKERS": "2", "CLUSTER_URL": dead})
    assert "not reachable" in str(failure.value) and "SKITAI_CLUSTER_URL" in str(failure.value)


def test_an_unknown_cluster_setting_is_a_clear_error():
    with pytest.raises(ServerNotStarted) as failure:
        skitai.test_client(SITE, port=free_port(), env={"CLUSTER_URL": "memcached://x"})
    assert "cluster setting 'memcached://x'" in str(failure.value)
