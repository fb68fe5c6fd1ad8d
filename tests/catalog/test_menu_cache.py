"""The catalog's menu (category tree, makers) is cached: read once per request, no query while cached,
and a category or maker created, renamed or moved shows on the next page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commerce.catalog import menu
from commerce.catalog.services import category_move, category_update, manufacturer_update
from tests.factories import ManufacturerFactory, category

pytestmark = pytest.mark.django_db

HOME = reverse("catalog:product_list")


def test_menu_is_read_from_the_cache_without_a_query():
    dairy = category("Dairy")
    category("Cheese", parent=dairy)
    ManufacturerFactory(name="Acme")
    menu.category_tree(), menu.manufacturers()  # fills the cache

    with CaptureQueriesContext(connection) as queries:
        tree, makers = menu.category_tree(), menu.manufacturers()
        paths = menu.category_paths()

    assert len(queries) == 0
    assert [c.name for c in tree] == ["Dairy", "Cheese"] and [m.name for m in makers] == ["Acme"]
    assert paths[tree[1].pk].startswith(paths[dairy.pk])


def test_a_category_or_maker_changed_shows_on_the_next_page(client):
    dairy, drinks = category("Dairy"), category("Drinks")
    maker = ManufacturerFactory(name="Acme")
    client.get(HOME)  # the menu cached

    category_update(category=dairy, data={"name": "Milk and cheese"})
    manufacturer_update(manufacturer=maker, data={"name": "Acme Foods"})
    category_move(category=drinks, parent=category("Shop"))  # a move is an UPDATE: no signal, the service bumps
    html = client.get(HOME).content.decode()

    nav = html.split('class="category-bar"')[1].split("</nav>")[0]
    assert "Milk and cheese" in nav and "Dairy" not in nav
    assert "Drinks" not in nav and "Shop" in nav  # no longer a top-level category
    assert "Acme Foods" in html


def test_the_navigation_and_the_list_read_the_menu_once_per_request(client):
    category("Dairy")
    client.get(HOME)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("catalog:category", args=[menu.category_tree()[0].slug]))

    read = [q["sql"].replace('"', "").replace("`", "") for q in queries.captured_queries]
    assert not [sql for sql in read if "FROM catalog_category" in sql or "FROM catalog_manufacturer" in sql]
