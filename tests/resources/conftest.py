"""Session-wide real database servers for the resource tests."""

from __future__ import annotations

import pytest
from db_servers import PostgresServer, RedisServer


@pytest.fixture(scope="session")
def postgres():
    server = PostgresServer().init()
    yield server
    server.close()


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer().start()
    yield server
    server.close()
