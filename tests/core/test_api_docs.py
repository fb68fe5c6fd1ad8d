"""The API docs are offline: no page of them names a host other than ours (Redoc loaded Google Fonts)."""

import re
from urllib.parse import urlsplit

import pytest

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
    # the scripts and styles it loads are our static files (drf-spectacular-sidecar)
    sources = re.findall(r"""(?:src|href)="([^"]+)\"""", html)
    assert sources and all(src.startswith("/static/drf_spectacular_sidecar/") for src in sources), sources


def test_swagger_ui_does_not_call_the_online_validator(client):
    html = client.get("/api/docs/").content.decode()

    config = re.search(r"const swaggerSettings = (\{.*?\});", html, re.S).group(1)
    assert '"validatorUrl": null' in config


@pytest.mark.parametrize("path", DOCS)
def test_the_docs_pages_forbid_the_browser_any_other_origin(client, path):
    # the bundles themselves name outside hosts (Redoc's side menu loads the Redocly logo from
    # cdn.redoc.ly): the policy makes the browser refuse them
    policy = client.get(path)["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    for name in ("img-src", "font-src", "connect-src", "style-src", "script-src"):
        assert "http" not in directives[name] and "*" not in directives[name], name
