"""Trusted proxy headers over real HTTP: X-Forwarded-For/Proto and Forwarded are
believed only from the configured proxies; get_remote_addr() follows."""

from __future__ import annotations

import httpx
import pytest

import skitai
from skitai.observability import TrustedProxies
from skitai.testing.client import free_port

pytestmark = pytest.mark.process

SERVE = """
    import skitai
    from atila import Atila

    app = Atila("proxied")

    @app.route("/who")
    def who(context):
        return context.request.get_remote_addr() + " " + context.request.scheme

    def wsgi(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [(environ["REMOTE_ADDR"] + " " + environ["wsgi.url_scheme"]).encode()]

    if __name__ == "__main__":
        skitai.mount("/", app)
        skitai.mount("/wsgi", wsgi)
        skitai.run(SETTINGS)
"""
SPOOF = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def client_from(port, source):
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", transport=transport)


def test_headers_from_an_untrusted_peer_are_ignored(script):
    port = free_port()
    with skitai.test_client(script(SERVE.replace("SETTINGS", "")), port=port) as cli:
        assert cli.get("/who", headers=SPOOF).text == "127.0.0.1 http"
        assert cli.get("/who", headers={"Forwarded": "for=203.0.113.9;proto=https"}).text == "127.0.0.1 http"


def test_trusted_peer_is_believed_and_others_are_not(script):
    port = free_port()
    source = SERVE.replace("SETTINGS", "trusted_proxies=['127.0.0.1']")
    with skitai.test_client(script(source), port=port):
        with client_from(port, "127.0.0.1") as proxy, client_from(port, "127.0.0.2") as stranger:
            assert proxy.get("/who", headers=SPOOF).text == "203.0.113.9 https"
            assert proxy.get("/wsgi/", headers=SPOOF).text == "203.0.113.9 https"
            assert proxy.get("/who").text == "127.0.0.1 http"
            # the same headers from a peer that is not a configured proxy change nothing
            assert stranger.get("/who", headers=SPOOF).text == "127.0.0.2 http"
            assert stranger.get("/wsgi/", headers=SPOOF).text == "127.0.0.2 http"
            # RFC 7239
            forwarded = {"Forwarded": 'for="[2001:db8::1]:4711";proto=https, for=127.0.0.1'}
            assert proxy.get("/who", headers=forwarded).text == "2001:db8::1 https"
            # a client forging the left of the chain: the first untrusted hop from the right wins
            chain = {"X-Forwarded-For": "6.6.6.6, 198.51.100.7, 127.0.0.1"}
            assert proxy.get("/who", headers=chain).text == "198.51.100.7 http"
            assert proxy.get("/who", headers={"X-Forwarded-For": "not-an-ip"}).text == "127.0.0.1 http"


def test_a_bad_setting_is_refused_with_its_name():
    with pytest.raises(ValueError, match="trusted_proxies: 'nonsense'"):
        TrustedProxies(["nonsense"])
    assert TrustedProxies(["10.0.0.0/8"]).trusts("10.1.2.3")
    assert not TrustedProxies(["10.0.0.0/8"]).trusts("11.1.2.3")


def test_a_bad_setting_stops_the_launch_with_a_message(script):
    from skitai.testing.client import ServerNotStarted

    source = SERVE.replace("SETTINGS", "trusted_proxies=['10.0.0.0/8', 'nonsense']")
    with pytest.raises(ServerNotStarted) as failure:
        with skitai.test_client(script(source), port=free_port(), timeout=10):
            pass
    assert "trusted_proxies: 'nonsense' is not an IP address or network" in str(failure.value)
