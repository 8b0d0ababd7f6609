"""Python ``logging`` (``was.log``, ``context.log``, Atila's warnings) reaches the
error log with time, level, pid and request id; in ``--devel`` the console too."""

from __future__ import annotations

import logging
import re
import textwrap

import pytest

import skitai
from skitai.config import Config
from skitai.logs import OWN_LOGGERS, Logs, request_id
from skitai.testing.client import free_port
from skitai.testing.memory import make_request

STAMP = r"\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\]"

APP = """
from atila import Atila


def __app__():
    return Atila(__name__)


def __mount__(context, app):
    @app.route("/")
    def index(was):
        was.log("called index", "info")
        was.log("details", "debug")
        return "ok"

    @app.route("/context")
    def with_context(context):
        context.log("from context", "warn")
        try:
            raise KeyError("lost")
        except KeyError:
            context.traceback()
        return "ok"
"""

SERVE = """
import skitai
import myapp

if __name__ == "__main__":
    skitai.mount("/", myapp)
    skitai.run(port=5000)
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text(textwrap.dedent(APP))
    (tmp_path / "serve.py").write_text(SERVE)
    return str(tmp_path / "serve.py")


def _line(level, rid, text):
    return re.compile(STAMP + rf" \[{level}\] \[pid \d+\] \[req {rid}\] atila\.app\.myapp: {re.escape(text)}")


def _wait_for(cli, pattern):
    # NOTE: the log line is written before the response is sent, so it is there by now
    output = cli.output()
    assert pattern.search(output), output
    return output


@pytest.mark.process
def test_was_log_lines_reach_the_error_log_with_level_and_request_id(project):
    with skitai.test_client(project, port=free_port()) as cli:
        assert cli.get("/", headers={"X-Request-ID": "abc-123"}).text == "ok"
        output = _wait_for(cli, _line("info", "abc-123", "called index"))
        assert "details" not in output  # debug lines only in --devel
        assert cli.get("/context").text == "ok"
        # a request without an id gets the engine's (skitai.observability.request_id)
        output = _wait_for(cli, _line("warning", r"[0-9a-f]{32}", "from context"))
        assert re.search(
            r"\[error\] \[pid \d+\] \[req [0-9a-f]{32}\] atila\.app\.myapp: exception\n"
            r"Traceback \(most recent call last\):",
            output,
        ), output
        assert "KeyError: 'lost'" in output


@pytest.mark.process
def test_devel_shows_debug_lines_on_the_console(project):
    with skitai.test_client(project, port=free_port(), devel=True) as cli:
        assert cli.get("/", headers={"X-Request-ID": "dev-1"}).text == "ok"
        _wait_for(cli, _line("info", "dev-1", "called index"))
        _wait_for(cli, _line("debug", "dev-1", "details"))


@pytest.fixture
def bare_root(monkeypatch):
    """``bare_root()``: the root logger as in a served process, no handler configured
    by the app (called in the test body: pytest adds its capture handler per phase)."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in OWN_LOGGERS}

    def make():
        monkeypatch.setattr(root, "handlers", [])
        return root

    yield make
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_log_dir_gets_the_lines_and_devel_also_the_console(tmp_path, bare_root, capsys):
    bare_root()
    logs = Logs(Config(debug=True, reload=True), log_dir=str(tmp_path))
    try:
        logging.getLogger("atila.app.demo").info("hello %s", "there")
        logging.getLogger("someone.else").info("not shown")
        logging.getLogger("someone.else").warning("shown")
    finally:
        logs.close()
    text = (tmp_path / "error.log").read_text()
    assert re.search(r"\[info\] \[pid \d+\] atila\.app\.demo: hello there\n", text), text
    assert "not shown" not in text and "someone.else: shown" in text
    assert "atila.app.demo: hello there" in capsys.readouterr().err


def test_production_log_dir_stays_off_the_console(tmp_path, bare_root, capsys):
    bare_root()
    logs = Logs(Config(), log_dir=str(tmp_path))
    try:
        logging.getLogger("atila.app.demo").info("quiet")
        logging.getLogger("atila.app.demo").debug("no debug in production")
    finally:
        logs.close()
    assert "atila.app.demo: quiet" in (tmp_path / "error.log").read_text()
    assert "no debug" not in (tmp_path / "error.log").read_text()
    assert "quiet" not in capsys.readouterr().err


def test_an_app_that_configured_logging_keeps_its_handlers(tmp_path, bare_root):
    root = bare_root()
    own = logging.StreamHandler()
    root.addHandler(own)
    logs = Logs(Config(), log_dir=str(tmp_path))
    logs.close()
    assert root.handlers == [own]


def test_request_id_takes_a_plain_client_id_and_makes_one_otherwise():
    assert request_id(make_request("GET", "/", [("X-Request-ID", "abc.1:2")])) == "abc.1:2"
    forged = make_request("GET", "/", [("X-Request-ID", "x\n[error] forged")])
    made = request_id(forged)
    assert re.fullmatch(r"[0-9a-f]+-\d+", made) and request_id(forged) == made
