"""Ids in paths: every route that names an object by its id reads it with ``<id:...>``
(``commerce.parsing.IdConverter``), so a number beyond the database's id range is a 404 at the
router instead of an ``OverflowError`` in the driver (a 500)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from commerce.parsing import MAX_ID

TOO_BIG = str(MAX_ID + 1)


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


ROUTES = list(_routes(get_resolver().url_patterns))


def test_no_route_reads_a_number_with_the_int_converter():
    assert ROUTES
    assert [route for route, _ in ROUTES if "<int:" in route] == []


def _filled(route: str, value: str) -> str:
    path = re.sub(r"<id:\w+>", value, route)
    path = re.sub(r"<(?:str|slug):\w+>", "x", path)
    path = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000000", path)
    return "/" + path


ID_ROUTES = [route for route, _ in ROUTES if "<id:" in route and "^" not in route and "(?P" not in route]


def test_the_id_routes_are_there():
    assert any(route.startswith("api/v1/") for route in ID_ROUTES)
    assert any(route.startswith("admin/") for route in ID_ROUTES)


@pytest.mark.parametrize("route", ID_ROUTES)
def test_an_id_beyond_the_database_range_matches_no_route(route):
    largest = _filled(route, str(MAX_ID))
    assert resolve(largest).kwargs  # the largest id is still an id
    path = _filled(route, TOO_BIG)
    try:
        match = resolve(path)
    except Resolver404:
        return
    # another, catch-all route may take the path (the admin's own <path:object_id>/): never this one
    assert match.route != route, path


def test_a_huge_id_on_an_api_endpoint_is_a_404_not_a_500(admin_client):
    response = admin_client.patch(f"/api/v1/products/{TOO_BIG}000/images/3/", {}, content_type="application/json")
    assert response.status_code == 404
    response = admin_client.get(f"/api/v1/products/1/images/{'9' * 400}/")
    assert response.status_code == 404
