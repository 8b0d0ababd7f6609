import os
import subprocess
import sys

import pytest

import skitai


def wsgi_app(environ, start_response):
    start_response("200 OK", [])
    return [b""]


def test_all_names_exist():
    for name in skitai.__all__:
        assert hasattr(skitai, name), name


@pytest.mark.process
def test_import_has_no_side_effects():
    code = (
        "import sys; sys.argv = ['serve.py', '--port', 'nonsense', 'stop'];"
        "import skitai; assert skitai._site.entries == []; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == "ok", result.stderr


def test_mount_records_an_entry_with_pref():
    pref = skitai.pref()
    skitai.mount("/", wsgi_app, pref)
    entry = skitai._site.entries[0]
    assert (entry.prefix, entry.target, entry.pref, entry.name) == ("/", wsgi_app, pref, None)


def test_third_positional_string_is_the_name_and_fourth_the_pref():
    pref = skitai.pref()
    skitai.mount("/v1", "app_v1/", "app", pref)
    entry = skitai._site.entries[0]
    assert entry.name == "app" and entry.pref is pref


def test_mount_passes_other_keywords_to_the_loader():
    skitai.mount("/", wsgi_app, name="orm", subscribe=["tfserver"])
    entry = skitai._site.entries[0]
    assert entry.name == "orm" and entry.options == {"subscribe": ["tfserver"]}


def test_mount_rejects_two_prefs():
    with pytest.raises(TypeError, match="two preferences"):
        skitai.mount("/", wsgi_app, skitai.pref(), skitai.pref())


def test_mount_rejects_a_relative_mount_point():
    with pytest.raises(ValueError, match="mount point"):
        skitai.mount("api", wsgi_app)


def test_mount_returns_a_runner_callable():
    assert callable(skitai.mount("/", wsgi_app))


def test_log_off_and_set_max_age_are_recorded():
    skitai.log_off("/static", "/media")
    skitai.set_max_age("/static", 300)
    site = skitai._site
    assert site.log_off_prefixes == ["/static", "/media"]
    assert site.max_age_for("/static/app.js") == 300
    assert site.max_age_for("/staticx") is None


def test_set_max_age_rejects_negative_seconds():
    with pytest.raises(ValueError, match="max-age"):
        skitai.set_max_age("/static", -1)


@pytest.mark.process
def test_joinpath_is_relative_to_the_launch_script(tmp_path):
    script = tmp_path / "serve.py"
    script.write_text("import skitai; print(skitai.joinpath('myapp', 'static')); print(skitai.abspath('x'))")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd="/", timeout=30)
    lines = result.stdout.split()
    assert lines == [str(tmp_path / "myapp" / "static"), str(tmp_path / "x")], result.stderr


@pytest.mark.process
@pytest.mark.parametrize(
    "argv, expected",
    [(["--devel"], "True"), ([], "False"), (["--devel", "---production"], "False")],
)
def test_is_devel_follows_the_command_line(tmp_path, argv, expected):
    script = tmp_path / "serve.py"
    script.write_text("import skitai; print(skitai.is_devel())")
    env = {k: v for k, v in os.environ.items() if k != "SKITAI_ENV"}
    result = subprocess.run([sys.executable, str(script), *argv], capture_output=True, text=True, env=env, timeout=30)
    assert result.stdout.strip() == expected, result.stderr


def test_is_devel_follows_the_launcher_environment(monkeypatch):
    monkeypatch.setenv("SKITAI_ENV", "DEVEL")
    assert skitai.is_devel() is True
    monkeypatch.setenv("SKITAI_ENV", "PRODUCTION")
    assert skitai.is_devel() is False
