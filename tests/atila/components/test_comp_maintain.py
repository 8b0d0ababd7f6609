import asyncio
import logging
import threading

import pytest

from atila.tasks import Maintainer


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=10))


def test_jobs_run_every_interval_ticks_with_context_now_count():
    maintainer = Maintainer()
    calls = []

    @maintainer.maintain(2)
    def every_second_tick(context, now, count):
        calls.append((context, count, isinstance(now, float)))

    maintainer._context_factory = lambda: "ctx"
    for _ in range(5):
        maintainer.tick()
    assert calls == [("ctx", 2, True), ("ctx", 4, True)]


def test_ticker_started_on_the_loop_runs_jobs_with_a_short_interval():
    maintainer = Maintainer()
    counts = []
    done = None

    @maintainer.maintain
    async def job(context, now, count):
        counts.append(count)
        if len(counts) == 3:
            done.set()

    async def main():
        nonlocal done
        done = asyncio.Event()
        maintainer.start(lambda: None, base_interval=0.01)
        assert maintainer.running
        await asyncio.wait_for(done.wait(), 5)
        await maintainer.stop()
        assert not maintainer.running

    run(main())
    assert counts[:3] == [1, 2, 3]


def test_threading_jobs_run_in_the_given_thread_runner():
    maintainer = Maintainer()
    threads = []

    @maintainer.maintain(1, threading=True)
    def job(context, now, count):
        threads.append(threading.current_thread())

    async def main():
        loop = asyncio.get_running_loop()
        maintainer.start(run_in_thread=lambda f, *a: loop.run_in_executor(None, f, *a), base_interval=3600)
        futures = maintainer.tick()
        await asyncio.wait(futures, timeout=5)
        await maintainer.stop()

    run(main())
    assert threads and threads[0] is not threading.main_thread()


def test_sync_job_without_threading_runs_on_the_loop_thread():
    maintainer = Maintainer()
    threads = []
    maintainer.maintain(1, threading=False)(lambda c, n, k: threads.append(threading.current_thread()))

    async def main():
        maintainer.tick()

    run(main())
    assert threads == [threading.main_thread()]


def test_failing_job_is_logged_and_runs_again(caplog):
    maintainer = Maintainer()
    calls = []

    @maintainer.maintain
    def broken(context, now, count):
        calls.append(count)
        raise RuntimeError("maintenance boom")

    with caplog.at_level(logging.ERROR, logger="atila.maintain"):
        maintainer.tick()
        maintainer.tick()
    assert calls == [1, 2]
    assert "maintenance boom" in caplog.text


def test_job_still_running_is_skipped_not_stacked():
    maintainer = Maintainer()
    started = []
    release = None

    @maintainer.maintain
    async def slow(context, now, count):
        started.append(count)
        await release.wait()

    async def main():
        nonlocal release
        release = asyncio.Event()
        first = maintainer.tick()
        await asyncio.sleep(0)
        assert maintainer.tick() == []
        release.set()
        await asyncio.wait(first, timeout=5)
        assert len(maintainer.tick()) == 1
        release.set()
        await maintainer.stop()

    run(main())
    assert started == [1, 3]


def test_job_names_must_be_unique():
    maintainer = Maintainer()

    @maintainer.maintain(10)
    def maintain_num_nodes(context, now, count): ...

    with pytest.raises(ValueError, match="maintain_num_nodes.*unique"):
        maintainer.maintain(5)(maintain_num_nodes)


@pytest.mark.parametrize("interval", [0, -1, 1.5, "10", True])
def test_bad_interval_is_refused(interval):
    with pytest.raises(ValueError, match="positive int"):
        Maintainer().add(lambda c, n, k: None, interval=interval)


def test_bad_base_interval_is_refused():
    async def main():
        with pytest.raises(ValueError, match="MAINTAIN_INTERVAL"):
            Maintainer().start(base_interval=0)

    run(main())


def test_job_taking_fewer_arguments_gets_only_those():
    maintainer = Maintainer()
    calls = []

    @maintainer.maintain
    def context_only(context):
        calls.append(("one", context))

    @maintainer.maintain
    def context_and_now(context, now=None):
        calls.append(("two", isinstance(now, float)))

    maintainer._context_factory = lambda: "ctx"
    maintainer.tick()
    assert calls == [("one", "ctx"), ("two", True)]


def test_job_that_cannot_take_the_context_is_refused_at_registration():
    maintainer = Maintainer()
    with pytest.raises(TypeError, match="must take"):
        maintainer.add(lambda: None, name="no_args")
