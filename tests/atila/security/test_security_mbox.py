from __future__ import annotations

import pytest
from security_helpers import next_request_cookies

from atila.security.cookies import CookieJar
from atila.security.mbox import MessageBox

KEY = "mbox-key-for-tests"


class Browser:
    def __init__(self, clock):
        self.clock, self.cookies = clock, ""

    def request(self, action, success=True, key=KEY):
        jar = CookieJar(self.cookies, clock=self.clock)
        box = MessageBox(jar, key, remote_addr="10.0.0.1", clock=self.clock)
        result = action(box)
        box.commit(success)
        self.cookies = next_request_cookies(jar.headers(), self.cookies)
        return result


def texts(messages):
    return [m[4] for m in messages]


def test_flash_message_is_shown_once_on_the_next_request(clock):
    browser = Browser(clock)
    browser.request(lambda b: b.send("saved", "flash"))
    assert texts(browser.request(lambda b: b.get())) == ["saved"]
    assert browser.request(lambda b: b.get()) == []


def test_unread_flash_message_waits_for_a_reader(clock):
    browser = Browser(clock)
    browser.request(lambda b: b.send("saved", "flash"))
    clock.advance(10_000_000)
    browser.request(lambda b: None)
    assert texts(browser.request(lambda b: b.get())) == ["saved"]


def test_message_read_by_a_failed_request_is_kept(clock):
    browser = Browser(clock)
    browser.request(lambda b: b.send("saved", "flash"))
    browser.request(lambda b: b.get(), success=False)
    assert texts(browser.request(lambda b: b.get())) == ["saved"]


def test_valid_message_is_shown_until_it_expires(clock):
    browser = Browser(clock)
    browser.request(lambda b: b.send("alarm", "alram", valid=60))
    assert texts(browser.request(lambda b: b.get())) == ["alarm"]
    clock.advance(30)
    assert texts(browser.request(lambda b: b.get())) == ["alarm"]
    clock.advance(31)
    assert browser.request(lambda b: b.get()) == []


def test_message_tuple_shape(clock):
    browser = Browser(clock)
    browser.request(lambda b: b.send("hi", "notice", icon="bell"))
    ((mid, category, created, valid, msg, extra),) = browser.request(lambda b: b.get())
    assert (category, created, valid, msg, extra) == ("notice", clock.now, 0, "hi", {"icon": "bell"})
    assert isinstance(mid, int)


def test_get_by_category_and_by_two_categories(clock):
    browser = Browser(clock)
    browser.request(lambda b: [b.send("a", "notice"), b.send("b", "news"), b.send("c", "error")])
    assert browser.request(lambda b: (texts(b.get("error")), texts(b.get("notice", "news")))) == (["c"], ["a", "b"])


def test_get_by_extra_key_and_value(clock):
    browser = Browser(clock)
    browser.request(lambda b: [b.send("a", "x", page="home"), b.send("b", "x", page="about")])
    assert texts(browser.request(lambda b: b.get("page", "about"))) == ["b"]


def test_search_and_remove(clock):
    browser = Browser(clock)
    browser.request(lambda b: [b.send("a", "notice", page="home"), b.send("b", "news")])

    def act(b):
        found = b.search("notice"), b.search("page", "home")
        b.remove(found[0][0])
        return found

    found = browser.request(act)
    assert found[0] == found[1] and len(found[0]) == 1
    assert texts(browser.request(lambda b: b.get())) == ["b"]


def test_message_box_from_another_key_is_empty(clock):
    browser = Browser(clock)
    browser.request(lambda b: b.send("a", "x"))
    assert browser.request(lambda b: b.get(), key="other-key") == []


def test_named_message_box(clock):
    browser = Browser(clock)
    browser.request(lambda b: b.mount("ADM", "adm-key", path="/admin").send("deleted", "warning"))
    assert browser.request(lambda b: b.get()) == []
    assert texts(browser.request(lambda b: b.mount("ADM", "adm-key").get())) == ["deleted"]


def test_push_is_send(clock):
    browser = Browser(clock)
    browser.request(lambda b: b.push("x", "success"))
    assert texts(browser.request(lambda b: b.getv())) == ["x"]


def test_negative_valid_is_refused(clock):
    with pytest.raises(ValueError, match="valid"):
        Browser(clock).request(lambda b: b.send("x", "y", valid=-1))
