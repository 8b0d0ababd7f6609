"""Fixtures for the security unit tests."""

from __future__ import annotations

import pytest
from security_helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
