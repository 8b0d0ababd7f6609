import pytest

import skitai
from skitai.site import MountError, Site
from skitai.testing.client import free_port


def wsgi_app(environ, start_response):
    start_response("200 OK", [])
    return [b"ok"]


def test_a_launch_script_can_hold_its_own_site():
    site = Site()
    runner = site.mount("/api", wsgi_app, "api")
    assert callable(runner) and [(e.prefix, e.name) for e in site.entries] == [("/api", "api")]
    assert skitai._site.entries == []  # the default Site is another object


def test_resolve_turns_entries_into_mounts():
    site = Site()
    site.add("/api", wsgi_app)
    mounts = site.resolve()
    assert [m.prefix for m in mounts] == ["/api"]


def test_mounts_added_while_resolving_are_resolved_too(tmp_path):
    # seed 000: an app's __config__(pref) calls skitai.mount while being loaded
    static = tmp_path / "static"
    static.mkdir()
    script = tmp_path / "loadme.py"
    script.write_text(
        "import skitai\n"
        f"skitai.mount('/static', {str(static)!r})\n"
        "def application(environ, start_response):\n"
        "    start_response('200 OK', [])\n"
        "    return [b'']\n"
    )
    skitai.mount("/", f"{script}:application")
    mounts = skitai._site.resolve()
    assert sorted(m.prefix for m in mounts) == ["", "/static"]


def test_a_broken_target_raises_mount_error_naming_it():
    site = Site()
    site.add("/", "no_such_module_anywhere:app")
    with pytest.raises(MountError, match="no_such_module_anywhere"):
        site.resolve()


def test_nothing_mounted_is_a_clear_error():
    with pytest.raises(ValueError, match="nothing is mounted"):
        Site().resolve()


def test_longest_max_age_prefix_wins():
    site = Site()
    site.set_max_age("/", 10)
    site.set_max_age("/static", 60)
    assert site.max_age_for("/static/a.css") == 60
    assert site.max_age_for("/index.html") == 10


def test_getopt_refuses_a_launcher_switch(monkeypatch):
    monkeypatch.setattr("sys.argv", ["serve.py"])
    with pytest.raises(ValueError, match="--port is a switch of the launcher"):
        Site().getopt("", ["port="])


def test_argopt_is_the_older_name_of_getopt():
    assert skitai.argopt is skitai.getopt


def test_getopt_leaves_the_launcher_switches_and_commands_out(monkeypatch):
    monkeypatch.setattr("sys.argv", ["serve.py", "--devel", "-f", "a.txt", "--port", "80", "x", "status"])
    assert Site().getopt("f:") == ([("-f", "a.txt")], ["x"])


@pytest.mark.process
def test_a_site_object_runs_in_a_real_process(tmp_path):
    script = tmp_path / "serve.py"
    script.write_text(
        "import skitai\n"
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [])\n"
        "    return [b'own site']\n"
        "site = skitai.Site()\n"
        "site.mount('/', app)\n"
        "site.run(port=5000)\n"
    )
    with skitai.test_client(str(script), port=free_port()) as cli:
        assert cli.get("/").text == "own site"
