"""No spelling of a path may reach a file outside the static root."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from skitai.static.mount import StaticMount

Fetch = Callable[..., Any]
Tree = Any

TRAVERSALS = [
    "/static/../secret.txt",
    "/static/css/../../secret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2E%2E/secret.txt",
    "/static/.%2e/secret.txt",
    "/static/..%2fsecret.txt",
    "/static/..%2Fsecret.txt",
    "/static/%2e%2e%2fsecret.txt",
    "/static/..\\secret.txt",
    "/static/..%5csecret.txt",
    "/static/css%5c..%5c..%5csecret.txt",
    "/static/hello.txt%00.png",
    "/static/%00../secret.txt",
    "/static/%c0%ae%c0%ae/secret.txt",
    "/static/%c0%ae%c0%ae%c0%afsecret.txt",
    "/static/%e0%80%ae%e0%80%ae/secret.txt",
    "/static/leak.txt",
    "/static/outdir/secret.txt",
    "/static/trapdir/",
    "/static/trapdir/index.html",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_traversal_spelling_is_refused(fetch: Fetch, refused: Any, target: str) -> None:
    refused(fetch(target))


@pytest.mark.parametrize("target", TRAVERSALS)
def test_traversal_spelling_is_refused_for_head(fetch: Fetch, refused: Any, target: str) -> None:
    refused(fetch(target, method="HEAD"))


def test_absolute_path_stays_under_root(fetch: Fetch, refused: Any, tree: Tree) -> None:
    # "//tmp/.../secret.txt" names a file under the root, not the absolute path.
    refused(fetch("/static/" + str(tree.secret)))
    refused(fetch("/static//" + str(tree.secret)))


def test_absolute_path_on_root_mount_stays_under_root(tree: Tree, fetch: Fetch, refused: Any) -> None:
    root_mount = StaticMount("", str(tree.root))
    refused(fetch("/" + str(tree.secret), on=root_mount))
    refused(fetch("//" + str(tree.secret), on=root_mount))


def test_double_encoded_dots_stay_literal(fetch: Fetch) -> None:
    # %252e%252e decodes once to the literal name "%2e%2e", a folder inside the root.
    response = fetch("/static/%252e%252e/secret.txt")
    assert response is not None
    assert response.status == 200
    assert response.body == b"literal percent folder"


def test_double_encoded_dots_without_literal_folder_are_not_found(fetch: Fetch) -> None:
    assert fetch("/static/css/%252e%252e/%252e%252e/secret.txt") is None


def test_symlink_inside_root_is_served(fetch: Fetch) -> None:
    response = fetch("/static/alias.txt")
    assert response is not None and response.body == b"hello world\n"


def test_root_outside_symlink_target_through_dir_symlink_is_refused(fetch: Fetch) -> None:
    assert fetch("/static/outdir/") is None
