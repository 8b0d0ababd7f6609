"""The contract's optional members are found once, when the mount table is built."""

from __future__ import annotations

from typing import Any

from atila import Atila
from skitai.body import EMPTY_BODY, StreamBody
from skitai.contract import (
    NOT_FOUND,
    AcceptsMaxAge,
    BodyFeed,
    HasNotFound,
    Reloadable,
)
from skitai.mounts.table import MountTable
from skitai.mounts.wsgi import WSGIMount
from skitai.static.mount import StaticMount


class Plain:
    """A hand-written mount that leaves out the members it does not need."""

    prefix = ""
    name = None

    def __init__(self, label: str, body_limit: int | None = None, priority: int | None = None) -> None:
        self.label = label
        if body_limit is not None:
            self.body_limit = body_limit
        if priority is not None:
            self.priority = priority

    def handle(self, request: Any, responder: Any) -> Any:
        return NOT_FOUND


class Fallback(Plain):
    def not_found(self, request: Any, responder: Any) -> Any:
        return None


def test_optional_members_are_declared_protocols(tmp_path: Any) -> None:
    app = Atila(__name__)
    static = StaticMount("/", str(tmp_path))
    assert isinstance(app, HasNotFound) and isinstance(app, Reloadable)
    assert isinstance(static, AcceptsMaxAge) and not isinstance(static, HasNotFound)
    assert not isinstance(WSGIMount("", lambda e, s: []), Reloadable)


def test_candidates_carry_the_group_limit_and_the_not_found_order() -> None:
    first, second = Fallback("first", 5), Fallback("second", 50, priority=20)
    table = MountTable([second, Plain("plain"), first])
    candidates = table.match("/x")
    assert [m.label for m in candidates] == ["plain", "first", "second"]
    assert candidates.body_limit == 50  # the most generous own limit of the group
    assert [handler.__self__ for _, handler in candidates.not_found] == [second, first]
    assert MountTable([Plain("alone")]).match("/").body_limit is None  # None: the engine default


def test_bodies_are_body_feeds() -> None:
    assert isinstance(StreamBody(None, 3), BodyFeed) and isinstance(EMPTY_BODY, BodyFeed)
    EMPTY_BODY.feed(b"ignored")  # the shared empty body takes feeding as a no-op
    assert EMPTY_BODY.complete and EMPTY_BODY.received == 0
