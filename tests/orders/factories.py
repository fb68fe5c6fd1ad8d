"""Helpers that build carts and orders through the services, as a shopper would."""

from decimal import Decimal

from django.utils import timezone

from commerce.catalog import inventory
from orders.gateways import CardDetails, SandboxCardGateway
from orders.services import cart as cart_services
from orders.services.checkout import order_create_from_cart
from orders.services.payments import order_pay
from tests.factories import ProductFactory, customer_with_address, days_ago

#: test cards expire in December three years from today (never a fixed year: tests are no time bombs)
CARD_EXP_YEAR = timezone.localdate().year + 3
GOOD_CARD = CardDetails(SandboxCardGateway.SUCCESS, 12, CARD_EXP_YEAR, "123")
DECLINED_CARD = CardDetails(SandboxCardGateway.DECLINED, 12, CARD_EXP_YEAR, "123")
ERROR_CARD = CardDetails(SandboxCardGateway.PROCESSING_ERROR, 12, CARD_EXP_YEAR, "123")
LOST_CARD = CardDetails(SandboxCardGateway.LOST_RESPONSE, 12, CARD_EXP_YEAR, "123")

_batch = iter(range(1, 10**9))


def stocked_product(quantity=10, price="10.00", **kwargs):
    product = ProductFactory(price_amount=Decimal(price), **kwargs)
    inventory.stock_receive(product=product, batch_number=f"LOT-{next(_batch)}", quantity=quantity, received_at=days_ago(3))
    return product


def customer_in(region):
    """A customer with an address whose profile is in the sales ``region``."""
    customer, address = customer_with_address()
    customer.customer_profile.sales_region = region
    customer.customer_profile.save()
    return customer, address


def filled_cart(customer, items):
    cart = cart_services.cart_get_or_create(customer=customer)
    for product, quantity in items:
        cart_services.cart_add_item(cart=cart, product_id=product.pk, quantity=quantity)
    return cart


def placed_order(items, *, customer=None, address=None, payment_method="card"):
    if customer is None:
        customer, address = customer_with_address()
    cart = filled_cart(customer, items)
    return order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method=payment_method)


def paid_order(items, **kwargs):
    order = placed_order(items, **kwargs)
    order_pay(order=order, customer=order.customer, card=GOOD_CARD, idempotency_key=f"pay-{order.number}")
    order.refresh_from_db()
    return order
