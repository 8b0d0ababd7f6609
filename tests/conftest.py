"""Test kinds.  A test is ``unit`` (no socket bound or connected, no child process: the codecs,
the router, the in-memory wire server) unless its module says ``pytestmark =
pytest.mark.process``.  ``scripts/test.sh -m unit`` runs only the unit tests.  A unit test that
opens a socket or starts a process fails in every run, so the marks cannot drift from the truth."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("process") is None:
            item.add_marker(pytest.mark.unit)


def _refuse(what: str) -> Any:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a unit test used {what}: mark its module with `pytestmark = pytest.mark.process`")

    return refuse


@pytest.fixture(autouse=True)
def _unit_tests_stay_in_memory(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("process") is not None:
        yield
        return
    patch = pytest.MonkeyPatch()
    patch.setattr(socket.socket, "bind", _refuse("socket.bind"))
    patch.setattr(socket.socket, "connect", _refuse("socket.connect"))
    patch.setattr(socket.socket, "connect_ex", _refuse("socket.connect_ex"))
    patch.setattr(subprocess.Popen, "__init__", _refuse("a child process"))
    try:
        yield
    finally:
        patch.undo()
