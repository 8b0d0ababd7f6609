"""How loudly a failing ASGI lifespan is reported (uvicorn's ``auto`` mode)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from mount_helpers import Engine

from skitai.mounts.asgi import ASGIMount


def test_app_without_lifespan_is_logged_at_info_with_the_traceback(caplog: pytest.LogCaptureFixture) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise ValueError(f"cannot handle {scope['type']}")

    engine = Engine()

    async def main() -> None:
        mount = ASGIMount("", app)
        await mount.startup(engine)
        await mount.shutdown()

    with caplog.at_level(logging.INFO, logger="skitai.mounts.asgi"):
        asyncio.run(main())
    (record,) = [r for r in caplog.records if "lifespan" in r.getMessage()]
    assert record.levelno == logging.INFO and "does not support the lifespan protocol" in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], ValueError)
    assert engine.errors == []


def test_lifespan_that_crashes_after_joining_goes_to_the_error_log() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        raise RuntimeError("database unreachable")

    engine = Engine()

    async def main() -> None:
        mount = ASGIMount("", app)
        await mount.startup(engine)
        await mount.shutdown()

    asyncio.run(main())
    assert len(engine.errors) == 1 and "crashed" in engine.errors[0]
