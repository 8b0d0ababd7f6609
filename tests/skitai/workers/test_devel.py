"""Which process reloads in place, and the union of the mounts' reload targets."""

import os

import pytest

from skitai.config import Config
from skitai.workers.devel import in_place_enabled, reload_targets
from skitai.workers.reload import ENV_RELOAD_MANIFEST

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
