"""``/api/v1/`` is an API root listing the resources (it answered 404 though the README advertised it)."""

from urllib.parse import urlsplit

import pytest
from django.urls import URLResolver, get_resolver, resolve

pytestmark = pytest.mark.django_db


def test_the_api_root_lists_the_resources_for_anyone(client):
    response = client.get("/api/v1/")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Commerce API" and body["version"] == "v1"
    assert body["docs"] == "http://testserver/api/docs/"
    assert body["redoc"] == "http://testserver/api/redoc/"
    assert body["schema"] == "http://testserver/api/schema/"
    resources = body["resources"]
    # one of each app's entry points
    for name, path in (("product_list", "/api/v1/products/"), ("category_list", "/api/v1/categories/"),
                       ("auth_token", "/api/v1/auth/token/"), ("me", "/api/v1/me/"), ("cart", "/api/v1/cart/"),
                       ("checkout", "/api/v1/checkout/"), ("order_list", "/api/v1/orders/"),
                       ("promotion_list", "/api/v1/promotions/"), ("event_list", "/api/v1/events/")):
        assert resources[name] == f"http://testserver{path}"
    # every listed URL is a real endpoint without a path parameter, and the root does not list itself
    for url in resources.values():
        path = urlsplit(url).path
        assert "<" not in path and path != "/api/v1/"
        assert resolve(path).url_name in resources


def _site_routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _site_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name


def test_every_parameterless_api_endpoint_is_listed_in_the_root(client):
    # read from the whole site's URLconf, independently of how the root collects them
    expected = {
        f"http://testserver/{route}"
        for route, name in _site_routes(get_resolver().url_patterns)
        if route.startswith("api/v1/") and route != "api/v1/" and "<" not in route and name
    }

    listed = client.get("/api/v1/").json()["resources"]

    assert set(listed.values()) == expected
    assert len(listed) >= 20


def test_the_api_root_answers_other_methods_in_the_error_format(client):
    response = client.post("/api/v1/", data={}, content_type="application/json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed" and set(response.json()) >= {"code", "detail", "fields"}


def test_the_api_root_is_in_the_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert schema["paths"]["/api/v1/"]["get"]["operationId"] == "api_root"
