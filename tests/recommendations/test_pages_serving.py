"""The shelves on the pages (no JavaScript): the product page's similar and bought-together sections,
the home page's for you / trending and recently viewed, the cart's, an empty search's; the link of a
shown product records the click and leads to the product."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations.models import RecommendationClick, RecommendationList
from tests.factories import CustomerFactory, category
from tests.orders.factories import filled_cart, stocked_product
from tests.recommendations.serving_factories import pairs_rebuilt, view

pytestmark = pytest.mark.django_db


def shelf_ids(response, placement: str) -> list[int]:
    """The product ids a shelf links to, in order (its links: /recommendations/r/<list>/<product>/)."""
    html = response.content.decode()
    start = html.find(f'id="rec-{placement}"')
    if start < 0:
        return []
    section = html[start:html.find("</section>", start)]
    import re

    return [int(m) for m in re.findall(r'/recommendations/r/[0-9a-f-]+/(\d+)/', section)]


def test_the_product_page_shows_bought_together_and_similar_and_records_them_seen(client):
    shoes = category("Shoes")
    a, b = stocked_product(name="Trail shoe", category=shoes), stocked_product(name="Trail sock", category=shoes)
    c = stocked_product(name="Road shoe", category=shoes)
    pairs_rebuilt([a, b], times=2)
    response = client.get(a.get_absolute_url())
    assert response.status_code == 200
    assert shelf_ids(response, "product_bought_together") == [b.pk]
    assert set(shelf_ids(response, "product_similar")) == {b.pk, c.pk}
    lists = RecommendationList.objects.order_by("placement")
    assert [row.placement for row in lists] == ["product_bought_together", "product_similar"]
    assert all(row.impressed_at is not None and row.channel == "web" for row in lists)


def test_the_lists_of_a_page_are_written_in_one_insert(client):
    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b, c], times=2)
    client.get(a.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        client.get(a.get_absolute_url())
    inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"] and "recommendationlist" in q["sql"]]
    assert len(inserts) == 1


def test_a_click_is_recorded_and_leads_to_the_product(client):
    a, b = stocked_product(quantity=50), stocked_product(quantity=50)
    pairs_rebuilt([a, b], times=2)
    client.get(a.get_absolute_url())
    served = RecommendationList.objects.get(placement="product_bought_together")
    response = client.get(reverse("recommendations:recommendation_click", args=[served.pk, b.pk]))
    assert response.status_code == 302 and response["Location"] == b.get_absolute_url()
    click = RecommendationClick.objects.get()
    assert (click.product_id, click.position) == (b.pk, 1)
    # another browser's click on that link leads to the product too, and records nothing
    from django.test import Client

    assert Client().get(reverse("recommendations:recommendation_click", args=[served.pk, b.pk])).status_code == 302
    assert RecommendationClick.objects.count() == 1
    assert client.get(reverse("recommendations:recommendation_click", args=[served.pk, 10**12])).status_code == 404


def test_home_shows_trending_to_a_visitor_and_for_you_and_recently_viewed_to_a_customer(client):
    a, b, hot = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b], times=2)
    for _ in range(3):
        view(hot, session_id="crowd")
    home = client.get(reverse("catalog:product_list"))
    assert shelf_ids(home, "home_trending") == [hot.pk]
    customer = CustomerFactory()
    client.force_login(customer)
    client.get(a.get_absolute_url())
    home = client.get(reverse("catalog:product_list"))
    assert shelf_ids(home, "home_for_you")[0] == b.pk
    assert shelf_ids(home, "home_recently_viewed") == [a.pk]
    # a category page is not the home page
    assert shelf_ids(client.get(reverse("catalog:category", args=[a.category.slug])), "home_for_you") == []


def test_the_cart_page_offers_what_goes_with_its_contents(client):
    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b, c], times=2)
    customer = CustomerFactory()
    filled_cart(customer, [(a, 1)])
    client.force_login(customer)
    page = client.get(reverse("orders:cart"))
    assert page.status_code == 200
    assert shelf_ids(page, "cart_bought_together") == [b.pk, c.pk]


def test_an_empty_search_shows_popular_in_its_category(client):
    shoes = category("Shoes")
    boot = stocked_product(name="Boot", category=shoes)
    stocked_product(name="Shirt")
    page = client.get(reverse("catalog:category", args=[shoes.slug]), {"q": "zzzqqq"})
    assert page.status_code == 200
    assert shelf_ids(page, "search_popular") == [boot.pk]
    assert "Popular in Shoes" in page.content.decode()


def test_a_failing_shelf_never_takes_the_page_down(client, monkeypatch):
    from recommendations.serving import serve

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(serve, "_candidates", broken)
    a = stocked_product()
    assert client.get(a.get_absolute_url()).status_code == 200
    assert client.get(reverse("catalog:product_list")).status_code == 200
