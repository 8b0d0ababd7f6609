"""StaticMount answers: files, directories, methods, headers, caching, fall-through."""

from __future__ import annotations

import asyncio
import inspect
import os
from typing import Any

import pytest

from skitai.contract import NOT_FOUND, Mount
from skitai.static.mount import StaticMount
from skitai.testing import MemoryResponder, call_mount, make_request


class RecordingResponder(MemoryResponder):
    """Counts the calls, to check which sending path the mount took."""

    def __init__(self) -> None:
        super().__init__()
        self.respond_calls = 0
        self.sendfile_calls: list[tuple[int, int]] = []

    def respond(self, status: int, headers: Any, body: bytes = b"") -> None:
        self.respond_calls += 1
        super().respond(status, headers, body)

    async def sendfile(self, file: Any, offset: int, count: int) -> None:
        self.sendfile_calls.append((offset, count))
        await super().sendfile(file, offset, count)


def test_is_a_mount_tried_before_apps(mount: StaticMount) -> None:
    assert isinstance(mount, Mount)
    assert mount.priority == 0
    assert mount.prefix == "/static"


def test_missing_root_is_a_clear_error(tmp_path: Any) -> None:
    with pytest.raises(NotADirectoryError, match="not a directory"):
        StaticMount("/static", str(tmp_path / "nope"))


def test_small_file_is_served_with_representation_headers(fetch: Any) -> None:
    response = fetch("/static/hello.txt")
    assert response.status == 200
    assert response.body == b"hello world\n"
    assert response.header("content-type") == "text/plain; charset=utf-8"
    assert response.header("accept-ranges") == "bytes"
    assert response.header("etag").startswith('"')
    assert response.header("last-modified").endswith(" GMT")
    assert response.header("cache-control") is None


@pytest.mark.parametrize(
    "name, content_type",
    [
        ("css/site.css", "text/css; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
        ("data.bin", "application/octet-stream"),
    ],
)
def test_content_type_follows_the_extension(fetch: Any, name: str, content_type: str) -> None:
    assert fetch("/static/" + name, method="HEAD").header("content-type") == content_type


def test_small_file_is_answered_synchronously_in_one_call(mount: StaticMount) -> None:
    responder = RecordingResponder()
    result = mount.handle(make_request("GET", "/static/hello.txt", script_name="/static"), responder)
    assert result is None
    assert responder.respond_calls == 1
    assert responder.body == b"hello world\n"


def test_large_file_is_sent_with_sendfile_and_content_length(mount: StaticMount, tree: Any) -> None:
    responder = RecordingResponder()
    result = mount.handle(make_request("GET", "/static/data.bin", script_name="/static"), responder)
    assert inspect.iscoroutine(result)
    asyncio.run(result)
    assert responder.status == 200
    assert responder.sendfile_calls == [(0, len(tree.large))]
    assert responder.header("content-length") == str(len(tree.large))
    assert responder.body == tree.large
    assert responder.ended


@pytest.mark.parametrize("name", ["hello.txt", "data.bin", "docs/"])
def test_head_has_the_same_headers_as_get(fetch: Any, name: str) -> None:
    get = fetch("/static/" + name)
    head = fetch("/static/" + name, method="HEAD")
    assert head.status == get.status == 200
    assert head.headers == get.headers


def test_head_of_large_file_sends_no_body(mount: StaticMount) -> None:
    responder = RecordingResponder()
    result = mount.handle(make_request("HEAD", "/static/data.bin", script_name="/static"), responder)
    assert result is None
    assert responder.sendfile_calls == []
    assert responder.ended


def test_directory_serves_its_index(fetch: Any) -> None:
    response = fetch("/static/docs/")
    assert response.status == 200
    assert response.body == b"<h1>docs</h1>"


def test_directory_without_slash_redirects_to_slash_form(fetch: Any) -> None:
    response = fetch("/static/docs?x=1")
    assert response.status == 301
    assert response.header("location") == "/static/docs/?x=1"


def test_mount_root_without_slash_redirects(fetch: Any) -> None:
    response = fetch("/static")
    assert response.status == 301
    assert response.header("location") == "/static/"


def test_redirect_location_is_never_protocol_relative(fetch: Any, tree: Any) -> None:
    (tree.root / "evil.example").mkdir()
    (tree.root / "evil.example" / "index.html").write_bytes(b"x")
    response = fetch("//evil.example", on=StaticMount("", str(tree.root)))
    assert response.status == 301
    assert response.header("location") == "/evil.example/"


def test_directory_without_index_falls_through(fetch: Any) -> None:
    assert fetch("/static/empty_dir/") is None
    assert fetch("/static/empty_dir") is None


def test_missing_file_falls_through_to_the_next_mount(mount: StaticMount) -> None:
    request = make_request("GET", "/static/nope.js", script_name="/static")
    assert mount.handle(request, MemoryResponder()) is NOT_FOUND


def test_file_with_trailing_slash_is_not_found(fetch: Any) -> None:
    assert fetch("/static/hello.txt/") is None


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
def test_other_methods_get_405_with_allow(fetch: Any, method: str) -> None:
    response = fetch("/static/hello.txt", method=method)
    assert response.status == 405
    assert response.header("allow") == "GET, HEAD"


def test_other_methods_on_missing_file_fall_through(fetch: Any) -> None:
    assert fetch("/static/upload", method="POST") is None


def test_get_with_a_body_is_served(mount: StaticMount) -> None:
    request = make_request("GET", "/static/hello.txt", body=b"ignored", script_name="/static")
    assert call_mount(mount, request).body == b"hello world\n"


def test_fifo_is_never_opened(fetch: Any, tree: Any) -> None:
    os.mkfifo(tree.root / "pipe")
    assert fetch("/static/pipe") is None


def test_unreadable_file_is_forbidden(fetch: Any, tree: Any, monkeypatch: Any) -> None:
    path = tree.root / "locked.txt"
    path.write_bytes(b"locked")
    path.chmod(0)
    if os.access(path, os.R_OK):
        # NOTE: root reads any file, so the kernel's refusal is injected where
        # the mount opens files; the mount's own handling is what is tested.
        real_open = os.open

        def refusing_open(name: Any, *args: Any, **kwargs: Any) -> int:
            if os.fspath(name).endswith("locked.txt"):
                raise PermissionError(13, "Permission denied", os.fspath(name))
            return real_open(name, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing_open)
    assert fetch("/static/locked.txt").status == 403


def test_max_age_uses_the_longest_matching_prefix(tree: Any, fetch: Any) -> None:
    mount = StaticMount("/static", str(tree.root), max_ages=[("/static", 60), ("/static/css", 3600)])
    assert fetch("/static/hello.txt", on=mount).header("cache-control") == "max-age=60"
    assert fetch("/static/css/site.css", on=mount).header("cache-control") == "max-age=3600"


def test_max_age_prefix_matches_whole_segments(tree: Any, fetch: Any) -> None:
    mount = StaticMount("/static", str(tree.root), max_ages=[("/static/css", 3600)])
    (tree.root / "cssx").write_bytes(b"x")
    assert fetch("/static/cssx", on=mount).header("cache-control") is None


def test_set_max_age_after_mounting_replaces_the_rule(mount: StaticMount, fetch: Any) -> None:
    mount.set_max_age("/static/", 10)
    mount.set_max_age("/static", 20)
    assert fetch("/static/hello.txt").header("cache-control") == "max-age=20"


@pytest.mark.parametrize("seconds", [-1, 1.5, "60", True])
def test_bad_max_age_is_refused(mount: StaticMount, seconds: Any) -> None:
    with pytest.raises(ValueError, match="max age"):
        mount.set_max_age("/static", seconds)


def test_changed_file_is_never_served_stale(fetch: Any, tree: Any) -> None:
    path = tree.root / "hello.txt"
    first = fetch("/static/hello.txt")
    path.write_bytes(b"changed!!!!!")  # same length as before
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = fetch("/static/hello.txt")
    assert second.body == b"changed!!!!!"
    assert second.header("etag") != first.header("etag")


def test_replaced_file_with_same_time_and_size_is_reread(fetch: Any, tree: Any) -> None:
    path = tree.root / "hello.txt"
    stat = path.stat()
    fetch("/static/hello.txt")
    replacement = tree.root / "new.tmp"
    replacement.write_bytes(b"HELLO WORLD\n")
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, path)
    assert fetch("/static/hello.txt").body == b"HELLO WORLD\n"


def test_empty_file_is_served(fetch: Any) -> None:
    response = fetch("/static/empty.txt")
    assert response.status == 200
    assert response.body == b""
