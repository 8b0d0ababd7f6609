"""Testing helpers: in-memory mount calls and the real-process test client."""

from .client import TestClient
from .memory import MemoryResponder, call_mount, make_request

__all__ = ["MemoryResponder", "TestClient", "call_mount", "make_request"]
