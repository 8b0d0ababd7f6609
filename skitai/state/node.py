"""The name of this worker process among all workers of all hosts.

Client ids of websockets start with it, so ``websocket_send`` knows which
worker holds a connection.  Made again after a fork (the pid changes), so no
two workers ever share one.  PERF: 8 random bytes once per process.
"""

from __future__ import annotations

import os
import secrets

__all__ = ["node_id"]

_node: tuple[int, str] = (0, "")


def node_id() -> str:
    global _node
    pid = os.getpid()
    if _node[0] != pid:
        _node = (pid, secrets.token_hex(8))
    return _node[1]
