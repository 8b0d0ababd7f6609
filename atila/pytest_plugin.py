"""The pytest plugin an installed project registers (entry point ``pytest11``).

It brings ``--docs`` (:mod:`atila.pytest_hooks`) to every project without a
conftest import.  The ``launch`` and ``client`` fixtures stay with the star
import (``from atila.pytest_hooks import *``): a plugin every installed project
loads must not impose generic fixture names (``client``) that other plugins
(pytest-django) also define.
"""

from __future__ import annotations

from .pytest_hooks import pytest_addoption, pytest_configure, pytest_sessionfinish, pytest_unconfigure

__all__ = ["pytest_addoption", "pytest_configure", "pytest_unconfigure", "pytest_sessionfinish"]
