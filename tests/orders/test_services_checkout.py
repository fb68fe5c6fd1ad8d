from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.accounts.errors import AddressNotFound
from commerce.audit.models import DomainEvent
from commerce.catalog.errors import InsufficientStock
from commerce.catalog.models import StockBatch, StockReservation
from commerce.catalog.services import product_update
from orders.errors import CartEmpty, CartNeedsReview, NotAllowedToOrder, PaymentMethodInvalid
from orders.models import Cart, Order, OrderSummary
from orders.services.checkout import order_create_from_cart
from tests.factories import AddressFactory, SalesRegionFactory, UserFactory
from tests.orders.factories import customer_with_address, filled_cart, stock_drops, stocked_product

pytestmark = pytest.mark.django_db


def test_checkout_creates_the_whole_order_with_reservations_events_and_summary(spans):
    customer, address = customer_with_address()
    apples, pears = stocked_product(price="2.50"), stocked_product(price="4.00")
    cart = filled_cart(customer, [(apples, 4), (pears, 1)])

    order = order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="card")

    assert order.status == Order.Status.PENDING and order.payment_status == Order.PaymentStatus.UNPAID
    assert (order.subtotal_amount, order.shipping_amount, order.total_amount) == (Decimal("14.00"), Decimal("4.90"), Decimal("18.90"))
    assert [(line.product_code, line.quantity, line.unit_price_amount) for line in order.lines.all()] == [
        (apples.code, 4, Decimal("2.50")), (pears.code, 1, Decimal("4.00"))
    ]
    assert order.shipping_address["city"] == "Lyon"
    assert StockReservation.objects.filter(reference=order.reference, status="active").count() == 2
    assert Cart.objects.get(pk=cart.pk).status == Cart.Status.CHECKED_OUT
    created = DomainEvent.objects.get(event_type="orders.order.created")
    assert created.stream_id == str(order.pk) and created.customer_id == customer.pk
    assert created.payload["total_amount"] == "18.90" and len(created.payload["items"]) == 2
    summary = OrderSummary.objects.get(order_id=order.pk)
    assert (summary.status, summary.item_count, summary.total_amount) == ("pending", 5, Decimal("18.90"))
    span = next(s for s in spans.get_finished_spans() if s.name == "commerce.order.create")
    assert span.attributes["order.customer_id"] == customer.pk and span.attributes["order.cart_items"] == 2
    assert len(order.number) == 11 and order.number[5] == "-"


def _nothing_changed(cart, batch_reserved=0):
    assert Order.objects.count() == 0
    assert Cart.objects.get(pk=cart.pk).status == Cart.Status.OPEN
    assert StockReservation.objects.count() == 0
    assert sum(StockBatch.objects.values_list("quantity_reserved", flat=True)) == batch_reserved
    assert not DomainEvent.objects.filter(event_type="orders.order.created").exists()


def test_checkout_out_of_stock_changes_nothing():
    customer, address = customer_with_address()
    plenty, scarce = stocked_product(quantity=10), stocked_product(quantity=2)
    cart = filled_cart(customer, [(plenty, 2), (scarce, 2)])
    stock_drops(scarce, to=1)
    with pytest.raises(InsufficientStock):
        order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="card")
    _nothing_changed(cart)


def test_checkout_refuses_a_price_changed_since_the_shopper_saw_it():
    customer, address = customer_with_address()
    product = stocked_product(price="5.00")
    cart = filled_cart(customer, [(product, 1)])
    product_update(product=product, data={"price_amount": Decimal("7.00")})
    with pytest.raises(CartNeedsReview) as err:
        order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="card")
    assert err.value.extra["lines"][0]["issues"] == ["price_changed"]
    _nothing_changed(cart)


def test_checkout_refuses_a_tampered_expected_total():
    customer, address = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(price="5.00"), 1)])
    with pytest.raises(CartNeedsReview):
        order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="card",
                               expected_total=Decimal("0.01"))
    _nothing_changed(cart)


def test_checkout_refusals_change_nothing():
    customer, address = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(), 1)])
    with pytest.raises(AddressNotFound):
        order_create_from_cart(customer=customer, cart=cart, address_id=AddressFactory().pk, payment_method="card")
    with pytest.raises(PaymentMethodInvalid):
        order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="bitcoin")
    outsider = UserFactory()  # not in the Customers group: no place_orders
    with pytest.raises(NotAllowedToOrder):
        order_create_from_cart(customer=outsider, cart=cart, address_id=address.pk, payment_method="card")
    _nothing_changed(cart)


def test_checkout_of_an_empty_or_foreign_cart():
    customer, address = customer_with_address()
    empty = filled_cart(customer, [])
    with pytest.raises(CartEmpty):
        order_create_from_cart(customer=customer, cart=empty, address_id=address.pk, payment_method="card")
    other, _ = customer_with_address()
    foreign = filled_cart(other, [(stocked_product(), 1)])
    with pytest.raises(CartEmpty):
        order_create_from_cart(customer=customer, cart=foreign, address_id=address.pk, payment_method="card")
    assert Order.objects.count() == 0


# Statements of order_create_from_cart, BEGIN/COMMIT/SAVEPOINT included, with the discount provider
# that grants nothing: 30 until the savepoints around event inserts and stock reservation went and
# the customer's sales region came with the cart lock.
CREATE_QUERY_BUDGET = 23


def test_checkout_query_count_stays_within_its_budget(settings):
    settings.ORDERS_DISCOUNT_PROVIDER = "orders.pricing.NoDiscounts"
    customer, address = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(), 1) for _ in range(3)])

    with CaptureQueriesContext(connection) as queries:
        order = order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="card")

    assert order.lines.count() == 3
    assert len(queries) <= CREATE_QUERY_BUDGET, f"{len(queries)} queries, budget {CREATE_QUERY_BUDGET}"


def test_checkout_takes_the_customers_open_cart_when_given_none():
    customer, address = customer_with_address()
    cart = filled_cart(customer, [(stocked_product(price="3.00"), 2)])

    order = order_create_from_cart(customer=customer, address_id=address.pk, payment_method="card")

    assert Cart.objects.get(pk=cart.pk).status == Cart.Status.CHECKED_OUT
    assert [(line.quantity, line.unit_price_amount) for line in order.lines.all()] == [(2, Decimal("3.00"))]


def test_checkout_without_an_open_cart_is_refused_before_anything_else():
    customer = UserFactory()  # no place_orders either: the missing cart is what the shopper hears first

    with pytest.raises(CartEmpty) as refused:
        order_create_from_cart(customer=customer, address_id=987_654, payment_method="card")

    assert refused.value.code == "cart_empty"
    assert Order.objects.count() == 0


def test_the_order_takes_the_customers_sales_region():
    region = SalesRegionFactory()
    customer, address = customer_with_address(profile__sales_region=region)
    cart = filled_cart(customer, [(stocked_product(), 1)])

    order = order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="card")

    assert order.region_id == region.pk
    assert OrderSummary.objects.get(order_id=order.pk).region_id == region.pk


# --- one checkout policy: a declined payment voids the attempt -------------------------------------
def test_a_declined_checkout_is_voided_stock_and_coupon_given_back_cart_restored_not_an_order_of_the_customer():
    from commerce.catalog.inventory import available_quantities
    from orders import selectors
    from orders.errors import PaymentDeclined
    from orders.services import cart as cart_services
    from orders.services.checkout import checkout_place_and_pay
    from promotions.services import coupon_create
    from tests.orders.factories import DECLINED_CARD
    from tests.promotions.factories import PromotionFactory

    customer, address = customer_with_address()
    product = stocked_product(quantity=5, price="20.00")
    coupon = coupon_create(promotion=PromotionFactory(requires_coupon=True), code="SAVE10", max_uses=1)
    cart = filled_cart(customer, [(product, 2)])
    cart_services.cart_apply_coupon(cart=cart, code="SAVE10")

    with pytest.raises(PaymentDeclined) as declined:
        checkout_place_and_pay(customer=customer, address_id=address.pk, payment_method="card", card=DECLINED_CARD,
                               idempotency_key="k-1")

    number = declined.value.extra["order_number"]
    assert declined.value.extra["lost_coupons"] == []
    order = Order.objects.get(number=number)
    assert (order.status, order.cancel_reason, order.hold_until) == ("voided", "payment declined", None)
    assert available_quantities([product.pk]) == {product.pk: 5}  # the stock is free again
    coupon.refresh_from_db()
    assert coupon.used_count == 0  # the single-use code can be used again
    again = Cart.objects.get(customer=customer, status=Cart.Status.OPEN)
    assert (list(again.lines.values_list("product_id", "quantity")), again.coupon_codes) == ([(product.pk, 2)], ["SAVE10"])
    assert DomainEvent.objects.filter(event_type="orders.order.voided", stream_id=str(order.pk)).count() == 1
    assert OrderSummary.objects.get(order_id=order.pk).status == "voided"
    # not an order of the customer's: not in their history, not counted as one
    assert list(selectors.order_history(customer=customer)) == []
    assert not selectors.customer_has_orders(customer_id=customer.pk)
    assert selectors.customer_lifetime_value(customer_id=customer.pk) == 0
