"""Path resolution, content types and the file cache."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from skitai.static.files import FileCache, guess_content_type, resolve_path


def test_resolves_a_file_with_its_stat(tree: Any) -> None:
    root = os.path.realpath(tree.root)
    found = resolve_path(root, "/css/site.css")
    assert found is not None
    assert found.path == os.path.join(root, "css", "site.css")
    assert found.segments == ["css", "site.css"]
    assert found.stat.st_size == len(b"body { color: red }\n")


def test_empty_and_dot_segments_are_dropped(tree: Any) -> None:
    root = os.path.realpath(tree.root)
    found = resolve_path(root, "//css/./site.css")
    assert found is not None and found.segments == ["css", "site.css"]


def test_root_itself_resolves(tree: Any) -> None:
    root = os.path.realpath(tree.root)
    found = resolve_path(root, "")
    assert found is not None and found.path == root and found.segments == []


def test_missing_path_resolves_to_nothing(tree: Any) -> None:
    assert resolve_path(os.path.realpath(tree.root), "/css/nope.css") is None
    assert resolve_path(os.path.realpath(tree.root), "/hello.txt/below") is None


def test_symlinked_folder_inside_root_resolves_to_its_target(tree: Any) -> None:
    root = os.path.realpath(tree.root)
    os.symlink(tree.root / "css", tree.root / "styles")
    found = resolve_path(root, "/styles/site.css")
    assert found is not None and found.path == os.path.join(root, "css", "site.css")


def test_symlink_out_of_root_resolves_to_nothing(tree: Any) -> None:
    root = os.path.realpath(tree.root)
    assert resolve_path(root, "/leak.txt") is None
    assert resolve_path(root, "/outdir/secret.txt") is None


@pytest.mark.parametrize("path_info", ["/a\x00b", "/a\\b", "/\udcc0\udcae", "/../x", "/a/../b"])
def test_unsafe_spellings_resolve_to_nothing(tree: Any, path_info: str) -> None:
    assert resolve_path(os.path.realpath(tree.root), path_info) is None


def test_non_ascii_names_resolve(tree: Any) -> None:
    (tree.root / "café.txt").write_bytes(b"x")
    assert resolve_path(os.path.realpath(tree.root), "/café.txt") is not None


@pytest.mark.parametrize(
    "name, expected",
    [
        ("a.js", "text/javascript; charset=utf-8"),
        ("a.MJS", "text/javascript; charset=utf-8"),
        ("a.json", "application/json; charset=utf-8"),
        ("a.svg", "image/svg+xml; charset=utf-8"),
        ("a.png", "image/png"),
        ("a.woff2", "font/woff2"),
        ("a.wasm", "application/wasm"),
        ("a.csv", "text/csv; charset=utf-8"),
        ("archive.tar.gz", "application/octet-stream"),
        ("README", "application/octet-stream"),
    ],
)
def test_content_types(name: str, expected: str) -> None:
    assert guess_content_type(name) == expected


def write(path: Path, data: bytes) -> os.stat_result:
    path.write_bytes(data)
    return path.stat()


def test_small_file_is_cached_with_its_content(tmp_path: Path) -> None:
    cache = FileCache()
    st = write(tmp_path / "a.txt", b"abc")
    info = cache.load_small(str(tmp_path / "a.txt"))
    assert info is not None and info.body == b"abc"
    assert cache.lookup(str(tmp_path / "a.txt"), st) is info


def test_file_over_the_small_limit_is_not_loaded(tmp_path: Path) -> None:
    cache = FileCache(small_file_size=2)
    write(tmp_path / "a.txt", b"abc")
    assert cache.load_small(str(tmp_path / "a.txt")) is None
    assert cache.cached_bytes == 0


def test_changed_stat_misses(tmp_path: Path) -> None:
    cache = FileCache()
    path = tmp_path / "a.txt"
    write(path, b"abc")
    cache.load_small(str(path))
    st = write(path, b"abcd")
    assert cache.lookup(str(path), st) is None


def test_cache_is_bounded_in_bytes(tmp_path: Path) -> None:
    cache = FileCache(max_bytes=10)
    for name in "abcd":
        write(tmp_path / name, b"1234")
        cache.load_small(str(tmp_path / name))
    assert cache.cached_bytes <= 10
    assert len(cache) == 2


def test_cache_is_bounded_in_entries(tmp_path: Path) -> None:
    cache = FileCache(max_entries=3)
    for name in "abcde":
        st = write(tmp_path / name, b"")
        cache.describe(str(tmp_path / name), st)
    assert len(cache) == 3


def test_validators_describe_the_version(tmp_path: Path) -> None:
    st = write(tmp_path / "a.txt", b"abc")
    info = FileCache().describe(str(tmp_path / "a.txt"), st)
    assert info.etag == f'"{st.st_mtime_ns:x}-3"'
    assert info.mtime == int(st.st_mtime)
    assert info.body is None
