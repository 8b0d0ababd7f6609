"""Many hosts sharing one Redis: ``skitai.run(cluster="redis://host:6379/0")``
or ``SKITAI_CLUSTER_URL``.

Every worker keeps its host's backend (:class:`~.clusters.HostCluster`, or
the in-process one for a single worker) and Redis on top of it:

- last-update times: ``setlu`` writes the local table and a Redis hash (keeping
  the larger time) and publishes the change; every worker's subscriber writes
  it into its local table, so ``getlu`` never leaves the process;
- ``store`` values: a Redis hash per app; revocations: one key with a TTL each;
- relayed messages: channel ``<prefix>:all`` for everyone, ``<prefix>:node:<id>``
  for one worker (``websocket_send``).

Redis unreachable at start-up is a configuration error (:func:`check`).
Lost while serving, every call falls back to the host backend at once (the
request path never waits on a dead Redis), one error line a second at most
says so, and the subscriber thread reconnects by itself; once back, last-update
times are merged both ways so no change made during the outage is lost.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable, TypeVar

import redis

from .hoststore import to_json
from .interface import JSON, Cluster, Handler
from .node import node_id
from .ratelimit import ThrottledLog
from .selection import ClusterUnavailable
from .subscribers import Subscribers, decode, encode

__all__ = ["RedisCluster", "ClusterUnavailable", "check"]

logger = logging.getLogger("skitai.state")
T = TypeVar("T")
_DOWN = object()
#: seconds a Redis command may take before the worker gives up on it
COMMAND_TIMEOUT = 2.0
#: seconds between reconnection attempts while Redis is away
RETRY_INTERVAL = 0.5

_SET_MAX = """
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
if ARGV[3] ~= '' then redis.call('PUBLISH', KEYS[2], ARGV[3]) end
return 1
"""


def _client(url: str) -> "redis.Redis":
    return redis.Redis.from_url(
        url, socket_timeout=COMMAND_TIMEOUT, socket_connect_timeout=COMMAND_TIMEOUT, health_check_interval=0
    )


def check(url: str) -> None:
    """Raise :class:`ClusterUnavailable` with the reason when ``url`` does not answer PING."""
    try:
        client = _client(url)
        client.ping()
        client.close()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise ClusterUnavailable(
            f"cluster Redis {url} is not reachable: {exc} (set by skitai.run(cluster=...) "
            "or SKITAI_CLUSTER_URL; start Redis or remove the setting to serve one host)"
        ) from None


class RedisCluster:
    scope = "redis"

    def __init__(self, url: str, local: Cluster, prefix: str = "skitai") -> None:
        self.url = url
        self.local = local
        self.prefix = prefix
        self.subscribers = Subscribers()
        self.last_updates = _LastUpdates(self)
        self.revocations = _Revocations(self)
        self.relay = _Relay(self)
        self.up = False
        self._client: "redis.Redis | None" = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._complaints = ThrottledLog(logger)
        self._node = ""
        self._set_max: Any = None
        self._was_lost = False
        self.subscribers.add("skitai.lu", self._remote_lu)

    # -- keys ---------------------------------------------------------------------
    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # -- life ---------------------------------------------------------------------
    def start(self) -> None:
        self.local.start()
        self._node = node_id()
        self._client = _client(self.url)
        self._set_max = self._client.register_script(_SET_MAX)
        self._stopping.clear()
        # NOTE: subscribed before the worker serves, so no event published after
        # its first answer can miss it
        first = None
        try:
            first = self._subscribe()
        except (redis.RedisError, OSError) as exc:
            self.lost(exc)
        self._thread = threading.Thread(target=self._listen, args=(first,), name="skitai-cluster", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(COMMAND_TIMEOUT + 1)
        if self._client is not None:
            self._client.close()
        self.local.stop()

    def values(self, namespace: str) -> "_Values":
        return _Values(self, namespace)

    # -- calls ----------------------------------------------------------------------
    def call(self, work: Callable[["redis.Redis"], T]) -> T | object:
        """``work(client)`` or ``_DOWN`` when Redis is away (then nothing waited)."""
        client = self._client
        if not self.up or client is None:
            return _DOWN
        try:
            return work(client)
        except redis.ResponseError:
            raise
        except (redis.RedisError, OSError) as exc:
            self.lost(exc)
            return _DOWN

    def lost(self, exc: BaseException) -> None:
        self.up = False
        self._was_lost = True
        self._complaints.error(
            "cluster Redis %s lost (%s): cross-host state is per host until it returns", self.url, exc
        )

    # -- the subscriber thread ------------------------------------------------------------
    def _subscribe(self) -> Any:
        assert self._client is not None
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
        try:
            pubsub.subscribe(self.key("all"), self.key("node", self._node))
            self._client.ping()
            if not self.up:
                self._recovered()
        except BaseException:
            pubsub.close()
            raise
        return pubsub

    def _listen(self, pubsub: Any) -> None:
        everyone = self.key("all").encode()
        while not self._stopping.is_set():
            try:
                if pubsub is None:
                    pubsub = self._subscribe()
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is None:
                        if not self.up:  # a command failed but this connection lives: check again
                            assert self._client is not None
                            self._client.ping()
                            self._recovered()
                        continue
                    self._deliver(message["channel"] == everyone, message["data"])
            except (redis.RedisError, OSError) as exc:
                self.lost(exc)
                self._stopping.wait(RETRY_INTERVAL)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except (redis.RedisError, OSError):
                        pass
                    pubsub = None

    def _recovered(self) -> None:
        self._resync()
        self.up = True
        if self._was_lost:
            self._was_lost = False
            logger.warning("cluster Redis %s is back: cross-host state is shared again", self.url)

    def _deliver(self, to_everyone: bool, raw: Any) -> None:
        if not isinstance(raw, bytes):
            return
        message = decode(raw)
        if message is None:
            return
        origin, topic, payload = message
        if to_everyone and origin == self._node:
            return
        self.subscribers.dispatch(topic, payload)

    # -- last updates -------------------------------------------------------------------
    def _remote_lu(self, payload: dict[str, Any]) -> None:
        name, when = payload.get("n"), payload.get("w")
        if isinstance(name, str) and isinstance(when, (int, float)):
            try:
                self.local.last_updates.set(name, float(when))
            except KeyError:
                pass  # a name this host's launch script did not declare

    def _resync(self) -> None:
        """Merge local and shared times both ways (start-up, and after an outage)."""
        assert self._client is not None
        raw: dict[bytes, bytes] = self._client.hgetall(self.key("lu"))  # type: ignore[assignment]
        shared = {k.decode(): float(v) for k, v in raw.items()}
        table = self.local.last_updates
        for name in table.names():
            mine, theirs = table.get(name), shared.get(name, 0.0)
            if theirs > mine:
                table.set(name, theirs)
            elif mine > theirs:
                note = encode(self._node, "skitai.lu", {"n": name, "w": mine}).decode()
                self._set_max(keys=[self.key("lu"), self.key("all")], args=[name, repr(mine), note])


class _LastUpdates:
    def __init__(self, cluster: RedisCluster) -> None:
        self._cluster = cluster

    def declare(self, name: str) -> None:
        self._cluster.local.last_updates.declare(name)

    def set(self, name: str, when: float) -> None:
        cluster = self._cluster
        cluster.local.last_updates.set(name, when)
        note = encode(cluster._node, "skitai.lu", {"n": name, "w": when}).decode()
        cluster.call(
            lambda client: cluster._set_max(
                keys=[cluster.key("lu"), cluster.key("all")], args=[name, repr(when), note], client=client
            )
        )

    def get(self, name: str) -> float:
        return self._cluster.local.last_updates.get(name)

    def names(self) -> list[str]:
        return self._cluster.local.last_updates.names()


class _Values:
    def __init__(self, cluster: RedisCluster, namespace: str) -> None:
        self._cluster = cluster
        self._key = cluster.key("store", namespace)
        self._local = cluster.local.values(namespace)

    def get(self, key: str) -> JSON:
        raw = self._cluster.call(lambda client: client.hget(self._key, key))
        if raw is _DOWN:
            return self._local.get(key)
        if raw is None:
            raise KeyError(key)
        assert isinstance(raw, bytes)
        return json.loads(raw)

    def set(self, key: str, value: JSON) -> None:
        encoded = to_json(value, f"store[{key!r}]")
        self._local.set(key, value)
        self._cluster.call(lambda client: client.hset(self._key, key, encoded))

    def delete(self, key: str) -> None:
        removed = self._cluster.call(lambda client: client.hdel(self._key, key))
        try:
            self._local.delete(key)
        except KeyError:
            if removed is _DOWN:
                raise
        if removed == 0:
            raise KeyError(key)

    def incr(self, key: str, amount: int | float) -> int | float:
        def add(client: "redis.Redis") -> int | float:
            try:
                if isinstance(amount, int):
                    return int(client.hincrby(self._key, key, amount))
                return float(client.hincrbyfloat(self._key, key, amount))
            except redis.ResponseError:
                raise TypeError(f"store[{key!r}] does not hold a number, incr needs one") from None

        value = self._cluster.call(add)
        if value is _DOWN:
            return self._local.incr(key, amount)
        assert isinstance(value, (int, float))
        self._local.set(key, value)
        return value

    def keys(self) -> list[str]:
        found = self._cluster.call(lambda client: client.hkeys(self._key))
        if found is _DOWN:
            return self._local.keys()
        assert isinstance(found, list)
        return sorted(k.decode() for k in found)


class _Revocations:
    """Written to the host backend too, so a host keeps refusing what it revoked
    while Redis is away."""

    def __init__(self, cluster: RedisCluster) -> None:
        self._cluster = cluster

    def _ttl(self, until: float) -> int:
        return max(1, int(until - time.time() + 1))

    def revoke(self, kind: str, ident: str, until: float) -> None:
        self._cluster.local.revocations.revoke(kind, ident, until)
        key = self._cluster.key("rev", kind, ident)
        self._cluster.call(lambda client: client.set(key, b"1", ex=self._ttl(until)))

    def is_revoked(self, kind: str, ident: str) -> bool:
        if self._cluster.local.revocations.is_revoked(kind, ident):
            return True
        key = self._cluster.key("rev", kind, ident)
        return self._cluster.call(lambda client: client.exists(key)) not in (_DOWN, 0)

    def claim(self, kind: str, ident: str, until: float) -> bool:
        key = self._cluster.key("rev", kind, ident)
        first = self._cluster.call(lambda client: client.set(key, b"1", ex=self._ttl(until), nx=True))
        if first is _DOWN:
            return self._cluster.local.revocations.claim(kind, ident, until)
        self._cluster.local.revocations.revoke(kind, ident, until)
        return bool(first)


class _Relay:
    def __init__(self, cluster: RedisCluster) -> None:
        self._cluster = cluster

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        cluster = self._cluster
        raw = encode(cluster._node, topic, payload)
        if cluster.call(lambda client: client.publish(cluster.key("all"), raw)) is _DOWN:
            cluster.local.relay.publish(topic, payload)

    def send(self, node: str, topic: str, payload: dict[str, Any]) -> bool:
        cluster = self._cluster
        raw = encode(cluster._node, topic, payload)
        reached = cluster.call(lambda client: client.publish(cluster.key("node", node), raw))
        if reached is _DOWN:
            return cluster.local.relay.send(node, topic, payload)
        return bool(reached)

    def subscribe(self, topic: str, handler: Handler) -> None:
        self._cluster.subscribers.add(topic, handler)
        self._cluster.local.relay.subscribe(topic, handler)
