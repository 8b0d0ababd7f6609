"""load_mount: every accepted target form, pref handling and the errors for bad ones."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from starlette.applications import Starlette

from skitai.mounts.asgi import ASGIMount
from skitai.mounts.loader import TargetNotFound, import_file, load_mount, normalize_prefix
from skitai.mounts.wsgi import WSGIMount
from skitai.static.mount import StaticMount
from skitai.testing import call_mount, make_request


@pytest.fixture(autouse=True)
def isolated_imports() -> Iterator[None]:
    """The loader edits sys.path and imports files; undo that after each test."""
    path, modules = list(sys.path), set(sys.modules)
    yield
    sys.path[:] = path
    for name in set(sys.modules) - modules:
        del sys.modules[name]


def write(root: Path, relative: str, source: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


def wsgi_app(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [])
    return [b"wsgi"]


async def asgi_app(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"asgi"})


class Pref:
    def __init__(self, **attributes: Any) -> None:
        self.statics: list[tuple[str, str]] = []
        self.__dict__.update(attributes)

    def set_static(self, url: str, path: str) -> None:
        self.statics.append((url, path))


class NativeApp:
    """Stands in for an Atila app: it only has to implement __skitai_mount__."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __skitai_mount__(self, prefix: str, **kwargs: Any) -> list[Any]:
        self.calls.append({"prefix": prefix, **kwargs})
        return [WSGIMount(prefix, wsgi_app, name=kwargs["name"])]


NATIVE_MODULE = """
    import sys
    from tests_native_support import NativeApp
    order = []
    created = []

    def __config__(pref):
        order.append("config")
        pref.set_static("/static", "assets")

    def __app__():
        order.append("app")
        created.append(NativeApp())
        return created[-1]
"""


@pytest.mark.parametrize(("given", "expected"), [("/", ""), ("/api/", "/api"), ("/a/b", "/a/b")])
def test_prefix_is_normalised(given: str, expected: str) -> None:
    assert normalize_prefix(given) == expected


@pytest.mark.parametrize("bad", ["api", "", "/a?b", "/a b"])
def test_bad_prefix_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        load_mount(bad, wsgi_app)


def test_native_interface_gets_prefix_pref_name_and_options() -> None:
    app, pref = NativeApp(), Pref()
    mounts = load_mount("/app/", app, pref, name="main", subscribe=["other"], unused=None)
    assert [type(m) for m in mounts] == [WSGIMount]
    assert app.calls == [{"prefix": "/app", "pref": pref, "name": "main", "module": None, "subscribe": ["other"]}]


def test_native_interface_must_return_a_list() -> None:
    class Broken:
        def __skitai_mount__(self, prefix: str, **kwargs: Any) -> Any:
            return None

    with pytest.raises(TypeError, match="__skitai_mount__ to return a list"):
        load_mount("/", Broken())


def test_module_with_app_hook_runs_config_first(tmp_path: Path, monkeypatch: Any) -> None:
    support = write(tmp_path, "support/tests_native_support.py", "")
    support.write_text(f"from {__name__} import NativeApp\n")
    monkeypatch.syspath_prepend(str(tmp_path / "support"))
    write(tmp_path, "site/myservice/__init__.py", NATIVE_MODULE)
    (tmp_path / "site/assets").mkdir()
    pref = Pref()
    mounts = load_mount("/", "myservice", pref, name="svc", base_dir=str(tmp_path / "site"))
    module = sys.modules["myservice"]
    assert module.order == ["config", "app"]
    assert [type(m) for m in mounts] == [WSGIMount, StaticMount]
    assert mounts[1].prefix == "/static"
    assert mounts[1].root == str((tmp_path / "site/assets").resolve())


def test_module_object_with_app_hook_is_passed_as_module(tmp_path: Path, monkeypatch: Any) -> None:
    write(tmp_path, "support/tests_native_support.py", f"from {__name__} import NativeApp\n")
    monkeypatch.syspath_prepend(str(tmp_path / "support"))
    module = import_file(str(write(tmp_path, "site/svc_module.py", NATIVE_MODULE)))
    (tmp_path / "site/assets").mkdir()
    mounts = load_mount("/x", module, Pref(), base_dir=str(tmp_path / "site"))
    assert module.created[0].calls[0]["module"] is module
    assert [(type(m), m.prefix) for m in mounts] == [(WSGIMount, "/x"), (StaticMount, "/x/static")]


def test_app_hook_must_return_a_native_app(tmp_path: Path) -> None:
    write(
        tmp_path,
        "plain_hook.py",
        """
        def __app__():
            return object()
    """,
    )
    with pytest.raises(TypeError, match="__app__\\(\\) to return an app"):
        load_mount("/", "plain_hook.py", base_dir=str(tmp_path))


@pytest.mark.parametrize("app", [asgi_app, Starlette()], ids=["function", "starlette"])
def test_asgi_callables(app: Any) -> None:
    [mount] = load_mount("/", app, name="a")
    assert isinstance(mount, ASGIMount) and mount.name == "a" and mount.app is app


def test_asgi_instance_with_async_call() -> None:
    class App:
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await asgi_app(scope, receive, send)

    [mount] = load_mount("/", App())
    assert isinstance(mount, ASGIMount)
    assert call_mount(mount, make_request()).body == b"asgi"  # type: ignore[union-attr]


@pytest.mark.parametrize("app", [wsgi_app, Flask("loader_flask")], ids=["function", "flask"])
def test_wsgi_callables(app: Any) -> None:
    [mount] = load_mount("/w/", app)
    assert isinstance(mount, WSGIMount) and mount.prefix == "/w" and mount.app is app


def test_asgi2_double_callable_is_refused() -> None:
    class DoubleCallable:
        def __init__(self, scope: Any) -> None:
            self.scope = scope

        async def __call__(self, receive: Any, send: Any) -> None:
            raise AssertionError("never called")

    with pytest.raises(TypeError, match="ASGI 2"):
        load_mount("/", DoubleCallable)


def test_unknown_object_is_refused_with_what_was_expected() -> None:
    with pytest.raises(TypeError, match=r"cannot mount 42: expected .*WSGI or ASGI"):
        load_mount("/", 42)


def test_callable_with_wrong_shape_is_refused() -> None:
    def nothing() -> None:
        return None

    with pytest.raises(TypeError, match="cannot mount .*nothing"):
        load_mount("/", nothing)


def test_options_for_a_wsgi_app_are_refused() -> None:
    with pytest.raises(TypeError, match="no options"):
        load_mount("/", wsgi_app, subscribe=["x"])


def test_pref_body_limit_reaches_the_mount() -> None:
    [mount] = load_mount("/", asgi_app, Pref(max_client_body_size=1024))
    assert mount.body_limit == 1024


@pytest.mark.parametrize("setting", [{"access_control_allow_origin": ["*"]}, {"access_control_max_age": 60}])
def test_cors_prefs_on_a_foreign_app_are_refused_by_name(setting: dict[str, Any]) -> None:
    name = next(iter(setting))
    with pytest.raises(TypeError, match=f"{name} in the pref only works for Atila apps, not a WSGI app"):
        load_mount("/", wsgi_app, Pref(**setting))
    with pytest.raises(TypeError, match="not an ASGI app"):
        load_mount("/", asgi_app, Pref(**setting))


def test_cors_origins_of_a_pref_reach_a_static_folder(tmp_path: Path) -> None:
    """Seed 004 mounts a single-page app's dist folder with the pref listing origins."""
    (tmp_path / "app.js").write_text("js")
    [mount] = load_mount("/", str(tmp_path), Pref(access_control_allow_origin=["https://a.example"]))
    allowed = call_mount(mount, make_request(target="/app.js", headers=[("Origin", "https://a.example")]))
    other = call_mount(mount, make_request(target="/app.js", headers=[("Origin", "https://b.example")]))
    assert allowed is not None and allowed.header("access-control-allow-origin") == "https://a.example"
    assert allowed.header("vary") == "Origin"
    assert other is not None and other.header("access-control-allow-origin") is None and other.body == b"js"


def test_any_origin_on_a_static_folder(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text("js")
    [mount] = load_mount("/", str(tmp_path), Pref(access_control_allow_origin=["*"]))
    answer = call_mount(mount, make_request(target="/app.js", headers=[("Origin", "https://b.example")]))
    assert answer is not None and answer.header("access-control-allow-origin") == "*"


def test_pref_statics_are_relative_to_prefix(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    pref = Pref(statics=[("/css", "css"), ("/", str(tmp_path))])
    mounts = load_mount("/site", wsgi_app, pref, base_dir=str(tmp_path))
    assert [(type(m), m.prefix) for m in mounts] == [
        (WSGIMount, "/site"),
        (StaticMount, "/site/css"),
        (StaticMount, "/site"),
    ]


def test_directory_is_a_static_mount(tmp_path: Path) -> None:
    (tmp_path / "public").mkdir()
    (tmp_path / "public/a.txt").write_text("A")
    [mount] = load_mount("/files", "public", name="files", base_dir=str(tmp_path))
    assert isinstance(mount, StaticMount) and mount.name == "files"
    responder = call_mount(mount, make_request(target="/files/a.txt", script_name="/files"))
    assert responder is not None and responder.body == b"A"


@pytest.mark.parametrize(("attribute", "expected_kind"), [("app", ASGIMount), ("application", WSGIMount)])
def test_file_with_app_or_application(tmp_path: Path, attribute: str, expected_kind: type) -> None:
    source = "asgi_app" if attribute == "app" else "wsgi_app"
    write(
        tmp_path,
        f"serve_{attribute}.py",
        f"""
        from {__name__} import {source} as {attribute}
    """,
    )
    [mount] = load_mount("/", f"serve_{attribute}.py", base_dir=str(tmp_path))
    assert isinstance(mount, expected_kind)
    assert mount.sources == [str(tmp_path / f"serve_{attribute}.py")]


def test_file_with_named_callable(tmp_path: Path) -> None:
    write(
        tmp_path,
        "entry.py",
        """
        def make(environ, start_response):
            start_response("200 OK", [])
            return [b"made"]
    """,
    )
    [mount] = load_mount("/", "entry.py:make", base_dir=str(tmp_path))
    assert call_mount(mount, make_request()).body == b"made"  # type: ignore[union-attr]


def test_project_path_puts_project_root_on_sys_path(tmp_path: Path) -> None:
    """Django's layout: proj/ is not a package, proj/config/ is; config.settings must import."""
    write(tmp_path, "proj/config/__init__.py", "")
    write(tmp_path, "proj/config/settings.py", "GREETING = b'from settings'\n")
    write(
        tmp_path,
        "proj/config/wsgi.py",
        """
        from config.settings import GREETING

        def application(environ, start_response):
            start_response("200 OK", [])
            return [GREETING]
    """,
    )
    [mount] = load_mount("/", "proj/config/wsgi:application", base_dir=str(tmp_path))
    assert str(tmp_path / "proj") in sys.path
    assert sys.modules["config.wsgi"].application is mount.app
    assert call_mount(mount, make_request()).body == b"from settings"  # type: ignore[union-attr]


def test_package_path_imports_under_dotted_name(tmp_path: Path) -> None:
    write(tmp_path, "pkgroot/__init__.py", "")
    write(tmp_path, "pkgroot/web/__init__.py", "")
    write(tmp_path, "pkgroot/web/wsgi.py", f"from {__name__} import wsgi_app as application\n")
    [mount] = load_mount("/", "pkgroot/web/wsgi:application", base_dir=str(tmp_path))
    assert isinstance(mount, WSGIMount)
    assert "pkgroot.web.wsgi" in sys.modules
    assert mount.sources == [str(tmp_path / "pkgroot")]


def test_dotted_module_and_attribute(tmp_path: Path, monkeypatch: Any) -> None:
    write(tmp_path, "dotted_pkg/__init__.py", "")
    write(tmp_path, "dotted_pkg/asgi.py", f"from {__name__} import asgi_app as handler\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    [mount] = load_mount("/", "dotted_pkg.asgi:handler")
    assert isinstance(mount, ASGIMount)


def test_relative_paths_use_base_dir_not_cwd(tmp_path: Path, monkeypatch: Any) -> None:
    write(tmp_path, "site/where.py", f"from {__name__} import wsgi_app as app\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TargetNotFound, match="not found"):
        load_mount("/", "where.py", base_dir=str(tmp_path / "elsewhere"))
    assert load_mount("/", "where.py", base_dir=str(tmp_path / "site"))


def test_missing_file_names_the_target(tmp_path: Path) -> None:
    with pytest.raises(TargetNotFound, match="cannot mount 'nothere.py': not found"):
        load_mount("/", "nothere.py", base_dir=str(tmp_path))


def test_missing_attribute_names_it(tmp_path: Path) -> None:
    write(tmp_path, "noattr.py", "x = 1\n")
    with pytest.raises(TypeError, match="to define missing"):
        load_mount("/", "noattr.py:missing", base_dir=str(tmp_path))


def test_unimportable_module_name(tmp_path: Path) -> None:
    with pytest.raises(TargetNotFound, match="a module 'no_such_module_anywhere' on sys.path"):
        load_mount("/", "no_such_module_anywhere:app", base_dir=str(tmp_path))


def test_a_module_failing_to_import_a_dependency_is_not_called_missing(tmp_path: Path, monkeypatch: Any) -> None:
    write(tmp_path, "needs_dep.py", "import no_such_dependency_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(TypeError, match="no_such_dependency_anywhere"):
        load_mount("/", "needs_dep:app", base_dir=str(tmp_path / "elsewhere"))


def test_file_shadowed_by_an_imported_module_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "json.py", "app = None\n")
    with pytest.raises(TypeError, match="already taken"):
        load_mount("/", "json.py", base_dir=str(tmp_path))


def test_module_without_app_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "empty_mod.py", "x = 1\n")
    with pytest.raises(TypeError, match="__app__, app or application"):
        load_mount("/", "empty_mod.py", base_dir=str(tmp_path))
