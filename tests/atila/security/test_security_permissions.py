from __future__ import annotations

import asyncio

import pytest

from atila.security.errors import SecurityError
from atila.security.permissions import PermissionRule, check_outcome, guard


def test_base_permissions_without_params():
    assert PermissionRule(["user"]).required("GET", {}) == ["user"]


def test_param_me_uses_base_permissions():
    assert PermissionRule([], uid=["staff"]).required("GET", {"uid": "me"}) == []


@pytest.mark.parametrize("value", [4, "new", "notme"])
def test_param_other_than_me_needs_param_permissions(value):
    assert PermissionRule([], uid=["staff"]).required("GET", {"uid": value}) == ["staff"]


def test_method_rule_wins():
    rule = PermissionRule(["user"], id=["staff"], DELETE=["admin"])
    assert rule.required("DELETE", {"id": 100}) == ["admin"]
    assert rule.required("DELETE", {"id": "me"}) == ["admin"]
    assert rule.required("POST", {"id": 100}) == ["staff"]


@pytest.mark.parametrize("method", ["DELETE", "POST", "PATCH", "PUT"])
def test_notme_on_unsafe_methods_is_421(method):
    with pytest.raises(SecurityError) as info:
        PermissionRule(uid=["staff"]).required(method, {"uid": "notme"})
    assert info.value.status == 421


def test_notme_on_any_path_param_is_421():
    with pytest.raises(SecurityError):
        PermissionRule().required("DELETE", {"uid": "notme"}, path_params=["uid"])


def test_notme_in_a_non_path_value_is_not_421():
    assert PermissionRule().required("POST", {"comment": "notme"}) == []


@pytest.mark.parametrize("result", [None, True])
def test_outcome_continue(result):
    assert check_outcome(result, "check") is None


def test_outcome_false_is_403():
    with pytest.raises(SecurityError) as info:
        check_outcome(False, "testpass")
    assert info.value.status == 403


def test_outcome_string_is_403_with_message():
    with pytest.raises(SecurityError, match="token expired"):
        check_outcome("token expired", "permission handler")


def test_outcome_response_is_returned():
    response = object()
    assert check_outcome(response, "check") is response


def test_guard_runs_check_first_and_keeps_signature():
    import inspect

    calls = []

    def handler(context, uid, limit=10):
        calls.append(("handler", uid))
        return "ok"

    wrapped = guard(handler, lambda c, a, k: calls.append(("check", k["uid"])))
    assert wrapped("ctx", uid=3) == "ok" and calls == [("check", 3), ("handler", 3)]
    assert list(inspect.signature(wrapped).parameters) == ["context", "uid", "limit"]


def test_guard_returns_check_response_without_calling_handler():
    wrapped = guard(lambda context: "handler", lambda c, a, k: "refusal-response")
    assert wrapped("ctx") == "refusal-response"


def test_guard_async_handler_with_async_check():
    async def handler(context):
        return "ok"

    async def check(context, args, kwargs):
        return None

    wrapped = guard(handler, check)
    assert asyncio.iscoroutinefunction(wrapped) and asyncio.run(wrapped("ctx")) == "ok"


def test_guard_async_check_on_sync_handler_is_a_clear_error():
    async def check(context, args, kwargs):
        return None

    with pytest.raises(TypeError, match="async check"):
        guard(lambda context: "x", check)("ctx")
