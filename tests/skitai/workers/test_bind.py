import socket

import pytest

from skitai.config import Config
from skitai.testing.client import free_port
from skitai.workers.master import bind

pytestmark = pytest.mark.process


def test_binds_ipv4_loopback_by_default():
    sockets = bind(Config(port=free_port()))
    try:
        assert sockets[0].family == socket.AF_INET
        assert sockets[0].getsockname()[0] == "127.0.0.1"
        assert sockets[0].getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
    finally:
        sockets[0].close()


def test_binds_ipv6_for_an_ipv6_address():
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this host")
    try:
        port = free_port("::1")
    except OSError:
        pytest.skip("no IPv6 loopback on this host")
    sockets = bind(Config(address="::1", port=port))
    try:
        assert sockets[0].family == socket.AF_INET6
    finally:
        sockets[0].close()


def test_a_taken_port_raises_os_error():
    first = bind(Config(port=free_port()))
    try:
        with pytest.raises(OSError):
            bind(Config(port=first[0].getsockname()[1]))
    finally:
        first[0].close()
