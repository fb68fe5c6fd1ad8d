"""Helpers that build carts and orders through the services, as a shopper would."""

import re
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from commerce.catalog import inventory
from orders.gateways import CardDetails, SandboxCardGateway
from orders.services import cart as cart_services
from orders.services.checkout import order_create_from_cart
from orders.services.payments import order_pay
from tests.factories import ProductFactory, customer_with_address, days_ago

#: test cards expire in December three years from today (never a fixed year: tests are no time bombs)
CARD_EXP_YEAR = timezone.localdate().year + 3

# What an API client sends for a card at checkout (the sandbox's good and declined test cards).
API_GOOD_CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": CARD_EXP_YEAR, "cvc": "123"}
API_DECLINED_CARD = {**API_GOOD_CARD, "number": "4000000000000002"}


def checkout_body(address, card=API_GOOD_CARD, **extra):
    """The body of ``POST /api/v1/checkout/``: pay by card, ship to ``address``."""
    return {"address_id": address.pk, "payment_method": "card", "card": card, **extra}
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


def stock_drops(product, *, to: int):
    """The product's sellable stock falls to ``to`` units after it went into carts (a stock take,
    another shopper's order): the way a cart line comes short, since adding is capped at stock."""
    for batch in product.batches.order_by("-id"):
        excess = inventory.available_quantities([product.pk])[product.pk] - to
        if excess <= 0:
            break
        inventory.stock_adjust(batch_number=batch.batch_number, delta=-min(excess, batch.quantity_on_hand - batch.quantity_reserved),
                               reason="stock take")
    return product


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


def hidden_input(html: str, name: str) -> str:
    """The value of the page's hidden input ``name``."""
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def checkout_form_data(shopper, **overrides) -> dict:
    """What the checkout page would post: its own hidden key and total, the default address, a good card.

    ``shopper``: a logged-in test client carrying ``.address``."""
    html = shopper.get(reverse("orders:checkout")).content.decode()
    data = {
        "address": str(shopper.address.pk),
        "payment_method": "card",
        "card_number": "4242 4242 4242 4242",
        "exp_month": "12",
        "exp_year": str(CARD_EXP_YEAR),
        "cvc": "123",
        "expected_total": hidden_input(html, "expected_total"),
        "idempotency_key": hidden_input(html, "idempotency_key"),
    }
    data.update(overrides)
    return data
