import types

import pytest

import skitai
from skitai.preference import KNOWN_DEFAULTS, Pref


def test_preference_is_a_context_manager_returning_the_pref():
    with skitai.preference() as pref:
        assert isinstance(pref, Pref)


def test_pref_is_an_alias_of_preference():
    assert isinstance(skitai.pref(), Pref)


def test_config_supports_attribute_and_item_access():
    pref = skitai.pref()
    pref.config["prefA"] = 1
    pref.config.prefB = 2
    assert pref.config.prefA == 1
    assert pref.config["prefB"] == 2


def test_missing_config_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="nope"):
        skitai.pref().config.nope


def test_known_attributes_have_defaults():
    pref = skitai.pref()
    for name, default in KNOWN_DEFAULTS.items():
        assert getattr(pref, name) == default
    assert pref.debug is False and pref.use_reloader is False


def test_arbitrary_attributes_are_copied_with_known_ones():
    pref = skitai.pref()
    pref.securekey = "secret"
    pref.session_timeout = 1200
    pref.my_option = [1, 2]
    attributes = pref.attributes()
    assert attributes["securekey"] == "secret"
    assert attributes["session_timeout"] == 1200
    assert attributes["my_option"] == [1, 2]
    assert "config" not in attributes and "statics" not in attributes


def test_access_control_allow_origin_list_can_be_appended():
    pref = skitai.pref()
    pref.access_control_allow_origin = ["*"]
    pref.access_control_allow_origin.append("http://localhost:8080")
    assert pref.attributes()["access_control_allow_origin"] == ["*", "http://localhost:8080"]


def test_set_static_and_set_media_record_url_and_folder():
    pref = skitai.pref()
    pref.set_static("/static", "myapp/static")
    pref.set_media("/media", "/mnt/data/media")
    assert pref.statics == [("/static", "myapp/static"), ("/media", "/mnt/data/media")]


def test_set_static_rejects_a_url_without_leading_slash():
    with pytest.raises(ValueError, match="static URL"):
        skitai.pref().set_static("static", "x")


def test_extends_and_overrides_record_modules():
    base, other = types.ModuleType("atila_vue"), types.ModuleType("myapp")
    pref = skitai.pref()
    pref.extends(base)
    pref.overrides(other)
    assert pref.base_modules == [base]
    assert pref.override_modules == [other]


def test_copy_is_independent_of_the_original():
    pref = skitai.pref()
    pref.config.urls = ["a"]
    pref.set_static("/s", "s")
    clone = pref.copy()
    clone.config.urls.append("b")
    clone.set_static("/t", "t")
    assert pref.config.urls == ["a"]
    assert pref.statics == [("/s", "s")]


def test_keyword_attributes_at_creation():
    assert skitai.preference(debug=True).debug is True
