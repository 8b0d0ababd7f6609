"""The host-wide last-update table across a real fork, and the in-process one."""

from __future__ import annotations

import multiprocessing

import pytest

from skitai.state.host import HostLastUpdates
from skitai.state.memory import MemoryLastUpdates

pytestmark = pytest.mark.process


def _child(table, results):
    table.set("tables.users", 42.0)
    table.declare("made.in.child")
    results.put(table.get("tables.users"))


def test_a_forked_worker_writes_what_the_parent_reads():
    table = HostLastUpdates(slots=8)
    table.declare("tables.users")
    results = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(target=_child, args=(table, results))
    child.start()
    child.join(10)
    assert results.get(timeout=5) == 42.0
    assert table.get("tables.users") == 42.0
    assert table.names() == ["tables.users", "made.in.child"]


@pytest.mark.parametrize("make", [lambda: HostLastUpdates(slots=2), MemoryLastUpdates])
def test_times_only_move_forward_and_names_must_be_declared(make):
    table = make()
    table.declare("a")
    table.set("a", 10.0)
    table.set("a", 5.0)
    assert table.get("a") == 10.0
    with pytest.raises(KeyError):
        table.get("missing")
    with pytest.raises(KeyError):
        table.set("missing", 1.0)


def test_the_host_table_is_bounded_and_names_are_checked():
    table = HostLastUpdates(slots=1)
    table.declare("one")
    with pytest.raises(ValueError, match="no room"):
        table.declare("two")
    with pytest.raises(ValueError, match="bytes"):
        table.declare("x" * 500)
