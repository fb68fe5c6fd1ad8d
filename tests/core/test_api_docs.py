"""The API docs are offline: no page of them names a host other than ours (Redoc loaded Google Fonts)."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders

from commerce.api.docs import REDOC_BUNDLE

URL = re.compile(r"""(?:https?:)?//[^\s"'<>()]+""")
DOCS = ["/api/docs/", "/api/redoc/"]


@pytest.mark.parametrize("path", DOCS)
def test_the_docs_pages_reference_no_outside_host(client, path):
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    outside = {url for url in URL.findall(html) if urlsplit(url if ":" in url.split("//")[0] else "http:" + url).hostname
               not in {"testserver", None}}
    assert outside == set(), f"{path} references {outside}"
    # the scripts and styles it loads are served by this site
    sources = re.findall(r"""(?:src|href)="([^"]+)\"""", html)
    assert sources and all(src.startswith("/") and not src.startswith("//") for src in sources), sources
    for src in sources:
        if src.startswith("/static/"):
            assert finders.find(src.removeprefix("/static/")), src  # a static file this site has
        else:
            assert client.get(src).status_code == 200, src


def test_the_redoc_bundle_is_served_without_the_outside_logo(client):
    original = Path(finders.find(REDOC_BUNDLE)).read_bytes()
    assert b"https://cdn.redoc.ly/redoc/logo-mini.svg" in original  # what the sidecar ships

    response = client.get("/api/redoc/redoc.standalone.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"cdn.redoc.ly" not in response.content
    assert len(response.content) > 0.99 * len(original)  # the bundle itself, not a stub
    assert client.get("/api/redoc/redoc.standalone.js", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_swagger_ui_does_not_call_the_online_validator(client):
    html = client.get("/api/docs/").content.decode()

    config = re.search(r"const swaggerSettings = (\{.*?\});", html, re.S).group(1)
    assert '"validatorUrl": null' in config


@pytest.mark.parametrize("path", DOCS)
def test_the_docs_pages_forbid_the_browser_any_other_origin(client, path):
    # the bundles name many outside hosts in their strings: should one ever be fetched, the browser refuses it
    policy = client.get(path)["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    for name in ("img-src", "font-src", "connect-src", "style-src", "script-src"):
        assert "http" not in directives[name] and "*" not in directives[name], name
