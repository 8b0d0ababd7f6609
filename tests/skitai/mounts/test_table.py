"""Which mounts may answer a path, and in which order."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from skitai.mounts.table import MountTable, normalize_prefix


@dataclass
class Fake:
    prefix: str
    priority: int
    label: str


def labels(table: MountTable, path: str) -> list[str]:
    return [m.label for m in table.match(path)]


TABLE = MountTable(
    [
        Fake("", 20, "django"),
        Fake("", 10, "atila"),
        Fake("", 0, "static"),
        Fake("/api", 10, "api"),
        Fake("/api/v2", 20, "v2"),
        Fake("/static", 0, "assets"),
    ]
)


@pytest.mark.parametrize(
    "path,expected",
    [
        ("/", ["static", "atila", "django"]),
        ("/index.html", ["static", "atila", "django"]),
        ("/api", ["api"]),
        ("/api/users", ["api"]),
        ("/apix", ["static", "atila", "django"]),
        ("/api/v2/x", ["v2"]),
        ("/api/v2", ["v2"]),
        ("/static/a.css", ["assets"]),
    ],
)
def test_longest_prefix_then_priority(path: str, expected: list[str]) -> None:
    assert labels(TABLE, path) == expected


def test_no_root_mount_means_no_candidates() -> None:
    assert MountTable([Fake("/api", 10, "api")]).match("/other") == []


def test_prefix_normalisation() -> None:
    assert normalize_prefix("/") == "" and normalize_prefix("/api/") == "/api"
    with pytest.raises(ValueError):
        normalize_prefix("api")
