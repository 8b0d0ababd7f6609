import pytest

from skitai.site import reset_site


@pytest.fixture(autouse=True)
def fresh_site(monkeypatch):
    """Each test starts with an empty mount registry and no launch mode set."""
    monkeypatch.delenv("SKITAI_ENV", raising=False)
    reset_site()
    yield
    reset_site()
