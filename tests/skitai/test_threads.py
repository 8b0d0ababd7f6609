"""The worker's thread pool: results and errors reach the loop, threads are bounded."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from skitai.threads import ThreadPool


def test_results_and_errors_reach_the_awaiting_coroutine() -> None:
    async def main() -> tuple[int, str]:
        pool = ThreadPool(asyncio.get_running_loop(), 2)
        value = await pool.submit(lambda a, b: a + b, 2, 3)
        with pytest.raises(ZeroDivisionError):
            await pool.submit(lambda: 1 / 0)
        name = await pool.submit(lambda: threading.current_thread().name)
        pool.shutdown()
        return value, name

    value, name = asyncio.run(main())
    assert value == 5 and name.startswith("skitai-")


def test_never_more_threads_than_its_size() -> None:
    seen: set[str] = set()
    lock = threading.Lock()

    def job() -> None:
        with lock:
            seen.add(threading.current_thread().name)
        time.sleep(0.01)

    async def main() -> None:
        pool = ThreadPool(asyncio.get_running_loop(), 3)
        await asyncio.gather(*(pool.submit(job) for _ in range(30)))
        pool.shutdown()

    asyncio.run(main())
    assert 1 <= len(seen) <= 3


def test_jobs_run_concurrently() -> None:
    barrier = threading.Barrier(2, timeout=5)

    async def main() -> None:
        pool = ThreadPool(asyncio.get_running_loop(), 2)
        await asyncio.gather(pool.submit(barrier.wait), pool.submit(barrier.wait))
        pool.shutdown()

    asyncio.run(main())


def test_submit_after_shutdown_is_refused() -> None:
    async def main() -> None:
        pool = ThreadPool(asyncio.get_running_loop(), 1)
        pool.shutdown()
        with pytest.raises(RuntimeError):
            pool.submit(print)

    asyncio.run(main())


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ThreadPool(asyncio.new_event_loop(), 0)


def test_a_burst_submitted_in_one_iteration_all_resolve_in_order_of_their_futures() -> None:
    async def main() -> list[int]:
        pool = ThreadPool(asyncio.get_running_loop(), 3)
        results = await asyncio.gather(*(pool.submit(lambda n=n: n * n) for n in range(500)))
        pool.shutdown()
        return list(results)

    assert asyncio.run(main()) == [n * n for n in range(500)]


def test_submit_from_another_thread_reaches_the_pool() -> None:
    async def main() -> int:
        loop = asyncio.get_running_loop()
        pool = ThreadPool(loop, 2)
        box: list[asyncio.Future[int]] = []
        other = threading.Thread(target=lambda: box.append(pool.submit(lambda: 42)))
        other.start()
        await loop.run_in_executor(None, other.join)
        value = await box[0]
        pool.shutdown()
        return value

    assert asyncio.run(main()) == 42
