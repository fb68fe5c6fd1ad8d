from pathlib import Path

import pytest

from tests.mail import backends

TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture(autouse=True)
def mail_templates(settings):
    """The test templates (``tests_mail/hello``) beside the project's, and a known site."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES]}]
    settings.SITE_URL = "https://shop.example.com"
    settings.SHOP_NAME = "Test Shop"


@pytest.fixture
def flaky_mail(settings):
    """Sends through ``tests.mail.backends.FlakyBackend``: append errors to the returned list to fail sends."""
    settings.EMAIL_BACKEND = "tests.mail.backends.FlakyBackend"
    backends.FAILURES.clear()
    backends.OPENED.clear()
    yield backends.FAILURES
    backends.FAILURES.clear()
