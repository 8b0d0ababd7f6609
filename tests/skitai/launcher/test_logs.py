import io
import json
import re

from skitai.config import Config
from skitai.logs import Logs
from skitai.testing.memory import make_request

COMBINED = re.compile(
    r"^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "
    r'"GET /x\?a=1 HTTP/1\.1" 200 12 "ref" "agent" 0\.0003 -\n$'
)


def request(target="/x?a=1", **headers):
    req = make_request("GET", target, headers=[(k.replace("_", "-"), v) for k, v in headers.items()])
    req.client = ("127.0.0.1", 40000)
    return req


def test_combined_format():
    out = io.StringIO()
    logs = Logs(Config(), stream=out)
    logs.access(request(referer="ref", user_agent="agent"), 200, 12, 0.0003)
    logs.flush()
    assert COMBINED.match(out.getvalue()), out.getvalue()


def test_json_lines_behind_a_switch():
    out = io.StringIO()
    logs = Logs(Config(access_log_json=True), stream=out)
    logs.access(request(user_agent="agent"), 404, 0, 0.01)
    logs.flush()
    record = json.loads(out.getvalue())
    assert (record["method"], record["path"], record["status"], record["agent"]) == ("GET", "/x", 404, "agent")


def test_quotes_and_newlines_in_client_fields_are_escaped():
    out = io.StringIO()
    logs = Logs(Config(), stream=out)
    logs.access(request(user_agent='evil"\n127.0.0.1 forged'), 200, 1, 0.0)
    logs.flush()
    assert out.getvalue().count("\n") == 1
    assert '\\"\\x0a127.0.0.1 forged' in out.getvalue()


def test_log_off_prefix_is_not_logged():
    out = io.StringIO()
    logs = Logs(Config(), stream=out)
    logs.log_off("/static/")
    logs.access(request("/static/a.css"), 200, 1, 0.0)
    logs.access(request("/staticfile"), 200, 1, 0.0)
    logs.flush()
    assert "/static/a.css" not in out.getvalue()
    assert "/staticfile" in out.getvalue()


def test_access_log_off_writes_nothing():
    out = io.StringIO()
    logs = Logs(Config(access_log=False), stream=out)
    logs.access(request(), 200, 1, 0.0)
    logs.flush()
    assert out.getvalue() == ""


def test_error_includes_the_traceback():
    out = io.StringIO()
    logs = Logs(Config(), stream=out)
    try:
        raise KeyError("boom")
    except KeyError as exc:
        logs.error("handler failed", exc_info=exc)
    text = out.getvalue()
    assert "[error]" in text and "handler failed" in text
    assert "Traceback" in text and "KeyError: 'boom'" in text


def test_info_line():
    out = io.StringIO()
    Logs(Config(), stream=out).info("listening")
    assert "[info] listening" in out.getvalue()


def test_queued_access_lines_come_before_a_later_error():
    out = io.StringIO()
    logs = Logs(Config(), stream=out)
    logs.access(request(), 200, 1, 0.0)
    logs.error("after")
    assert out.getvalue().index("GET /x") < out.getvalue().index("after")


def test_files_in_log_dir(tmp_path):
    logs = Logs(Config(), log_dir=str(tmp_path / "logs"))
    logs.access(request(), 200, 1, 0.0)
    logs.error("oops")
    logs.close()
    assert "GET /x" in (tmp_path / "logs" / "access.log").read_text()
    assert "oops" in (tmp_path / "logs" / "error.log").read_text()


def test_lines_past_the_flush_threshold_all_reach_the_file_in_order_at_close(tmp_path):
    from skitai.logs import FLUSH_LINES

    logs = Logs(Config(), log_dir=str(tmp_path / "logs"))
    total = FLUSH_LINES * 3 + 17
    for number in range(total):
        logs.access(request(f"/n{number}"), 200, 1, 0.0)
        if number % 1000 == 0:
            logs.error(f"mark {number}")  # a flush from this thread between the flusher's
    logs.close()
    lines = (tmp_path / "logs" / "access.log").read_text().splitlines()
    assert [int(re.search(r"GET /n(\d+) ", line).group(1)) for line in lines] == list(range(total))


def test_repeated_fields_are_escaped_every_time():
    out = io.StringIO()
    logs = Logs(Config(), stream=out)
    for _ in range(2):
        logs.access(request('/a"b', user_agent='x"y'), 200, 1, 0.0)
    logs.flush()
    assert out.getvalue().count('/a\\"b') == 2 and out.getvalue().count('"x\\"y"') == 2
