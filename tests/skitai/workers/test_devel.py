"""Which process reloads in place, the union of the mounts' reload targets and
the in-place reloader watching real files on a real loop."""

import asyncio
import io
import os

import pytest

from skitai.config import Config
from skitai.logs import Logs
from skitai.workers.devel import InPlaceReloader, in_place_enabled, reload_targets
from skitai.workers.reload import ENV_RELOAD_MANIFEST, read_manifest

SUPERVISED = {ENV_RELOAD_MANIFEST: "/tmp/manifest.json"}


class ReloadableMount:
    """A mount with the two optional ``--devel`` methods."""

    def __init__(self, *paths):
        self.paths = list(paths)
        self.reloaded = []

    def reload_targets(self):
        return self.paths

    def reload(self, path):
        self.reloaded.append(path)


@pytest.mark.parametrize(
    "config, environ, expected",
    [
        (Config(reload=True), SUPERVISED, True),
        (Config(reload=True), {}, False),  # --devel daemon: nobody supervises
        (Config(reload=False), SUPERVISED, False),
        (Config(reload=True, workers=2), SUPERVISED, False),  # a master re-forks old code
    ],
)
def test_in_place_reload_runs_only_in_the_supervised_single_worker(config, environ, expected):
    assert in_place_enabled(config, environ) is expected


def test_targets_join_every_mount_that_lists_a_file(tmp_path):
    first = ReloadableMount(str(tmp_path / "a.py"), str(tmp_path / "b.py"))
    second = ReloadableMount(str(tmp_path / "b.py"))
    targets = reload_targets([first, second, object()])
    assert targets == {
        os.path.realpath(tmp_path / "a.py"): [first],
        os.path.realpath(tmp_path / "b.py"): [first, second],
    }


def test_a_mount_without_reload_lists_nothing(tmp_path):
    class ListsOnly:
        def reload_targets(self):
            return [str(tmp_path / "a.py")]

    assert reload_targets([ListsOnly()]) == {}


# -- the reloader on a real loop and real files ------------------------------------
class BrokenMount(ReloadableMount):
    def reload(self, path):
        raise SyntaxError("invalid syntax")


def run_reloader(tmp_path, monkeypatch, mount, scenario):
    """Run an InPlaceReloader over ``mount`` and ``scenario(reloader, stopped)``
    (a coroutine) beside it; returns the reloader."""
    manifest = tmp_path / "manifest.json"
    monkeypatch.setenv(ENV_RELOAD_MANIFEST, str(manifest))
    logs = Logs(Config(), stream=io.StringIO())

    async def main():
        stopped = asyncio.Event()
        reloader = InPlaceReloader([mount], logs, on_failure=stopped.set)
        reloader.start()
        try:
            await asyncio.wait_for(scenario(manifest, stopped), 20)
        finally:
            await reloader.stop()
        return reloader

    return asyncio.run(main())


async def until(predicate):
    while not predicate():
        await asyncio.sleep(0.02)


def test_reloader_announces_targets_then_reloads_a_changed_one(tmp_path, monkeypatch):
    source = tmp_path / "pages.py"
    source.write_text("A = 1\n")
    mount = ReloadableMount(str(source))

    async def scenario(manifest, stopped):
        await until(lambda: read_manifest(str(manifest)) == {os.path.realpath(source)})
        source.write_text("A = 2\n")
        await until(lambda: mount.reloaded)

    reloader = run_reloader(tmp_path, monkeypatch, mount, scenario)
    assert mount.reloaded == [os.path.realpath(source)]
    assert not reloader.failed
    assert not (tmp_path / "manifest.json").exists()  # stopped: no more promises


def test_a_failed_reload_clears_the_manifest_and_stops_the_worker(tmp_path, monkeypatch):
    source = tmp_path / "pages.py"
    source.write_text("A = 1\n")

    async def scenario(manifest, stopped):
        await until(lambda: read_manifest(str(manifest)))
        source.write_text("A = \n")
        await stopped.wait()
        assert read_manifest(str(manifest)) == frozenset()

    reloader = run_reloader(tmp_path, monkeypatch, BrokenMount(str(source)), scenario)
    assert reloader.failed


def test_a_change_to_a_dropped_target_asks_for_a_fresh_worker(tmp_path, monkeypatch):
    pages, more = tmp_path / "pages.py", tmp_path / "more.py"
    pages.write_text("")
    more.write_text("")
    mount = ReloadableMount(str(pages), str(more))

    async def scenario(manifest, stopped):
        await until(lambda: len(read_manifest(str(manifest))) == 2)
        mount.paths = [str(pages)]  # as if the reload of pages.py unmounted more.py
        pages.write_text("# edited\n")
        await until(lambda: read_manifest(str(manifest)) == {os.path.realpath(pages)})
        more.write_text("# edited\n")
        await stopped.wait()

    reloader = run_reloader(tmp_path, monkeypatch, mount, scenario)
    assert reloader.failed


# -- the page a --devel server answers with while its code does not start ----------
def test_error_page_shows_the_innermost_frame_and_the_whole_output():
    from skitai.workers.error_page import render

    output = (
        "[error] skitai: cannot mount 'app.py' on '/': '[' was never closed (app.py, line 3)\n"
        "Traceback (most recent call last):\n"
        '  File "/srv/site/skitai_glue.py", line 10, in resolve\n'
        "    load()\n"
        '  File "/srv/site/app.py", line 3\n'
        '    return [b"<ok>"\n'
        "           ^\n"
        "SyntaxError: '[' was never closed\n"
    )
    page = render(output, 2)
    assert "<h2>SyntaxError: &#x27;[&#x27; was never closed</h2>" in page
    assert "<p>in /srv/site/app.py, line 3</p>" in page
    assert "return [b&quot;&lt;ok&gt;&quot;\n           ^" in page  # escaped, caret kept under the code
    assert "cannot mount" in page and "skitai_glue.py" in page
