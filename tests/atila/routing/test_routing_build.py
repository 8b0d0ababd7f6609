"""Router.build (urlfor / was.ab), build_partial (was.partial / urlpatch), basepath."""

import pytest

from atila.routing import BuildError, Router, Rule


def add(context, num1, num2):
    return num1 + num2


def hello(context, name="Hans Roh"):
    return name


def episode(context, id=None, topic=None):
    return id


def toc(context, chapter):
    return chapter


def navigate(context, limit=20, pageno=1):
    return limit, pageno


def search(context, q, **filters):
    return q


def files(context, path):
    return path


def index(context):
    return "index"


@pytest.fixture
def router():
    router = Router()
    router.add(Rule("/add", add))
    router.add(Rule("/hello/<name>", hello))
    router.add(Rule("/episode/<int:id>", episode, ["GET", "POST"]))
    router.add(Rule("/pages/toc/<int:chapter>", toc), namespace="sub.pages")
    router.add(Rule("/navigate", navigate))
    router.add(Rule("/search", search))
    router.add(Rule("/files/<path:path>", files))
    router.add(Rule("", index))
    return router


BUILDS = [
    # seed 004 "Building URL"
    (("add", 10, 40), {}, "/add?num1=10&num2=40"),
    (("add", 10), {"num2": 60}, "/add?num1=10&num2=60"),
    ((add, 10, 40), {}, "/add?num1=10&num2=40"),
    (("hello", "Your Name"), {}, "/hello/Your_Name"),
    (("hello",), {}, "/hello"),
    # seed 004 optional tail
    (("episode",), {}, "/episode"),
    (("episode", 100), {}, "/episode/100"),
    (("episode", "me"), {"topic": "a b"}, "/episode/me?topic=a+b"),
    (("episode",), {"topic": "x"}, "/episode?topic=x"),
    # seed 001 "Making URL"
    (("sub.pages.toc", 1), {}, "/pages/toc/1"),
    (("sub.pages.toc",), {"chapter": 1}, "/pages/toc/1"),
    (("/index.htm",), {}, "/index.htm"),
    (("search", "q"), {"tags": ["a", "b"]}, "/search?q=q&tags=a&tags=b"),
    (("search", "q"), {"skip": None}, "/search?q=q"),
    (("files", "dir/a b.txt"), {}, "/files/dir/a%20b.txt"),
    (("index",), {}, ""),
]


@pytest.mark.parametrize("args, kwargs, url", BUILDS)
def test_build(router, args, kwargs, url):
    assert router.build(*args, **kwargs) == url


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (("nowhere",), {}, "no route named 'nowhere'"),
        (("toc", 1), {}, "no route named 'toc'"),
        (("sub.pages.toc",), {}, "needs path parameter 'chapter'"),
        (("sub.pages.toc", "x"), {}, "not a valid <int>"),
        (("add", 1, 2, 3), {}, "at most 2 positional"),
        (("add", 1), {"num1": 2}, "two values for 'num1'"),
        (("add", 1, 2), {"other": 3}, "takes no parameter 'other'"),
    ],
)
def test_build_errors(router, args, kwargs, message):
    with pytest.raises(BuildError, match=message):
        router.build(*args, **kwargs)


def test_build_picks_the_rule_the_values_can_fill():
    def item(context, id=None, slug=None):
        return id

    router = Router()
    router.add(Rule("/items/<int:id>/<slug>", item))
    router.add(Rule("/items", item))
    assert router.build("item", 3, "x") == "/items/3/x"
    assert router.build("item") == "/items"


# seed 004 "Building URL by Updating Parameters Partially"
@pytest.mark.parametrize(
    "name, current, overrides, url",
    [
        ("navigate", {"limit": "100", "pageno": "2"}, {"pageno": 3}, "/navigate?limit=100&pageno=3"),
        ("navigate", {"limit": "100", "pageno": "2"}, {}, "/navigate?limit=100&pageno=2"),
        ("navigate", {"limit": "100", "other": "x"}, {}, "/navigate?limit=100"),
        ("navigate", {"limit": "100", "pageno": "2"}, {"pageno": None}, "/navigate?limit=100"),
        ("episode", {"id": 5, "topic": "t"}, {"topic": "u"}, "/episode/5?topic=u"),
        ("episode", {"id": 5}, {"id": None}, "/episode"),
        ("search", {"q": "a", "color": "red"}, {"size": 2}, "/search?q=a&color=red&size=2"),
    ],
)
def test_build_partial(router, name, current, overrides, url):
    assert router.build_partial(name, current, **overrides) == url


@pytest.mark.parametrize(
    "name, base",
    [("hello", "/hello/"), ("navigate", "/navigate"), ("sub.pages.toc", "/pages/toc/")],
)
def test_basepath(router, name, base):
    assert router.basepath(name) == base


def test_built_urls_route_back(router):
    for args in [("episode", 7), ("hello", "a b"), ("sub.pages.toc", 3), ("files", "x/y")]:
        path = router.build(*args)
        match = router.match(path, "GET", None)
        assert match.status == 200 and match.rule.name == args[0]
