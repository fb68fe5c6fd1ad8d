"""No input may cause a 500: hostile values through the API, the shop's pages and the admin.

Each case here was a 500 before (Unicode digits that ``isdigit()`` accepts and ``int()`` refuses,
ids past 64 bits, NUL bytes, a ``next`` that ``redirect()`` took for a URL name, a date-hierarchy
year of 400 digits, a partial tier in a PATCH, ...), or is its close neighbour. Every answer is a
4xx in the API's error format, the page's form error, or the page itself; nothing changes.
"""

from urllib.parse import quote

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from commerce.audit.models import DomainEvent
from commerce.catalog.models import StockBatch
from orders.models import Cart, CartLine, Order
from promotions.models import Promotion
from tests.factories import UserFactory
from tests.orders.factories import customer_with_address, placed_order, stocked_product
from tests.promotions.factories import CampaignFactory, CouponBatchFactory, PromotionFactory

pytestmark = pytest.mark.django_db

#: text that is not what it looks like: Unicode digits, NUL bytes, overlong and out-of-range numbers
HOSTILE = {
    "superscript": "\u00b9\u00b2\u00b3",
    "arabic_indic": "\u0663",
    "math_digits": "\U0001d7d8\U0001d7d9",
    "nul": "\x00",
    "nul_inside": "1\x00",
    "huge": "9" * 400,
    "huge_negative": "-" + "9" * 30,
    "past_64_bits": str(2**64),
    "negative": "-1",
    "zero": "0",
    "exponent": "1e999",
    "nan": "NaN",
    "overlong": "x" * 5000,
    "bad_date": "2026-13-45",
    "list": "1,\u00b9,\u0663",
}
#: raw query-string bytes that are not UTF-8
INVALID_UTF8 = ["%ff%fe", "%c0%af", "%ed%a0%80"]


def query(value: str) -> str:
    return quote(value, safe="")


def is_error_format(response) -> bool:
    body = response.json()
    return set(body) >= {"code", "detail", "fields"} and isinstance(body["fields"], dict)


def state():
    return (
        Order.objects.count(), Cart.objects.count(), CartLine.objects.count(), Promotion.objects.count(),
        list(StockBatch.objects.order_by("id").values_list("quantity_on_hand", "quantity_reserved")),
        DomainEvent.objects.count(),
    )


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def api(superuser):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=superuser).key}")
    return client


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    rates = {scope: "100000/minute" for scope in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


# --- the API -------------------------------------------------------------------------------------------
API_QUERIES = [
    ("/api/v1/products/", "manufacturer"),
    ("/api/v1/products/", "category"),
    ("/api/v1/products/", "min_price"),
    ("/api/v1/products/", "in_stock"),
    ("/api/v1/products/", "ordering"),
    ("/api/v1/products/", "page"),
    ("/api/v1/products/", "page_size"),
    ("/api/v1/promotions/", "campaign"),
    ("/api/v1/promotions/", "status"),
    ("/api/v1/events/", "customer_id"),
    ("/api/v1/events/", "since"),
    ("/api/v1/orders/", "status"),
    ("/api/v1/orders/statistics/", "since"),
]


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize(("url", "param"), API_QUERIES)
def test_hostile_query_parameters_are_answered_without_a_server_error(api, url, param, value):
    PromotionFactory(campaign=CampaignFactory())

    response = api.get(f"{url}?{param}={query(value)}")

    assert response.status_code < 500
    if response.status_code >= 400:
        assert is_error_format(response)


@pytest.mark.parametrize("raw", INVALID_UTF8)
@pytest.mark.parametrize("url", ["/api/v1/products/?manufacturer=", "/api/v1/products/?q=", "/api/v1/promotions/?campaign="])
def test_query_strings_that_are_not_utf8_are_answered_without_a_server_error(api, url, raw):
    response = api.get(url + raw)

    assert response.status_code < 500


@pytest.mark.parametrize("segment", ["9" * 19, "9" * 30, "9" * 400, str(2**63)])
@pytest.mark.parametrize(
    "template",
    ["/api/v1/products/{}/", "/api/v1/products/{}/availability/", "/api/v1/promotions/{}/", "/api/v1/campaigns/{}/",
     "/api/v1/segments/{}/", "/api/v1/coupon-batches/{}/statistics/", "/api/v1/customers/{}/lifetime-value/",
     "/api/v1/me/addresses/{}/", "/api/v1/orders/{}/"],
)
def test_ids_past_the_id_range_in_paths_are_404(api, template, segment):
    response = api.get(template.format(segment))

    assert response.status_code == 404
    assert is_error_format(response)


@pytest.mark.parametrize(
    "body",
    ['[{"product_id": 1, "quantity": 1}]', '"text"', "1", "null", "true", '{"product_id": {"a": 1}, "quantity": [1]}',
     '{"product_id": "\\u0000", "quantity": "\\u00b9"}', '{"product_id": 1e999, "quantity": 1}',
     '{"product_id": 18446744073709551616, "quantity": 1}', '{"product_id": -1, "quantity": -1}'],
)
def test_bodies_of_the_wrong_shape_are_4xx_and_change_nothing(body):
    customer, _ = customer_with_address()
    client = APIClient()
    client.force_authenticate(customer)
    before = state()

    response = client.post("/api/v1/cart/items/", body, content_type="application/json")

    assert response.status_code in (400, 404)  # 404 product_not_found for an id no product has
    assert is_error_format(response)
    assert state() == before


@pytest.mark.parametrize("body", [b'{"street": "\xff\xfe"}', b"\xef\xbb\xbf{}", b"\x00"])
def test_bodies_that_are_not_utf8_json_are_400_malformed_request(body):
    client = APIClient()
    client.force_authenticate(customer_with_address()[0])

    response = client.post("/api/v1/me/addresses/", body, content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (400, "malformed_request")


@pytest.mark.parametrize("tier", [{}, {"min_quantity": 3}, {"percent": "10.00"}, {"min_quantity": "\u00b9", "percent": "1"}])
def test_a_patch_with_an_incomplete_tier_is_400_and_changes_nothing(api, tier):
    promotion = PromotionFactory(tiered=True, tiers=[(2, "5.00")])
    before = list(promotion.tiers.values_list("min_quantity", "percent"))

    response = api.patch(f"/api/v1/promotions/{promotion.pk}/", {"tiers": [tier]}, format="json")

    assert response.status_code == 400
    assert is_error_format(response) and "tiers" in str(response.json()["fields"])
    assert list(promotion.tiers.values_list("min_quantity", "percent")) == before


# --- the shop's pages ------------------------------------------------------------------------------------
PAGE_PARAMS = ["q", "page", "per_page", "sort", "category", "manufacturer", "min_price", "max_price", "in_stock"]


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("param", PAGE_PARAMS)
def test_the_catalog_page_answers_hostile_filters_with_the_page(client, param, value):
    stocked_product()

    response = client.get(f"/?{param}={query(value)}")

    assert response.status_code == 200


@pytest.mark.parametrize("raw", INVALID_UTF8)
@pytest.mark.parametrize("url", ["/?q=", "/?page=", "/orders/?page=", "/accounts/coupons/?status="])
def test_pages_answer_query_strings_that_are_not_utf8(client, url, raw):
    client.force_login(customer_with_address()[0])

    assert client.get(url + raw).status_code < 500


@pytest.mark.parametrize("value", ["0", "NaN", "\u00b9", "cart", "orders:cart", "//evil.example/", "https://evil.example/", "/\x00"])
def test_a_next_that_is_not_a_path_on_this_site_falls_back_to_the_cart(client, value):
    """``redirect("0")`` read "0" as a URL pattern's name: NoReverseMatch, a 500."""
    product = stocked_product()

    response = client.post("/cart/add/", {"product_id": product.pk, "quantity": 1, "next": value})

    assert response.status_code == 302
    assert response["Location"] == "/cart/"


def test_a_next_that_is_a_path_on_this_site_is_followed(client):
    product = stocked_product()

    response = client.post("/cart/add/", {"product_id": product.pk, "quantity": 1, "next": f"/products/{product.slug}/"})

    assert response["Location"] == f"/products/{product.slug}/"


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("field", ["product_id", "quantity"])
def test_adding_to_the_cart_with_hostile_values_changes_nothing(client, field, value):
    product = stocked_product()
    before = state()

    response = client.post("/cart/add/", {"product_id": product.pk, "quantity": 1, field: value})

    assert response.status_code == 302
    assert state() == before


# --- the admin ---------------------------------------------------------------------------------------------
@pytest.fixture
def admin_user_client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


ADMIN_QUERIES = [
    # date hierarchies: a 400-digit year overflowed, 9999 had no next year
    "/admin/orders/order/?placed_at__year={}",
    "/admin/audit/domainevent/?occurred_at__year={}",
    "/admin/catalog/stockbatch/?received_at__year={}&received_at__month=12",
    # foreign keys and custom filters by id
    "/admin/catalog/stockbatch/?product={}",
    "/admin/catalog/stockbatch/?category={}",
    "/admin/catalog/product/?category={}",
    "/admin/orders/order/?customer={}",
    # the tools that take ids from the query string
    "/admin/catalog/stockbatch/receive/?product={}",
    "/admin/catalog/stockbatch/adjust/?ids={}",
    "/admin/orders/order/ship/?ids={}",
    "/admin/orders/order/cancel/?ids={}",
    "/admin/promotions/promotion/simulate/?promotion={}",
    "/admin/promotions/promotion/simulate/?product_0={}&quantity_0=1",
]


@pytest.mark.parametrize("value", [*HOSTILE.values(), "9999"], ids=[*HOSTILE.keys(), "year_9999"])
@pytest.mark.parametrize("template", ADMIN_QUERIES)
def test_admin_pages_answer_hostile_query_parameters_without_a_server_error(admin_user_client, template, value):
    placed_order([(stocked_product(), 1)])
    before = state()

    response = admin_user_client.get(template.format(query(value)))

    assert response.status_code < 500
    assert state() == before


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize(
    ("url", "field"),
    [("/admin/catalog/stockbatch/receive/", "product"), ("/admin/catalog/stockbatch/adjust/", "ids"),
     ("/admin/orders/order/ship/", "ids"), ("/admin/orders/order/cancel/", "ids")],
)
def test_admin_forms_answer_hostile_values_without_a_server_error_and_change_nothing(admin_user_client, url, field, value):
    placed_order([(stocked_product(), 1)])
    before = state()

    response = admin_user_client.post(url, {field: value, "quantity": "1", "batch_number": "LOT-X", "received_at": "2026-01-01"})

    assert response.status_code < 500
    assert state() == before


@pytest.mark.parametrize("object_id", ["%C2%B9", "9" * 30, "%00", "-1"])
@pytest.mark.parametrize("admin_url", ["catalog/stockbatch", "catalog/product", "promotions/couponbatch", "promotions/promotion"])
def test_admin_change_pages_of_ids_that_are_not_ids_do_not_fail(admin_user_client, admin_url, object_id):
    CouponBatchFactory()

    response = admin_user_client.get(f"/admin/{admin_url}/{object_id}/change/")

    assert response.status_code in (302, 404)


@pytest.mark.parametrize("value", ["\u0663", "\uff11\uff12", "\u00b9"])
def test_a_price_filter_in_other_digits_is_the_form_error_not_a_filter(client, value):
    stocked_product(price="1.00")

    html = client.get(f"/?min_price={query(value)}").content.decode()

    assert "Enter a number." in html


@pytest.mark.parametrize(
    ("parent_id", "params", "status"),
    [("%C2%B9", "", 404), ("9" * 30, "", 404), ("NaN", "", 404), ("{root}", "?batch_number=1", 400), ("{root}", "?node_id=%C2%B9", 400)],
)
def test_the_category_trees_children_view_refuses_ids_and_filters_it_cannot_use(admin_user_client, parent_id, params, status):
    """treebeard's JSON view for expanding a node looked these up unchecked (ValueError, OverflowError, FieldError)."""
    from tests.factories import category

    root = category("Root")

    response = admin_user_client.get(f"/admin/catalog/category/children/{parent_id.format(root=root.pk)}/{params}")

    assert response.status_code == status


def test_the_category_trees_children_view_still_expands_a_node(admin_user_client):
    from tests.factories import category

    root = category("Root")
    category("Leaf", parent=root)

    response = admin_user_client.get(f"/admin/catalog/category/children/{root.pk}/")

    assert response.status_code == 200
    assert "Leaf" in response.json()["result_html"]
