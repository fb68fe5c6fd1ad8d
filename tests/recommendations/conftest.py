import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Review photos are stored under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
