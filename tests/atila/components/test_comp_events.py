import asyncio
import logging
import threading

import pytest

from atila.events import Event, EventBus, EventHub, canonical, request_failed


class Ctx:
    def __init__(self, label: str) -> None:
        self.label = label


def test_sync_listeners_run_in_order_with_context_first():
    bus = EventBus("a", context_factory=lambda: Ctx("app"))
    seen = []

    @bus.on("custom-event")
    def first(context, detail):
        seen.append(("first", context.label, detail))

    @bus.on("custom-event")
    def second(context, detail):
        seen.append(("second", context.label, detail))

    assert bus.emit("custom-event", "x") == 2
    assert seen == [("first", "app", "x"), ("second", "app", "x")]


def test_emit_with_passes_the_given_context_and_kwargs():
    bus = EventBus()
    seen = []
    bus.on("e")(lambda context, *, who: seen.append((context.label, who)))
    bus.emit_with(Ctx("request"), "e", who="me")
    assert seen == [("request", "me")]


def test_failing_listener_is_logged_and_does_not_stop_others(caplog):
    bus = EventBus()
    seen = []

    @bus.on("e")
    def broken(context):
        raise ValueError("boom")

    @bus.on("e")
    def fine(context):
        seen.append("fine")

    with caplog.at_level(logging.ERROR, logger="atila.events"):
        assert bus.emit("e") == 2
    assert seen == ["fine"]
    assert "broken" in caplog.text and "boom" in caplog.text


def test_short_dotted_enum_and_legacy_names_are_one_event():
    bus = EventBus()
    seen = []
    bus.on("before_mount")(lambda c: seen.append(1))
    bus.on(Event.BEFORE_MOUNT)(lambda c: seen.append(2))
    bus.on("app_starting")(lambda c: seen.append(3))
    bus.emit(Event.BEFORE_MOUNT)
    bus.emit("app.before_mount")
    assert seen == [1, 2, 3, 1, 2, 3]
    assert canonical(request_failed) == canonical("failed_request")


def test_unknown_name_is_a_custom_event():
    assert canonical("user-updated") == "user-updated"
    with pytest.raises(TypeError):
        canonical("")


def test_async_listener_is_scheduled_on_the_running_loop():
    bus = EventBus()
    seen = []

    @bus.on("e")
    async def listener(context, value):
        await asyncio.sleep(0)
        seen.append(value)

    async def main():
        bus.emit("e", 5)
        assert seen == []  # scheduled, not awaited by the sender
        await bus.wait_pending(timeout=5)

    asyncio.run(main())
    assert seen == [5]


def test_async_listener_emitted_from_a_thread_runs_on_the_bound_loop():
    bus = EventBus()
    loops = []

    @bus.on("e")
    async def listener(context):
        loops.append(asyncio.get_running_loop())

    async def main():
        bus.bind_loop(asyncio.get_running_loop())
        thread = threading.Thread(target=bus.emit, args=("e",))
        thread.start()
        await asyncio.get_running_loop().run_in_executor(None, thread.join, 5)
        await bus.wait_pending(timeout=5)
        return asyncio.get_running_loop()

    loop = asyncio.run(main())
    assert loops == [loop]


def test_failing_async_listener_is_logged(caplog):
    bus = EventBus()

    @bus.on("e")
    async def broken(context):
        raise RuntimeError("async boom")

    async def main():
        bus.emit("e")
        await bus.wait_pending(timeout=5)
        await asyncio.sleep(0)

    with caplog.at_level(logging.ERROR, logger="atila.events"):
        asyncio.run(main())
    assert "async boom" in caplog.text


def test_async_listener_without_any_loop_still_runs():
    bus = EventBus()
    seen = []

    @bus.on("e")
    async def listener(context):
        seen.append("ran")

    bus.emit("e")
    assert seen == ["ran"]


def test_subscriber_receives_other_apps_events_under_its_name():
    hub = EventHub()
    tf = EventBus("tfserver", hub=hub, context_factory=lambda: Ctx("tf"))
    mine = EventBus("myapp", hub=hub, context_factory=lambda: Ctx("mine"))
    mine.subscribe(["tfserver"])
    seen = []
    mine.on("tfserver:model-reloaded")(lambda c, model: seen.append((c.label, model)))
    mine.on("tfserver:mounted")(lambda c: seen.append((c.label, "mounted")))

    tf.emit("model-reloaded", "resnet")
    tf.emit(Event.MOUNTED)
    assert seen == [("mine", "resnet"), ("mine", "mounted")]


def test_unsubscribed_app_does_not_receive_other_apps_events():
    hub = EventHub()
    tf = EventBus("tfserver", hub=hub)
    other = EventBus("other", hub=hub)
    seen = []
    other.on("tfserver:model-reloaded")(lambda c, m: seen.append(m))
    other.on("model-reloaded")(lambda c, m: seen.append(m))
    tf.emit("model-reloaded", "x")
    assert seen == []


def test_broadcast_reaches_every_app_listening():
    hub = EventHub()
    users, photos = EventBus("users", hub=hub), EventBus("photos", hub=hub)
    seen = []
    photos.on("user:data-added")(lambda c, uid: seen.append(("photos", uid)))
    users.on("user:data-added")(lambda c, uid: seen.append(("users", uid)))
    assert hub.broadcast("user:data-added", 3) == 2
    assert sorted(seen) == [("photos", 3), ("users", 3)]


def test_emit_after_emits_once_the_function_returns():
    bus = EventBus()
    seen = []
    bus.on("user-updated")(lambda c: seen.append(("event", c.label)))

    @bus.emit_after("user-updated")
    def users(context, uid):
        seen.append(("route", uid))
        return "done"

    assert users(Ctx("req"), 1) == "done"
    assert seen == [("route", 1), ("event", "req")]
    assert users.__wrapped__.__name__ == "users"


def test_emit_after_chains_and_works_for_async_functions():
    bus = EventBus()
    seen = []

    @bus.on("photo-updated")
    def photo_updated(context):
        seen.append("photo")

    @bus.on("user-updated")
    @bus.emit_after("photo-updated")
    def user_updated(context):
        seen.append("user")

    @bus.emit_after("user-updated")
    async def users(context):
        seen.append("route")
        return 1

    assert asyncio.run(users(Ctx("r"))) == 1
    assert seen == ["route", "user", "photo"]


def test_emit_after_does_not_emit_when_the_function_raises():
    bus = EventBus()
    seen = []
    bus.on("e")(lambda c: seen.append("e"))

    @bus.emit_after("e")
    def failing(context):
        raise KeyError("x")

    with pytest.raises(KeyError):
        failing(Ctx("r"))
    assert seen == []


def test_non_callable_listener_is_refused():
    with pytest.raises(TypeError, match="must be callable"):
        EventBus().add_listener("e", "not a function")
