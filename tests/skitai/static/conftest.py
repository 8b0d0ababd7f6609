"""A static tree with traps: a secret beside the root, symlinks leading out of
it, a directory with an index and one without, a small and a large file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import pytest

from skitai.static.mount import StaticMount
from skitai.testing import MemoryResponder, call_mount, make_request

SECRET = b"TOP-SECRET-DO-NOT-SERVE"
LARGE_SIZE = 200_000


class Tree:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.root = base / "www"
        self.secret = base / "secret.txt"
        self.large = bytes(i % 251 for i in range(LARGE_SIZE))


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    t = Tree(tmp_path)
    root = t.root
    (root / "css").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "empty_dir").mkdir()
    (root / "%2e%2e").mkdir()  # a literal folder name, reachable only double-encoded
    (root / "%2e%2e" / "secret.txt").write_bytes(b"literal percent folder")
    t.secret.write_bytes(SECRET)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_bytes(SECRET)
    (root / "hello.txt").write_bytes(b"hello world\n")
    (root / "css" / "site.css").write_bytes(b"body { color: red }\n")
    (root / "index.html").write_bytes(b"<h1>root index</h1>")
    (root / "docs" / "index.html").write_bytes(b"<h1>docs</h1>")
    (root / "data.bin").write_bytes(t.large)
    (root / "empty.txt").write_bytes(b"")
    os.symlink(t.secret, root / "leak.txt")
    os.symlink(tmp_path / "outside", root / "outdir")
    os.symlink(root / "hello.txt", root / "alias.txt")  # stays inside: allowed
    (root / "trapdir").mkdir()
    os.symlink(t.secret, root / "trapdir" / "index.html")
    return t


@pytest.fixture
def secret() -> bytes:
    return SECRET


@pytest.fixture
def refused(secret: bytes) -> Callable[[MemoryResponder | None], None]:
    """Check an answer is NOT_FOUND (None) or a 4xx, and never the secret's bytes."""

    def check(response: MemoryResponder | None) -> None:
        if response is not None:
            assert 400 <= (response.status or 0) < 500, response.status
            assert secret not in response.body

    return check


@pytest.fixture
def mount(tree: Tree) -> StaticMount:
    return StaticMount("/static", str(tree.root))


Fetch = Callable[..., "MemoryResponder | None"]


@pytest.fixture
def fetch(mount: StaticMount) -> Fetch:
    """GET (or another method) a target under /static through the mount."""

    def go(
        target: str, headers: list[tuple[str, str]] | None = None, method: str = "GET", on: Any = None
    ) -> MemoryResponder | None:
        target_mount = on if on is not None else mount
        request = make_request(method, target, headers, script_name=target_mount.prefix)
        return call_mount(target_mount, request)

    return go
