"""Guest checkout over REST: a cart by its token, checkout through the page's service (stock,
promotions, idempotency, the confirmation mail), the order by its link's token or a look-up; throttled."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from commerce.audit.models import DomainEvent
from commerce.catalog.inventory import available_quantities
from commerce.mail.models import Mail
from orders.models import IdempotencyRecord, Order, SandboxCharge
from tests.orders.factories import API_DECLINED_CARD, API_GOOD_CARD, stocked_product

pytestmark = pytest.mark.django_db

ADDRESS = {"recipient": "Ann Guest", "street": "3 Rue Neuve", "zip_code": "69001", "city": "Lyon", "country": "fr"}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def new_cart(api, *lines) -> str:
    response = api.post("/api/v1/guest/carts/")
    assert response.status_code == 201, response.json()
    token = response.json()["cart_token"]
    for product, quantity in lines:
        added = api.post("/api/v1/guest/cart/items/", {"product_id": product.pk, "quantity": quantity}, format="json",
                         HTTP_X_GUEST_CART=token)
        assert added.status_code == 200, added.json()
    return token


def body(**overrides):
    return {"email": "Ann.Guest@Example.com", "address": ADDRESS, "payment_method": "card", "card": API_GOOD_CARD, **overrides}


def test_a_guest_checks_out_through_the_api_and_follows_the_order_by_its_token(api, django_capture_on_commit_callbacks):
    mug = stocked_product(price="12.00", quantity=10, name="Stone Mug")
    token = new_cart(api, (mug, 2))
    cart = api.get("/api/v1/guest/cart/", HTTP_X_GUEST_CART=token).json()
    assert cart["item_count"] == 2 and cart["total"]["amount"] == "28.90"  # 24.00 + 4.90 shipping

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/guest/checkout/", body(expected_total="28.90"), format="json",
                            HTTP_X_GUEST_CART=token, HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 201, response.json()
    placed = response.json()
    order = Order.objects.get(number=placed["number"])
    assert (order.customer_id, order.guest_email, order.status, order.payment_status) == (None, "ann.guest@example.com", "paid", "paid")
    assert available_quantities([mug.pk])[mug.pk] == 8
    assert Mail.objects.filter(to__iexact="ann.guest@example.com", template="orders/mail/confirmation").count() == 1
    assert DomainEvent.objects.filter(event_type="orders.order.created", payload__order_id=order.pk).exists()
    # the cart is checked out: its token opens nothing more
    assert api.get("/api/v1/guest/cart/", HTTP_X_GUEST_CART=token).status_code == 404
    # the order by its token, and by the look-up
    detail = api.get(f"/api/v1/guest/orders/{placed['order_token']}/")
    assert detail.status_code == 200 and detail.json()["number"] == order.number
    found = api.post("/api/v1/guest/orders/lookup/", {"number": order.number, "email": "ANN.guest@example.com"}, format="json")
    assert found.status_code == 200 and found.json()["number"] == order.number
    assert "batch_number" not in str(detail.json())  # batches are for staff


def test_a_repeat_with_the_same_key_replays_one_order_and_one_charge(api):
    token = new_cart(api, (stocked_product(price="10.00"), 1))
    first = api.post("/api/v1/guest/checkout/", body(), format="json", HTTP_X_GUEST_CART=token, HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/guest/checkout/", body(), format="json", HTTP_X_GUEST_CART=token, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["number"] == first.json()["number"]
    assert Order.objects.count() == 1 and SandboxCharge.objects.count() == 1
    assert IdempotencyRecord.objects.get().guest == token


def test_a_declined_card_puts_the_items_back_in_the_guest_cart(api):
    product = stocked_product(price="10.00", quantity=3)
    token = new_cart(api, (product, 2))
    response = api.post("/api/v1/guest/checkout/", body(card=API_DECLINED_CARD), format="json", HTTP_X_GUEST_CART=token)
    assert response.status_code == 402 and response.json()["code"] == "payment_declined"
    lines = api.get("/api/v1/guest/cart/", HTTP_X_GUEST_CART=token).json()["lines"]
    assert [(line["product"]["id"], line["quantity"]) for line in lines] == [(product.pk, 2)]
    assert available_quantities([product.pk])[product.pk] == 3


@pytest.mark.parametrize("change, status, code", [
    ({"email": "not-an-address"}, 400, "invalid"),
    ({"address": {**ADDRESS, "country": ""}}, 400, "invalid"),
    ({"address": {**ADDRESS, "planet": "Mars"}}, 400, "unknown_field"),
    ({"payment_method": "card", "card": None}, 400, "invalid"),
    ({"expected_total": "1.00"}, 409, "cart_changed"),
    ({"unit_price": "0.01"}, 400, "unknown_field"),
])
def test_bad_input_is_refused_and_changes_nothing(api, change, status, code):
    product = stocked_product(price="10.00", quantity=3)
    token = new_cart(api, (product, 1))
    response = api.post("/api/v1/guest/checkout/", body(**change), format="json", HTTP_X_GUEST_CART=token)
    assert (response.status_code, response.json()["code"]) == (status, code), response.json()
    assert not Order.objects.exclude(status="voided").exists() and available_quantities([product.pk])[product.pk] == 3


@pytest.mark.parametrize("token", [None, "", "api_unknown", "x" * 200, "abcdefghijklmnopqrstuvwxyz012345"])
def test_an_unknown_or_session_token_opens_no_cart(api, client, token):
    headers = {} if token is None else {"HTTP_X_GUEST_CART": token}
    assert api.get("/api/v1/guest/cart/", **headers).status_code == 404
    assert api.post("/api/v1/guest/cart/items/", {"product_id": 1, "quantity": 1}, format="json", **headers).status_code == 404
    checkout = api.post("/api/v1/guest/checkout/", body(), format="json", **headers)
    # a well-formed token without an open cart is the page's answer: an empty cart (a replay after
    # checkout finds its cart checked out, and its idempotency record answers first)
    assert (checkout.status_code, checkout.json()["code"]) == ((400, "cart_empty") if token == "api_unknown" else
                                                              (404, "guest_cart_not_found"))


def test_a_page_session_cart_is_not_reachable_through_the_api(api, client):
    from django.urls import reverse

    product = stocked_product()
    client.post(reverse("orders:cart_add"), {"product_id": product.pk, "quantity": 1})
    assert api.get("/api/v1/guest/cart/", HTTP_X_GUEST_CART=client.session.session_key).status_code == 404


def test_guest_checkout_is_throttled_per_client(api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "guest_checkout": "2/hour", "guest_lookup": "2/hour"}}
    token = new_cart(api)
    answers = [api.post("/api/v1/guest/checkout/", body(), format="json", HTTP_X_GUEST_CART=token).status_code for _ in range(3)]
    assert answers == [400, 400, 429]  # an empty cart twice, then throttled
    looks = [api.post("/api/v1/guest/orders/lookup/", {"number": "X", "email": "a@b.co"}, format="json").status_code
             for _ in range(3)]
    assert looks == [404, 404, 429]


def test_guest_checkout_switched_off_is_refused(api, settings):
    settings.ORDERS_GUEST_CHECKOUT = False
    response = api.post("/api/v1/guest/carts/")
    assert response.status_code == 403 and response.json()["code"] == "cannot_place_orders"


def test_an_automatic_promotion_prices_the_guest_cart_and_its_order_alike(api):
    from tests.promotions.factories import PromotionFactory

    product = stocked_product(price="20.00")
    PromotionFactory(discount_class="product", targets=[product], percent=Decimal("25"))
    token = new_cart(api, (product, 1))
    cart = api.get("/api/v1/guest/cart/", HTTP_X_GUEST_CART=token).json()
    assert cart["discount_total"]["amount"] == "5.00"
    response = api.post("/api/v1/guest/checkout/", body(payment_method="cod", card=None), format="json", HTTP_X_GUEST_CART=token)
    assert response.status_code == 201 and response.json()["total"]["amount"] == "19.90"


def test_a_customers_only_code_is_refused_to_a_guest_with_the_sign_in_message(api):
    from tests.factories import CustomerFactory
    from tests.promotions.factories import CouponFactory

    token = new_cart(api, (stocked_product(), 1))
    coupon = CouponFactory(assigned_to=CustomerFactory())
    response = api.post("/api/v1/guest/cart/coupons/", {"code": coupon.code}, format="json", HTTP_X_GUEST_CART=token)
    assert response.status_code in (400, 403, 409) and "log in or sign up" in response.json()["detail"]
    assert api.get("/api/v1/guest/cart/", HTTP_X_GUEST_CART=token).json()["coupons"] == []


def test_the_schema_documents_the_guest_operations():
    import io

    import yaml
    from django.core.management import call_command

    out = io.StringIO()
    call_command("spectacular", "--validate", stdout=out)
    paths = yaml.safe_load(out.getvalue())["paths"]
    assert {"/api/v1/guest/carts/", "/api/v1/guest/cart/", "/api/v1/guest/checkout/", "/api/v1/guest/orders/lookup/",
            "/api/v1/guest/orders/{order_token}/", "/api/v1/guest/cart/coupons/"} <= set(paths)
