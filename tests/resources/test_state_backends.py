"""The backends' parts one by one: values, revocations, relayed messages,
the shared store and digest replays (the real-process view is test_cluster.py)."""

from __future__ import annotations

import hashlib
import multiprocessing
import time

import pytest

from atila.context.shared import Store
from atila.security.digest import DigestAuth
from skitai.state import selection
from skitai.state.clusters import HostCluster
from skitai.state.memory import MemoryCluster, MemoryLastUpdates
from skitai.state.relay import MAX_DATAGRAM
from skitai.state.selection import ClusterUnavailable, configure

pytestmark = pytest.mark.process


@pytest.fixture(params=["process", "host"])
def cluster(request):
    made = MemoryCluster(MemoryLastUpdates()) if request.param == "process" else HostCluster(MemoryLastUpdates())
    yield made
    if isinstance(made, HostCluster):
        made.remove()


def test_values_keep_json_and_count_atomically(cluster):
    values = cluster.values("store:t")
    values.set("user", {"name": "hans", "tags": ["a"]})
    assert values.get("user") == {"name": "hans", "tags": ["a"]}
    assert values.incr("n", 2) == 2 and values.incr("n", 0.5) == 2.5
    assert sorted(values.keys()) == ["n", "user"]
    values.delete("user")
    with pytest.raises(KeyError):
        values.get("user")
    with pytest.raises(KeyError):
        values.delete("user")
    assert cluster.values("store:other").keys() == []


def test_host_values_refuse_what_is_not_json():
    cluster = HostCluster(MemoryLastUpdates())
    try:
        with pytest.raises(TypeError, match=r"store\['obj'\] is shared by every worker as JSON"):
            cluster.values("s").set("obj", object())
        cluster.values("s").set("text", "x")
        with pytest.raises(TypeError, match="incr needs a number"):
            cluster.values("s").incr("text", 1)
    finally:
        cluster.remove()


def test_revocations_and_claims(cluster):
    revocations = cluster.revocations
    assert not revocations.is_revoked("ott", "a")
    revocations.revoke("ott", "a", time.time() + 60)
    assert revocations.is_revoked("ott", "a") and not revocations.is_revoked("digest", "a")
    revocations.revoke("ott", "old", time.time() - 1)
    assert not revocations.is_revoked("ott", "old")
    assert revocations.claim("digest", "n:1", time.time() + 60) is True
    assert revocations.claim("digest", "n:1", time.time() + 60) is False


def _relay_child(cluster, results):
    cluster.start()
    cluster.relay.subscribe("t", lambda payload: results.put(payload))
    results.put("ready")
    time.sleep(3)
    cluster.stop()


def test_host_relay_reaches_a_forked_worker_and_refuses_huge_messages():
    cluster = HostCluster(MemoryLastUpdates())
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_relay_child, args=(cluster, results))
    child.start()
    try:
        assert results.get(timeout=10) == "ready"
        cluster.start()
        cluster.relay.publish("t", {"hello": [1, 2]})
        assert results.get(timeout=10) == {"hello": [1, 2]}
        with pytest.raises(ValueError, match="MAX_DATAGRAM"):
            cluster.relay.publish("t", {"big": "x" * MAX_DATAGRAM})
        with pytest.raises(TypeError, match="not JSON"):
            cluster.relay.publish("t", {"obj": object()})
        assert cluster.relay.send("no-such-node", "t", {}) is False
    finally:
        child.join(10)
        cluster.stop()
        cluster.remove()


def test_a_shared_store_keeps_what_was_stored_before_the_fork():
    cluster = HostCluster(MemoryLastUpdates())
    try:
        first, second = Store(), Store()
        first["boot"], second["boot"] = "first", "second"
        first.share(cluster.values("store:app"))
        second.share(cluster.values("store:app"))
        assert second["boot"] == "first"  # the key was there already: not overwritten
        first.incr("hits")
        second.incr("hits", 2)
        assert first["hits"] == 3 and second.hits == 3 and len(first) == 2
        del second["boot"]
        assert "boot" not in first and first.get("boot", "-") == "-"
    finally:
        cluster.remove()


def test_a_replayed_digest_answer_is_refused():
    seen = MemoryCluster(MemoryLastUpdates()).revocations
    auth = DigestAuth("r", "k", replays=lambda ident, until: seen.claim("digest", ident, until))
    nonce = auth.make_nonce()
    ha1 = auth.ha1("hans", "pw", "MD5")

    def h(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    params = {
        "username": "hans",
        "realm": "r",
        "nonce": nonce,
        "uri": "/",
        "qop": "auth",
        "nc": "00000001",
        "cnonce": "c",
        "algorithm": "MD5",
    }
    params["response"] = h(f"{ha1}:{nonce}:00000001:c:auth:{h('GET:/')}")
    assert auth.verify(params, "GET", "/", lambda user, algorithm: ha1) == (True, False, "")
    ok, stale, reason = auth.verify(params, "GET", "/", lambda user, algorithm: ha1)
    assert (ok, stale) == (False, True) and "replayed" in reason


def test_configuration_chooses_the_backend(monkeypatch):
    monkeypatch.delenv(selection.ENV_CLUSTER, raising=False)
    try:
        assert configure("", 1).scope == "process"
        host = configure("", 3)
        assert host.scope == "host"
        selection.release()
        assert configure("process", 4).scope == "process"
        with pytest.raises(ClusterUnavailable, match="not 'process', 'host' or a redis:// URL"):
            configure("memcached://x", 2)
        monkeypatch.setenv(selection.ENV_CLUSTER, "redis://127.0.0.1:1/0")
        with pytest.raises(ClusterUnavailable, match="not reachable"):
            configure("", 2)
    finally:
        selection.use(None)
