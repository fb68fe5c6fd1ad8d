"""Order analytics through the REST API, on a small known data set, and who may read them."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from orders.services.lifecycle import order_cancel
from orders.services.payments import order_refund
from tests.factories import CustomerFactory, SalesRegionFactory, StaffFactory, token_client
from tests.orders.factories import customer_in, paid_order, placed_order, stocked_product

pytestmark = pytest.mark.django_db


def eur(amount: str) -> dict:
    return {"amount": amount, "currency": "EUR"}


@pytest.fixture
def shop():
    """ada (north): 16.90 and 60.00 paid, 10.00 of it refunded, one cancelled; bob (south): 40.90 paid, one pending.

    Sales figures count paid orders only: 3 orders, totals 117.80, revenue 107.80 after the refund.
    Units: apples 4 (48.00), pears 2 (60.00); plums only in the pending and cancelled orders.
    """
    north, south = SalesRegionFactory(code="north"), SalesRegionFactory(code="south")
    ada, ada_address = customer_in(north)
    bob, bob_address = customer_in(south)
    apples, pears, plums = (stocked_product(quantity=20, price=price) for price in ("12.00", "30.00", "7.00"))
    paid_order([(apples, 1)], customer=ada, address=ada_address)
    big = paid_order([(pears, 2)], customer=ada, address=ada_address)
    order_refund(order=big, amount=Decimal("10.00"), reason="late")
    paid_order([(apples, 3)], customer=bob, address=bob_address)
    placed_order([(plums, 1)], customer=bob, address=bob_address)
    order_cancel(order=placed_order([(plums, 5)], customer=ada, address=ada_address), reason="test")
    seller = StaffFactory(groups=["Sales"])
    seller.sales_regions.add(north)
    return {"ada": ada, "bob": bob, "apples": apples, "pears": pears, "north": north, "seller": seller}


def test_statistics_for_all_orders(shop, support):
    response = support.get("/api/v1/orders/statistics/", {"period": "day"})

    assert response.status_code == 200
    stats = response.json()
    assert (stats["orders"], stats["revenue"], stats["average_order_value"]) == (3, eur("107.80"), eur("39.27"))
    assert {row["status"]: (row["count"], row["total"]["amount"]) for row in stats["by_status"]} == {
        "paid": (3, "117.80"), "pending": (1, "11.90"), "cancelled": (1, "39.90"),
    }
    assert [(row["orders"], row["revenue"]) for row in stats["by_period"]] == [(3, eur("107.80"))]


def test_sales_staff_figures_cover_their_region_only(shop):
    client = token_client(shop["seller"])

    stats = client.get("/api/v1/orders/statistics/").json()
    best = client.get("/api/v1/orders/best-sellers/").json()
    aov = client.get("/api/v1/orders/average-order-value/").json()

    assert (stats["orders"], stats["revenue"], stats["average_order_value"]) == (2, eur("66.90"), eur("38.45"))
    assert [(row["product_id"], row["units"], row["revenue"]) for row in best] == [
        (shop["pears"].pk, 2, eur("60.00")), (shop["apples"].pk, 1, eur("12.00"))
    ]
    assert aov["average_order_value"] == eur("38.45")


def test_best_sellers_by_units_revenue_and_category(shop, support):
    apples, pears = shop["apples"], shop["pears"]

    by_units = support.get("/api/v1/orders/best-sellers/").json()
    by_revenue = support.get("/api/v1/orders/best-sellers/", {"by": "revenue"}).json()
    in_category = support.get("/api/v1/orders/best-sellers/", {"category": pears.category.slug}).json()
    top_one = support.get("/api/v1/orders/best-sellers/", {"limit": 1}).json()

    assert [(row["code"], row["units"], row["revenue"]["amount"]) for row in by_units] == [
        (apples.code, 4, "48.00"), (pears.code, 2, "60.00")
    ]
    assert [row["product_id"] for row in by_revenue] == [pears.pk, apples.pk]
    assert [row["product_id"] for row in in_category] == [pears.pk]
    assert [row["product_id"] for row in top_one] == [apples.pk]


def test_average_order_value_over_a_period(shop, support):
    everything = support.get("/api/v1/orders/average-order-value/").json()
    long_ago = support.get("/api/v1/orders/average-order-value/", {"date_from": "2000-01-01", "date_to": "2000-12-31"}).json()

    assert everything == {"date_from": None, "date_to": None, "average_order_value": eur("39.27")}
    assert long_ago["average_order_value"] == eur("0.00")


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/orders/statistics/", {"period": "year"}, "period"),
        ("/api/v1/orders/statistics/", {"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to"),
        ("/api/v1/orders/best-sellers/", {"by": "profit"}, "by"),
        ("/api/v1/orders/best-sellers/", {"category": "no-such-category"}, "category"),
        ("/api/v1/orders/best-sellers/", {"limit": "101"}, "limit"),
        ("/api/v1/orders/average-order-value/", {"date_to": "soon"}, "date_to"),
    ],
)
def test_bad_analytics_parameters_are_named(support, url, params, field):
    response = support.get(url, params)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


@pytest.mark.parametrize(
    "url", ["/api/v1/orders/statistics/", "/api/v1/orders/best-sellers/", "/api/v1/orders/average-order-value/"]
)
def test_shop_figures_are_not_for_customers(shop, url):
    assert token_client(shop["ada"]).get(url).status_code == 403
    assert APIClient().get(url).status_code == 401


def test_a_customers_purchase_pattern_and_lifetime_value(shop):
    ada, apples, pears = shop["ada"], shop["apples"], shop["pears"]
    client = token_client(ada)

    pattern = client.get(f"/api/v1/customers/{ada.pk}/purchase-pattern/")
    value = client.get(f"/api/v1/customers/{ada.pk}/lifetime-value/")

    assert pattern.status_code == 200
    body = pattern.json()
    assert (body["customer_id"], body["orders"], body["average_days_between_orders"]) == (ada.pk, 2, "0.0")
    assert [(row["category_id"], row["units"]) for row in body["favourite_categories"]] == [
        (pears.category_id, 2), (apples.category_id, 1)
    ]
    assert body["typical_basket"]["median_items"] == 2
    assert body["typical_basket"]["average_total"] == eur("38.45")
    assert {row["product_id"] for row in body["typical_basket"]["usual_products"]} == {apples.pk, pears.pk}
    assert body["lifetime_value"] == eur("66.90")
    assert value.json() == {"customer_id": ada.pk, "lifetime_value": eur("66.90")}


def test_a_customer_without_orders_has_an_empty_pattern():
    newcomer = CustomerFactory()

    body = token_client(newcomer).get(f"/api/v1/customers/{newcomer.pk}/purchase-pattern/").json()

    assert body == {"customer_id": newcomer.pk, "orders": 0, "average_days_between_orders": None,
                    "favourite_categories": [], "typical_basket": None, "lifetime_value": eur("0.00")}


@pytest.mark.parametrize("figure", ["purchase-pattern", "lifetime-value"])
def test_who_may_read_a_customers_figures(shop, support, figure):
    ada, bob = shop["ada"], shop["bob"]
    seller = token_client(shop["seller"])
    dispatcher = token_client(StaffFactory(groups=["Dispatchers"]))  # all orders, but no view_customers

    def status(client, customer_id):
        return client.get(f"/api/v1/customers/{customer_id}/{figure}/").status_code

    assert status(support, ada.pk) == status(support, bob.pk) == 200
    assert (status(seller, ada.pk), status(seller, bob.pk)) == (200, 403)  # Sales: their region only
    assert status(token_client(bob), ada.pk) == 403
    assert status(dispatcher, ada.pk) == 403
    assert status(support, 999_999) == 404
    assert status(seller, 999_999) == 403  # no hint whether someone outside the region exists
    assert APIClient().get(f"/api/v1/customers/{ada.pk}/{figure}/").status_code == 401
