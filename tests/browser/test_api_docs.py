"""Swagger UI and Redoc render in a real browser (Debian's Chromium) without a request to another host."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("path", "rendered"), [("/api/docs/", ".swagger-ui .info .title"), ("/api/redoc/", "h1")])
def test_the_api_docs_render_from_this_site_only(browser, live_server, path, rendered):  # noqa: F811
    page = browser.new_page()
    requested, refused = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)

    page.goto(f"{live_server.url}{path}")
    page.wait_for_selector(rendered, timeout=30_000)
    page.wait_for_load_state("networkidle")

    assert "Commerce API" in page.inner_text(rendered)
    ours = urlsplit(live_server.url).netloc
    outside = [url for url in requested if urlsplit(url).scheme in {"http", "https"} and urlsplit(url).netloc != ours]
    assert outside == []
    assert refused == []  # nothing even tried another host
