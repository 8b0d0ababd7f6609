"""Router.match: statuses 200/404/405/415/301/204, "" vs "/", several rules, unroute."""

import pytest

from atila.routing import Router, Rule


def index(context):
    return "index"


def search(context, q=None):
    return q


def create(context, document=None):
    return document


def get_document(context, doc_id):
    return doc_id


def catch_all(context, path=None):
    return path


def user(context, id):
    return id


def hello(context, **kwargs):
    return kwargs


def make_router():
    router = Router()
    router.add(Rule("/", index, ["GET"]))
    router.add(Rule("/documents", create, ["POST", "OPTIONS"]))
    router.add(Rule("/documents", search, ["GET"]))
    router.add(Rule("/documents/<int:doc_id>", get_document, ["GET"]))
    router.add(Rule("/users/new", hello, ["GET"]))
    router.add(Rule("/users/<int:id>", user, ["GET", "DELETE"]))
    router.add(Rule("/xml", hello, ["POST"], ["text/xml"]))
    router.add(Rule("/sub/", hello, ["GET"]))
    router.add(Rule("/any", hello))
    return router


CASES = [
    # path, method, content type, status, handler, kwargs, allow
    ("/", "GET", None, 200, index, {}, ()),
    ("/", "HEAD", None, 200, index, {}, ()),
    ("/documents", "GET", None, 200, search, {}, ()),
    ("/documents", "POST", "application/json", 200, create, {}, ()),
    ("/documents/7", "GET", None, 200, get_document, {"doc_id": 7}, ()),
    ("/users/new", "GET", None, 200, hello, {}, ()),
    ("/users/12", "DELETE", None, 200, user, {"id": 12}, ()),
    ("/users/me", "GET", None, 200, user, {"id": "me"}, ()),
    ("/any", "PATCH", None, 200, hello, {}, ()),
    ("/xml", "POST", "text/xml; charset=utf-8", 200, hello, {}, ()),
    ("/nothing", "GET", None, 404, None, {}, ()),
    ("/documents/x", "GET", None, 404, None, {}, ()),
    ("/documents", "DELETE", None, 405, None, {}, ("POST", "OPTIONS", "GET", "HEAD")),
    ("/documents/7", "POST", None, 405, None, {}, ("GET", "HEAD", "OPTIONS")),
    ("/users/new", "DELETE", None, 200, user, {"id": "new"}, ()),
    ("/xml", "POST", "application/json", 415, None, {}, ("POST", "OPTIONS")),
    ("/xml", "POST", None, 415, None, {}, ("POST", "OPTIONS")),
    ("/xml", "GET", "text/xml", 405, None, {}, ("POST", "OPTIONS")),
    ("/sub", "GET", None, 301, None, {}, ()),
    ("/users/12", "OPTIONS", None, 204, user, {"id": 12}, ("GET", "DELETE", "HEAD", "OPTIONS")),
]


@pytest.mark.parametrize("path, method, content_type, status, func, kwargs, allow", CASES)
def test_match(path, method, content_type, status, func, kwargs, allow):
    match = make_router().match(path, method, content_type)
    assert match.status == status
    if func is not None:
        assert match.rule.func is func
        assert match.kwargs == kwargs
    if allow:
        assert match.allow == allow


def test_redirect_location_is_the_slash_form():
    assert make_router().match("/sub", "GET", None).location == "/sub/"


def test_options_listed_by_a_rule_reaches_the_handler():
    match = make_router().match("/documents", "OPTIONS", None)
    assert (match.status, match.rule.func) == (200, create)


# Seed 004: an app mounted at /sub sees path "" for /sub and "/" for /sub/.
@pytest.mark.parametrize(
    "template, path, status",
    [
        ("", "", 200),
        ("", "/", 404),
        ("/", "/", 200),
        ("/", "", 301),
    ],
)
def test_empty_versus_slash_route(template, path, status):
    router = Router()
    router.add(Rule(template, index))
    assert router.match(path, "GET", None).status == status


def test_slash_redirect_also_for_dynamic_routes():
    router = Router()
    router.add(Rule("/items/<int:id>/", user))
    match = router.match("/items/3", "GET", None)
    assert (match.status, match.location) == (301, "/items/3/")


def test_catch_all_path_comes_after_specific_routes():
    router = Router()
    router.add(Rule("/<path:path>", catch_all))
    router.add(Rule("/users/<int:id>", user))
    assert router.match("/users/3", "GET", None).rule.func is user
    assert router.match("/app/page/1", "GET", None).kwargs == {"path": "app/page/1"}


def test_optional_tail_route_matches_the_bare_path():
    def episode(context, id=None):
        return id

    router = Router()
    router.add(Rule("/episode/<int:id>", episode))
    assert router.match("/episode", "GET", None).kwargs == {}
    assert router.match("/episode/4", "GET", None).kwargs == {"id": 4}


def test_one_function_on_several_routes():
    router = Router()
    router.add(Rule("/", hello))
    router.add(Rule("/hello", hello, ["POST"]))
    assert router.match("/", "GET", None).rule.func is hello
    assert router.match("/hello", "POST", None).rule.func is hello
    assert len(router.find(hello)) == 2


def test_namespace_prefixes_the_name():
    router = Router()
    rule = router.add(Rule("/login", hello), namespace="regist")
    assert rule.name == "regist.hello"
    assert router.find("regist.hello") == [rule]
    assert router.find("hello") == []


@pytest.mark.parametrize("key", ["func", "name"])
def test_unroute_removes_every_rule_of_a_handler(key):
    router = make_router()
    target = hello if key == "func" else "hello"
    removed = router.remove(target)
    assert len(removed) == 4
    assert router.match("/any", "GET", None).status == 404
    assert router.match("/documents", "GET", None).status == 200


def test_unroute_unknown_returns_nothing():
    assert make_router().remove("missing") == []


def test_re_adding_the_same_route_replaces_it():
    def reloaded(context):
        return "new"

    reloaded.__name__ = "index"
    router = make_router()
    router.add(Rule("/", reloaded, ["GET"]))
    assert router.match("/", "GET", None).rule.func is reloaded
    assert len(router.find("index")) == 1


def test_wrapped_handler_is_found_by_its_original_function():
    import functools

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs)

        return wrapper

    router = Router()
    router.add(Rule("/users/<int:id>", decorate(user)))
    assert router.build(user, 5) == "/users/5"
    assert len(router.remove(user)) == 1


def test_remove_rule_drops_only_that_rule():
    router = Router()
    first = router.add(Rule("/", hello))
    second = router.add(Rule("/hello", hello, ["POST"]))
    assert router.remove_rule(first) is True
    assert router.remove_rule(first) is False
    assert router.find(hello) == [second]
    assert router.match("/", "GET", None).status == 404
