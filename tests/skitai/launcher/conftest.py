import pytest

import skitai
from skitai.site import Site


@pytest.fixture(autouse=True)
def fresh_site(monkeypatch):
    """Each test starts with an empty default Site and no launch mode set."""
    monkeypatch.delenv("SKITAI_ENV", raising=False)
    monkeypatch.setattr(skitai, "_site", Site())
    yield skitai._site
