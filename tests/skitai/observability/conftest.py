"""Launch scripts for the observability tests: written to a temp folder, run as real servers."""

from __future__ import annotations

import textwrap
import time

import pytest


@pytest.fixture
def script(tmp_path):
    def write(source: str, name: str = "serve.py") -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        return str(path)

    return write


@pytest.fixture
def wait_for():
    return _wait_for


def _wait_for(predicate, what: str, timeout: float = 15.0):
    """Poll ``predicate`` until it returns a true value (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
