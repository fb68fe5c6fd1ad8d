"""Order amounts add up, in one meaning on every surface.

``subtotal`` is quantity x unit price of every line; ``discount`` is every discount, on lines, on
the order and on shipping; ``shipping`` is the shipping charge before any shipping discount;
``shipping_discount`` is the part of ``discount`` taken off shipping; and
``total = subtotal - discount + shipping`` on the cart answer, the stored order, its read-model
row and the order answers alike. The database refuses an order whose amounts do not add up.
"""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from commerce import locks
from orders.models import Order, OrderSummary
from orders.services.checkout import order_create_from_cart
from tests.factories import UserFactory
from tests.orders.factories import customer_with_address, filled_cart, stocked_product
from tests.promotions.factories import PromotionFactory

pytestmark = pytest.mark.django_db

ORDER_AMOUNTS = ("subtotal", "discount", "shipping", "shipping_discount", "total")


def _amounts_of(answer: dict, discount_key: str = "discount") -> dict:
    return {
        "subtotal": Decimal(answer["subtotal"]["amount"]),
        "discount": Decimal(answer[discount_key]["amount"]),
        "shipping": Decimal(answer["shipping"]["amount"]),
        "shipping_discount": Decimal(answer["shipping_discount"]["amount"]),
        "total": Decimal(answer["total"]["amount"]),
    }


def _stored(row) -> dict:
    return {name: getattr(row, f"{name}_amount") for name in ORDER_AMOUNTS}


def assert_adds_up(amounts: dict) -> None:
    assert amounts["total"] == amounts["subtotal"] - amounts["discount"] + amounts["shipping"], amounts
    assert Decimal(0) <= amounts["shipping_discount"] <= min(amounts["shipping"], amounts["discount"]), amounts
    assert all(value >= 0 for value in amounts.values()), amounts


def place_and_read(customer, address, items) -> tuple[dict, Order, dict]:
    """The cart answer, then the order placed through the service, and its answers (detail, list)."""
    filled_cart(customer, items)
    client = APIClient()
    client.force_authenticate(customer)
    cart = _amounts_of(client.get("/api/v1/cart/").json(), discount_key="discount_total")
    order = order_create_from_cart(customer=customer, address_id=address.pk, payment_method="cod")
    detail = client.get(f"/api/v1/orders/{order.number}/").json()
    [listed] = client.get("/api/v1/orders/").json()["results"]
    return cart, order, {"detail": _amounts_of(detail), "list": _amounts_of(listed)}


def check_every_surface(cart: dict, order: Order, answers: dict) -> None:
    stored = _stored(Order.objects.get(pk=order.pk))
    summary = _stored(OrderSummary.objects.get(order_id=order.pk))
    for amounts in (cart, stored, summary, answers["detail"], answers["list"]):
        assert_adds_up(amounts)
    # one meaning: the order keeps what the cart showed, and every surface says the same
    assert stored == cart == summary == answers["detail"] == answers["list"]


# --- worked examples ----------------------------------------------------------------------------------
def test_free_shipping_is_a_discount_on_shipping_before_its_discount():
    # given 2 x 10.00 (below the free-shipping threshold: 4.90 shipping) and a free-shipping promotion
    PromotionFactory(free_shipping=True)
    customer, address = customer_with_address()
    cart, order, answers = place_and_read(customer, address, [(stocked_product(price="10.00"), 2)])
    # then shipping is 4.90 before its discount, the discount holds those 4.90, the total 20.00
    assert cart == {"subtotal": Decimal("20.00"), "discount": Decimal("4.90"), "shipping": Decimal("4.90"),
                    "shipping_discount": Decimal("4.90"), "total": Decimal("20.00")}
    check_every_surface(cart, order, answers)


def test_the_order_page_and_the_admin_show_the_same_amounts(client):
    # given 2 x 10.00 with free shipping: 20.00 - 4.90 + 4.90 = 20.00
    PromotionFactory(free_shipping=True, name="Free delivery")
    customer, address = customer_with_address()
    _, order, _ = place_and_read(customer, address, [(stocked_product(price="10.00"), 2)])
    client.force_login(customer)
    page = re.sub(r"\s+", " ", client.get(reverse("orders:order_detail", args=[order.number])).content.decode())
    # the page: shipping before its discount, the promotion that took it off, the total
    assert "<dt>Subtotal</dt><dd>20.00 EUR</dd>" in page
    assert "Free delivery" in page and "−4.90 EUR" in page
    assert "<dt>Shipping</dt><dd>4.90 EUR</dd>" in page
    assert '<dt class="total">Total</dt><dd class="total">20.00 EUR</dd>' in page
    # the admin: the same figures, the shipping discount named
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    admin = re.sub(r"\s+", " ", client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode())
    for label, value in (("Shipping (before its discount)", "4.90 EUR"), ("Of the discount, on shipping", "4.90 EUR"),
                         ("Discount", "4.90 EUR"), ("Total", "20.00 EUR")):
        assert re.search(rf"<label>{re.escape(label)}:</label> <div class=\"readonly\">{re.escape(value)}</div>", admin), label


def test_a_shipping_discount_and_an_order_discount_add_up_together():
    # given 3 x 5.00, 10 % off the order and 2.00 off shipping
    PromotionFactory(percent=Decimal("10"))
    PromotionFactory(fixed=True, discount_class="shipping", amount=Decimal("2.00"))
    customer, address = customer_with_address()
    cart, order, answers = place_and_read(customer, address, [(stocked_product(price="5.00"), 3)])
    assert cart == {"subtotal": Decimal("15.00"), "discount": Decimal("3.50"), "shipping": Decimal("4.90"),
                    "shipping_discount": Decimal("2.00"), "total": Decimal("16.40")}
    check_every_surface(cart, order, answers)


def test_the_database_refuses_an_order_whose_amounts_do_not_add_up():
    customer, address = customer_with_address()
    filled_cart(customer, [(stocked_product(price="10.00"), 1)])
    order = order_create_from_cart(customer=customer, address_id=address.pk, payment_method="cod")
    broken = [
        {"total_amount": order.total_amount + Decimal("0.01")},
        {"shipping_amount": order.shipping_amount - Decimal("0.01")},
        {"discount_amount": Decimal("-1.00"), "total_amount": order.total_amount + Decimal("1.00")},
        {"shipping_discount_amount": order.shipping_amount + Decimal("1.00"), "discount_amount": Decimal("5.90"),
         "total_amount": order.total_amount - Decimal("5.90")},
        {"refunded_amount": Decimal("1.00")},  # more refunded than paid (nothing)
    ]
    for values in broken:
        with pytest.raises(IntegrityError), transaction.atomic():
            Order.objects.filter(pk=order.pk).update(**values)
        with pytest.raises(IntegrityError), transaction.atomic():
            OrderSummary.objects.filter(order_id=order.pk).update(
                **{k: v for k, v in values.items() if k != "refunded_amount"} or {"refunded_amount": Decimal("-1")})


# --- any cart, any promotions -------------------------------------------------------------------------
PROMOTIONS = st.one_of(
    st.builds(lambda p: {"percent": Decimal(p)}, st.integers(1, 60)),
    st.builds(lambda a: {"fixed": True, "amount": Decimal(a) / 100}, st.integers(50, 4000)),
    st.just({"free_shipping": True}),
    st.builds(lambda p: {"discount_class": "shipping", "percent": Decimal(p)}, st.integers(5, 100)),
    st.builds(lambda a: {"fixed": True, "discount_class": "shipping", "amount": Decimal(a) / 100}, st.integers(10, 900)),
    st.builds(lambda p: {"discount_class": "product", "percent": Decimal(p)}, st.integers(5, 50)),
    st.just({"buy_x_get_y": True}),
)
ITEMS = st.lists(st.tuples(st.integers(1, 4000), st.integers(1, 4)), min_size=1, max_size=4)  # (price in cents, quantity)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=ITEMS, promotions=st.lists(PROMOTIONS, max_size=4), exclusive=st.booleans())
def test_any_cart_with_any_promotions_places_an_order_whose_amounts_add_up(items, promotions, exclusive):
    # every example in its own savepoint, rolled back: no promotion or order leaks into the next (a
    # lock batch: each service in it is checked against the lock order as its own transaction)
    with locks.batch():
        cache.clear()
        for i, kwargs in enumerate(promotions):
            PromotionFactory(**kwargs, exclusive=exclusive and i == 0)
        customer, address = customer_with_address()
        lines = [(stocked_product(price=str(Decimal(cents) / 100), quantity=10), quantity) for cents, quantity in items]
        cart, order, answers = place_and_read(customer, address, lines)
        check_every_surface(cart, order, answers)
        transaction.set_rollback(True)


# --- the migration that fixes stored orders -----------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_shipping_discount_out_of_shipping_on_existing_orders():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("orders", "0005_idempotency_lease")], [("orders", "0006_order_amounts_add_up")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    customer, address = customer_with_address()
    # given an order stored the old way: 20.00 with free shipping, shipping stored after its discount
    free = {"key": "promotion:1", "name": "Free shipping", "amount": "4.90", "currency": "EUR", "line_amounts": {},
            "shipping_amount": "4.90", "code": ""}
    common = {"customer_id": customer.pk, "payment_method": "cod", "currency": "EUR", "shipping_address": {},
              "subtotal_amount": Decimal("20.00")}
    OldOrder, OldSummary = old.get_model("orders", "Order"), old.get_model("orders", "OrderSummary")
    shipped_free = OldOrder.objects.create(number="AAAAA-00001", discount_amount=Decimal("4.90"), shipping_amount=Decimal("0"),
                                        total_amount=Decimal("20.00"), applied_promotions=[free], **common)
    plain = OldOrder.objects.create(number="AAAAA-00002", discount_amount=Decimal("0"), shipping_amount=Decimal("4.90"),
                                 total_amount=Decimal("24.90"), **common)
    for order in (shipped_free, plain):
        OldSummary.objects.create(order_id=order.pk, number=order.number, customer_id=customer.pk, status="pending",
                               payment_status="unpaid", payment_method="cod", currency="EUR", item_count=2, lines=[],
                               product_codes="||", placed_at=order.placed_at, updated_at=order.placed_at, version=1,
                               subtotal_amount=order.subtotal_amount, discount_amount=order.discount_amount,
                               shipping_amount=order.shipping_amount, total_amount=order.total_amount)

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    # then shipping is before its discount, which is stored apart, and both add up
    for number, expected in (("AAAAA-00001", (Decimal("4.90"), Decimal("4.90"))), ("AAAAA-00002", (Decimal("4.90"), 0))):
        order = Order.objects.get(number=number)
        summary = OrderSummary.objects.get(order_id=order.pk)
        for row in (order, summary):
            assert (row.shipping_amount, row.shipping_discount_amount) == expected
            assert_adds_up(_stored(row))
