import skitai


def test_launch_fixture_is_a_partial_test_client(launch):
    assert launch.func is skitai.test_client
    assert launch.keywords["port"] > 0
