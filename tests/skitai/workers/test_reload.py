import pytest
from worker_helpers import wait_for

import skitai

pytestmark = pytest.mark.process


def served_text(cli):
    try:
        return cli.get("/").text
    except Exception:
        return ""


@pytest.mark.timeout(90)
def test_devel_reloads_the_launch_script_on_change(make_script, port):
    script = make_script()
    with skitai.test_client(str(script), port=port, devel=True) as cli:
        assert cli.get("/").text.startswith("v1 ")
        script.write_text(script.read_text().replace('MESSAGE = "v1"', 'MESSAGE = "v2"'))
        wait_for(lambda: served_text(cli).startswith("v2 "), timeout=30, what="the edited text")


@pytest.mark.timeout(90)
def test_devel_survives_a_syntax_error(make_script, port):
    script = make_script()
    good = script.read_text()
    with skitai.test_client(str(script), port=port, devel=True) as cli:
        assert cli.get("/").text.startswith("v1 ")
        script.write_text(good.replace('MESSAGE = "v1"', 'MESSAGE = "v2" +'))
        wait_for(lambda: "waiting for a change" in cli.output(), timeout=30, what="the broken child to exit")
        script.write_text(good.replace('MESSAGE = "v1"', 'MESSAGE = "v3"'))
        wait_for(lambda: served_text(cli).startswith("v3 "), timeout=30, what="the fixed text")


@pytest.mark.timeout(90)
def test_devel_watches_a_changed_module_next_to_the_script(make_script, port, tmp_path):
    (tmp_path / "greeting.py").write_text('TEXT = "hello"\n')
    script = make_script()
    script.write_text(
        script.read_text()
        .replace('MESSAGE = "v1"', "import greeting\nMESSAGE = greeting.TEXT")
        .replace("import skitai\n", "import skitai\nsys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n")
    )
    with skitai.test_client(str(script), port=port, devel=True) as cli:
        assert cli.get("/").text.startswith("hello ")
        (tmp_path / "greeting.py").write_text('TEXT = "bonjour"\n')
        wait_for(lambda: served_text(cli).startswith("bonjour "), timeout=30, what="the module change")
