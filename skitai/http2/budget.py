"""A per-connection allowance for frames that cost the server work but carry no
request: the defence against the HTTP/2 flood attacks (rapid reset,
CVE-2023-44487; PING/SETTINGS/empty-frame floods, CVE-2019-9512/9515/9518).

A token bucket rather than a plain counter: a long-lived connection may send
many PINGs or cancel many streams over its life, only not in a burst.  Time is
passed in (sans-I/O), so the codec tests drive it without a clock.
"""

from __future__ import annotations

__all__ = ["Budget"]


class Budget:
    __slots__ = ("rate", "tokens", "stamp")

    def __init__(self, per_second: int) -> None:
        #: refill per second; also the largest burst
        self.rate = float(max(1, per_second))
        self.tokens = self.rate
        self.stamp: float | None = None

    def spend(self, now: float, cost: float = 1.0) -> bool:
        """Take ``cost`` tokens; False once the allowance is exhausted."""
        if self.stamp is not None and now > self.stamp:
            self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= cost
        return self.tokens >= 0.0
