"""Rule: template parsing, optional tails, methods and content types."""

import pytest

from atila.routing import Rule


def handler(context, **kwargs):
    return kwargs


def episode(context, id=None):
    return id


def two(context, a=None, b=None):
    return a, b


def fixed(context, id):
    return id


@pytest.mark.parametrize(
    "template, path, expected",
    [
        ("/documents/<int:doc_id>", "/documents/12", {"doc_id": 12}),
        ("/documents/<int:doc_id>", "/documents/me", {"doc_id": "me"}),
        ("/documents/<int:doc_id>", "/documents/x", None),
        ("/documents/<int:doc_id>", "/documents/12/", None),
        ("/prices/<float:x>", "/prices/9.99", {"x": 9.99}),
        ("/files/<path:p>", "/files/a/b/c", {"p": "a/b/c"}),
        ("/files/<path:p>", "/files/", None),
        ("/hello/<name>", "/hello/Hans Roh", {"name": "Hans Roh"}),
        ("/hello/<name>", "/hello/a/b", None),
        ("/<int:uid>/photos", "/3/photos", {"uid": 3}),
        (
            "/download/<int:major>/<path:rest>",
            "/download/1/version/1.1/win32",
            {"major": 1, "rest": "version/1.1/win32"},
        ),
        ("/a.b/<name>", "/aXb/c", None),
    ],
)
def test_template_matching(template, path, expected):
    assert Rule(template, handler).match_path(path) == expected


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/episode", {}),
        ("/episode/", {}),
        ("/episode/5", {"id": 5}),
        ("/episode/new", {"id": "new"}),
        ("/episodes", None),
        ("/episode/x", None),
    ],
)
def test_trailing_placeholder_with_default_is_optional(path, expected):
    assert Rule("/episode/<int:id>", episode).match_path(path) == expected


def test_placeholder_without_default_is_required():
    assert Rule("/episode/<int:id>", fixed).match_path("/episode") is None


@pytest.mark.parametrize(
    "path, expected",
    [("/t", {}), ("/t/x", {"a": "x"}), ("/t/x/y", {"a": "x", "b": "y"}), ("/t/x/y/z", None)],
)
def test_several_optional_placeholders_nest(path, expected):
    assert Rule("/t/<a>/<b>", two).match_path(path) == expected


@pytest.mark.parametrize(
    "template, message",
    [
        ("/x/<path:p>/y", "must be the last"),
        ("/x/<a>/<a>", "appears twice"),
        ("/x/<uuid:a>", "unknown path converter"),
        ("/x/<a", "malformed placeholder"),
        ("/x/<1a>", "malformed placeholder"),
    ],
)
def test_bad_templates_fail_at_definition(template, message):
    with pytest.raises(ValueError, match=message):
        Rule(template, handler)


def test_placeholder_the_handler_cannot_take_fails_at_definition():
    with pytest.raises(ValueError, match="no parameter 'other'"):
        Rule("/x/<other>", fixed)


def test_get_implies_head():
    rule = Rule("/x", handler, ["get"])
    assert rule.allows_method("HEAD") and rule.allows_method("GET")
    assert not rule.allows_method("POST")
    assert rule.allow == ("GET", "HEAD")


def test_no_methods_means_any():
    assert Rule("/x", handler).allows_method("PATCH")


@pytest.mark.parametrize(
    "accepted, content_type, ok",
    [
        (None, None, True),
        (["application/json"], "application/json", True),
        (["application/json"], "Application/JSON; charset=utf-8", True),
        (["application/json"], "text/xml", False),
        (["application/json"], None, False),
        (["text/*"], "text/xml", True),
    ],
)
def test_content_types(accepted, content_type, ok):
    assert Rule("/x", handler, None, accepted).accepts_content_type(content_type) is ok


def test_name_defaults_to_function_name_and_basepath():
    rule = Rule("/user/<id>/pat", handler)
    assert rule.name == "handler"
    assert rule.basepath == "/user/"
    assert Rule("/navigate", handler, name="nav").basepath == "/navigate"


def test_routable_view():
    rule = Rule("/x", handler, ["POST", "OPTIONS"], ["text/xml"], options={"coroutine": True})
    assert rule.routable == {
        "methods": ["POST", "OPTIONS"],
        "content_types": ["text/xml"],
        "options": {"coroutine": True},
    }
