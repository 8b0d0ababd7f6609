"""Run wrk once and read its report (requests/s, latency percentiles, errors).

wrk prints durations with a unit suffix (``635.91us``, ``2.53ms``, ``1.02s``);
everything is converted to milliseconds here so the driver compares numbers.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess

__all__ = ["WrkResult", "WrkError", "parse_report", "run_wrk"]

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = r"([\d.]+)(us|ms|s|m|h)"
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_PERCENTILE = re.compile(r"^\s+(50|75|90|99)%\s+" + _DURATION, re.MULTILINE)
_TOTAL = re.compile(r"^\s+(\d+) requests in", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


class WrkError(RuntimeError):
    """wrk failed or printed something we cannot read."""


@dataclasses.dataclass
class WrkResult:
    rps: float
    requests: int
    #: latency percentiles in milliseconds, keyed "50", "75", "90", "99"
    latency_ms: dict[str, float]
    non_2xx: int
    socket_errors: int

    @property
    def p99_ms(self) -> float:
        return self.latency_ms["99"]


def parse_report(text: str) -> WrkResult:
    """Read wrk's ``--latency`` report.  Raises :class:`WrkError` when a figure is missing."""
    rps = _RPS.search(text)
    total = _TOTAL.search(text)
    percentiles = {
        match.group(1): float(match.group(2)) * _UNITS_MS[match.group(3)] for match in _PERCENTILE.finditer(text)
    }
    if rps is None or total is None or "99" not in percentiles:
        raise WrkError(f"cannot read wrk's report:\n{text}")
    non_2xx = _NON_2XX.search(text)
    sockets = _SOCKET_ERRORS.search(text)
    return WrkResult(
        rps=float(rps.group(1)),
        requests=int(total.group(1)),
        latency_ms=percentiles,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(value) for value in sockets.groups()) if sockets else 0,
    )


def run_wrk(url: str, duration: int, connections: int, cpu: int | None, threads: int = 1) -> WrkResult:
    """One wrk run against ``url``, pinned to ``cpu`` (None: not pinned).

    Bounded: wrk is killed if it overruns its duration by 20 seconds.
    """
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if cpu is not None:
        argv = ["taskset", "-c", str(cpu), *argv]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 20)
    except subprocess.TimeoutExpired as exc:
        raise WrkError(f"wrk did not finish within {duration + 20:g}s: {' '.join(argv)}") from exc
    if done.returncode != 0:
        raise WrkError(f"wrk exited with {done.returncode}: {done.stderr.strip() or done.stdout.strip()}")
    return parse_report(done.stdout)
