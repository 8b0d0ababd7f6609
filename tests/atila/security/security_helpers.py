"""Helpers for the security tests: a hand-moved clock and a minimal browser cookie store."""

from __future__ import annotations


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def next_request_cookies(set_cookie_headers: list[str], previous: str = "") -> str:
    """What a browser sends next: previous cookies updated by the Set-Cookie values."""
    jar: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in previous.split(";"))):
        name, _, value = part.partition("=")
        jar[name] = value
    for header in set_cookie_headers:
        name, _, value = header.split(";")[0].partition("=")
        if "Max-Age=0" in header:
            jar.pop(name, None)
        else:
            jar[name] = value
    return "; ".join(f"{k}={v}" for k, v in jar.items())
