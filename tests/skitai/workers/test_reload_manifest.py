"""The supervisor's restart decision and the manifest the child writes."""

import pytest

from skitai.workers.reload import (
    ENV_RELOAD_MANIFEST,
    clear_manifest,
    drop_bytecode,
    read_manifest,
    restart_needed,
    write_manifest,
)

PAGES = "/app/myapp/services/pages.py"
USERS = "/app/myapp/services/users.py"
ROOT = "/app/myapp/__init__.py"


def test_changes_all_reloaded_in_place_need_no_restart():
    assert not restart_needed([PAGES, USERS], {PAGES, USERS}, child_running=True)


def test_a_change_outside_the_manifest_restarts():
    assert restart_needed([PAGES, ROOT], {PAGES, USERS}, child_running=True)


def test_an_empty_manifest_restarts_on_any_change():
    assert restart_needed([PAGES], frozenset(), child_running=True)


def test_a_dead_child_restarts_even_for_a_reloadable_file():
    assert restart_needed([PAGES], {PAGES}, child_running=False)


def test_no_change_needs_no_restart():
    assert not restart_needed([], frozenset(), child_running=False)


def test_paths_are_compared_resolved(tmp_path):
    real = tmp_path / "pages.py"
    real.write_text("")
    (tmp_path / "link.py").symlink_to(real)
    assert not restart_needed([str(tmp_path / "link.py")], {str(real)}, child_running=True)


def test_manifest_round_trip_and_clear(tmp_path, monkeypatch):
    manifest = tmp_path / "manifest.json"
    monkeypatch.setenv(ENV_RELOAD_MANIFEST, str(manifest))
    write_manifest([str(tmp_path / "b.py"), str(tmp_path / "a.py")])
    assert read_manifest(str(manifest)) == {str(tmp_path / "a.py"), str(tmp_path / "b.py")}
    clear_manifest()
    assert read_manifest(str(manifest)) == frozenset()


@pytest.mark.parametrize("content", ["", "{not json", '{"a": 1}', "[1, 2]"])
def test_unreadable_manifest_promises_nothing(tmp_path, content):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(content)
    assert read_manifest(str(manifest)) == frozenset()


def test_manifest_is_not_written_when_not_supervised(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_RELOAD_MANIFEST, raising=False)
    monkeypatch.chdir(tmp_path)
    write_manifest([str(tmp_path / "a.py")])
    assert list(tmp_path.iterdir()) == []


def test_drop_bytecode_removes_the_cached_module(tmp_path):
    import importlib.util
    import py_compile

    source = tmp_path / "mod.py"
    source.write_text("X = 1\n")
    cached = importlib.util.cache_from_source(str(source))
    py_compile.compile(str(source), cfile=cached)
    drop_bytecode([str(source)])
    assert not (tmp_path / "__pycache__" / cached.rsplit("/", 1)[-1]).exists()
