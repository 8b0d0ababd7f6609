import sys
import types

import jinja2
import pytest

from atila.events import Event, EventBus
from atila.templates import Templates, template_folders


class Args(dict):
    pass


class Request:
    def __init__(self, **args):
        self.args = Args(args)


class Ctx:
    def __init__(self, **args):
        self.request = Request(**args)
        self.csrf_token_input = '<input type="hidden" name="_csrf_token" value="t">'


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "templates"


@pytest.fixture
def templates(folder):
    folder.mkdir()
    return Templates(folders=[str(folder)])


def test_variables_are_usable_bare_and_through_context(templates, folder):
    write(folder, "hello.j2", "<h1>Hello {{ name }} / {{ context.name }} / {{ was.name }}</h1>")
    assert templates.render(Ctx(), "hello.j2", name="Hans") == "<h1>Hello Hans / Hans / Hans</h1>"


def test_dicts_and_keywords_merge_later_wins(templates, folder):
    write(folder, "index.html", "{{ choice }} {{ product }}")
    out = templates.render(Ctx(), "index.html", {"choice": 2, "product": "Pears"}, product="Apples")
    assert out == "2 Apples"


def test_request_context_is_reachable_through_was(templates, folder):
    write(folder, "a.html", "{{ was.request.args.get('choice', 'N/A') }}|{{ was.csrf_token_input }}")
    out = templates.render(Ctx(choice="3"), "a.html")
    assert out.startswith("3|&lt;input")


def test_html_templates_are_autoescaped(templates, folder):
    write(folder, "x.html", "{{ v }}")
    write(folder, "x.xml", "{{ v }}")
    write(folder, "x.j2", "{{ v }}")
    write(folder, "x.txt", "{{ v }}")
    for name in ("x.html", "x.xml", "x.j2"):
        assert templates.render(None, name, v="<b>") == "&lt;b&gt;"
    assert templates.render(None, "x.txt", v="<b>") == "<b>"


def test_template_global_receives_the_context_first(templates, folder):
    @templates.template_global("test_global")
    def joined_args(context, sep):
        return sep.join(sorted(context.request.args.keys()))

    write(folder, "g.html", "{{ test_global(',') }}")
    assert templates.render(Ctx(b="1", a="2"), "g.html") == "a,b"


def test_template_filter(templates, folder):
    @templates.template_filter("reverse")
    def reverse_filter(s):
        return s[::-1]

    write(folder, "f.html", '{{ "Hello" | reverse }}')
    assert templates.render(None, "f.html") == "olleH"


def test_registrations_survive_an_overlay(templates, folder):
    templates.template_filter("up")(str.upper)
    templates.jinja_overlay(variable_start_string="${", variable_end_string="}")
    write(folder, "vue.html", "{{ keep }} ${ name | up }")
    assert templates.render(None, "vue.html", name="vue") == "{{ keep }} VUE"


def test_overlay_with_same_start_and_end_string(templates, folder):
    templates.jinja_overlay(variable_start_string="##", variable_end_string="##")
    write(folder, "same.html", "a ##x## b {{ y }}")
    assert templates.render(None, "same.html", x=1) == "a 1 b {{ y }}"


def test_overlay_rejects_unknown_options(templates):
    with pytest.raises(TypeError, match="variable_start"):
        templates.jinja_overlay(variable_start="{{")


def test_missing_template_names_the_folders(templates, folder):
    with pytest.raises(jinja2.TemplateNotFound, match="nope.html.*templates"):
        templates.render(None, "nope.html")


def test_builtin_error_page_escapes_and_shows_fields(templates):
    error = {
        "code": 404,
        "message": "Not Found",
        "detail": "<script>x</script>",
        "url": "/a",
        "time": "now",
        "traceback": None,
    }
    out = templates.render_error(None, error)
    assert "<h1>404 Not Found</h1>" in out
    assert "&lt;script&gt;" in out and "<script>" not in out
    assert "URL: /a" in out and "<pre>" not in out


def test_custom_error_template_wins_by_code(templates, folder):
    write(folder, "404.html", "<h1>{{ error.code }} {{ error.message }}</h1><p>{{ detail }}</p>")
    err = types.SimpleNamespace(code=404, message="Not Found", detail="gone", url="/", time="t", traceback=None)
    assert templates.render_error(None, err) == "<h1>404 Not Found</h1><p>gone</p>"
    assert "500" in templates.render_error(None, {"code": 500, "message": "Internal Server Error"})


def test_default_error_template_of_the_app_is_used(templates, folder):
    write(folder, "errors/default.html", "custom {{ error.code }}")
    assert templates.render_error(None, {"code": 418, "message": "I'm a teapot"}) == "custom 418"


def test_error_without_a_code_is_refused(templates):
    with pytest.raises(TypeError, match="code"):
        templates.render_error(None, {"message": "x"})


def test_rendering_emits_an_event(templates, folder):
    bus = EventBus()
    templates.events = bus
    seen = []
    bus.on("template_rendering")(lambda c, name, params: seen.append((name, params)))
    write(folder, "e.html", "{{ a }}")
    templates.render(None, "e.html", a=1)
    assert seen == [("e.html", {"a": 1})]
    assert Event.TEMPLATE_RENDERING.short_name == "rendering"


def test_folders_follow_overrides_self_and_bases(tmp_path, monkeypatch):
    def package(name):
        root = tmp_path / name
        write(root / "templates", "page.html", name)
        module = types.ModuleType(name)
        module.__file__ = str(root / "__init__.py")
        monkeypatch.setitem(sys.modules, name, module)
        return module

    package("myapp")  # the app's own folder: found through import_name
    over, base = package("tfserver"), package("atila_vue")
    write(tmp_path / "atila_vue" / "templates", "base_only.html", "from base")
    app = types.SimpleNamespace(import_name="myapp", override_modules=[over], base_modules=[base])
    assert template_folders(app) == [str(tmp_path / n / "templates") for n in ("tfserver", "myapp", "atila_vue")]
    templates = Templates(app)
    assert templates.render(None, "page.html") == "tfserver"
    assert templates.render(None, "base_only.html") == "from base"
