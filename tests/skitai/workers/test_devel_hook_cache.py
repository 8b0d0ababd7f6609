"""An in-place reload must let the old module's hooks go: the hook-signature
cache used to keep every reloaded version (and its module globals) alive."""

import gc
import importlib
import sys
import weakref

from atila.testing import AppTestClient

ROOT = """
from atila import Atila


def __app__():
    return Atila(__name__)


def __setup__(context, app):
    from . import pages
    app.mount("/", pages)
"""

PAGES = """
def __mount__(context, app):
    @app.route("/page")
    def page(context):
        return "VERSION"
"""


def test_reloading_a_module_frees_its_old_hooks(tmp_path, monkeypatch):
    package = tmp_path / "hookcachepkg"
    package.mkdir()
    (package / "__init__.py").write_text(ROOT)
    (package / "pages.py").write_text(PAGES.replace("VERSION", "v1"))
    monkeypatch.syspath_prepend(str(tmp_path))
    root = importlib.import_module("hookcachepkg")
    try:
        with AppTestClient(root, approot=str(tmp_path)) as client:
            assert client.get("/page").text == "v1"
            pages = sys.modules["hookcachepkg.pages"]
            old_hook = weakref.ref(pages.__mount__)
            (package / "pages.py").write_text(PAGES.replace("VERSION", "v2"))
            importlib.invalidate_caches()
            client.app.reload(pages.__file__)
            assert client.get("/page").text == "v2"
            gc.collect()
            still_alive = old_hook() is not None  # (not inside assert: pytest would keep it)
            assert not still_alive
    finally:
        for name in [name for name in sys.modules if name.startswith("hookcachepkg")]:
            del sys.modules[name]
