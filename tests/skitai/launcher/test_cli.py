import pytest

from skitai.cli import build_config, parse, parse_quietly
from skitai.preference import Pref
from skitai.switches import from_getopt


def test_no_arguments_means_foreground_defaults():
    options = parse([])
    assert options.command is None and not options.devel and options.port is None


@pytest.mark.parametrize("command", ["start", "stop", "restart", "status"])
def test_daemon_commands_are_recognised(command):
    assert parse([command]).command == command


def test_dash_d_means_start():
    assert parse(["-d"]).command == "start"


def test_switches_are_read():
    options = parse(["--devel", "--port", "8000", "--address", "0.0.0.0", "--workers", "3", "--threads", "8"])
    assert (options.devel, options.port, options.address, options.workers, options.threads) == (
        True,
        8000,
        "0.0.0.0",
        3,
        8,
    )


def test_an_unknown_switch_is_refused_naming_it_and_the_known_ones(capsys):
    with pytest.raises(SystemExit) as exc:
        parse(["--prot", "18280"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "unknown switch --prot" in err and "--port" in err and "skitai.getopt" in err


def test_a_stray_argument_is_refused_unless_the_script_reads_arguments(capsys):
    with pytest.raises(SystemExit):
        parse(["stat"])
    assert "unexpected argument 'stat'" in capsys.readouterr().err
    assert parse(["a.txt", "status"], takes_args=True).args == ["a.txt"]


def test_declared_switches_are_read_in_order():
    switches = from_getopt("hf:", ["ssl", "origin="])
    options = parse(["--ssl", "-f", "a.txt", "--port", "6000", "--origin=x", "-h"], switches=switches)
    assert options.switches == [("--ssl", ""), ("-f", "a.txt"), ("--origin", "x"), ("-h", "")]
    assert options.port == 6000


def test_a_script_switch_may_not_shadow_a_launcher_switch():
    with pytest.raises(ValueError, match="-d is a switch of the launcher"):
        parse([], switches=from_getopt("d"))


def test_the_lenient_parse_keeps_unknown_switches_aside():
    options = parse_quietly(["--devel", "--mine", "x"])
    assert options.devel and options.unknown == ["--mine"]


def test_bad_port_exits_with_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        parse(["--port", "http"])
    assert exc.value.code == 2
    assert "--port" in capsys.readouterr().err


def test_zero_workers_is_refused(capsys):
    with pytest.raises(SystemExit):
        parse(["--workers", "0"])
    assert "--workers" in capsys.readouterr().err


def test_help_prints_usage_and_exits_zero(capsys):
    with pytest.raises(SystemExit) as exc:
        parse(["--help"], prog="serve.py")
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "start|stop|restart|status" in out and "--devel" in out


def test_default_address_is_loopback():
    assert build_config({}, parse([])).address == "127.0.0.1"


def test_command_line_overrides_run_settings():
    config = build_config({"port": 5000, "workers": 2}, parse(["--port", "6000"]))
    assert (config.port, config.workers) == (6000, 2)


def test_devel_turns_debug_and_reload_on():
    config = build_config({}, parse(["--devel"]))
    assert config.debug and config.reload


def test_triple_hyphen_production_is_a_kill_switch():
    config = build_config({"debug": True}, parse(["--devel", "---production"]))
    assert not config.debug and not config.reload


def test_flat_limits_are_accepted():
    assert build_config({"graceful_timeout": 2.5}, parse([])).limits.graceful_timeout == 2.5


def test_gpus_become_strings():
    assert build_config({"gpus": [0, 1]}, parse([])).gpus == ("0", "1")


def test_unknown_setting_is_a_clear_error():
    with pytest.raises(TypeError, match="portt"):
        build_config({"portt": 1}, parse([]))


def test_log_json_switch():
    assert build_config({}, parse(["--log-json"])).access_log_json is True


def test_name_defaults_to_the_script_name():
    assert build_config({"name": "dumbseek"}, parse([])).name == "dumbseek"
    assert build_config({}, parse([])).name


def test_pref_debug_and_reloader_turn_devel_on_unless_production() -> None:
    pref = Pref()
    pref.use_reloader = True
    pref.debug = True
    config = build_config({"workers": 4}, parse([]), [pref])
    assert config.reload and config.debug and config.workers == 1
    config = build_config({"workers": 4}, parse(["---production"]), [pref])
    assert not config.reload and not config.debug and config.workers == 4


def test_devel_serves_with_one_worker() -> None:
    assert build_config({"workers": 3}, parse(["--devel"])).workers == 1
