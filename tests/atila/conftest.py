"""Fixtures shared by the Atila tests (core harness tests and the seed snippets)."""

from __future__ import annotations

import importlib
import sys
import textwrap

import pytest


@pytest.fixture
def package(tmp_path, monkeypatch):
    """``package(name, {"__init__.py": src, "sub.py": src})`` -> the imported package,
    written under ``tmp_path`` (its modules leave ``sys.modules`` at the end)."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made = []

    def make(name, files):
        root = tmp_path / name
        for relative, source in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source))
        importlib.invalidate_caches()
        made.append(name)
        return importlib.import_module(name)

    yield make
    for name in made:
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[key]
