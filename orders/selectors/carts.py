"""The shopper's cart: find it, its lines, its priced summary."""

from __future__ import annotations

from django.db.models import QuerySet

from orders.models import Cart, CartLine
from orders.pricing import LineInput, Pricing, price_lines
from orders.shipping.selectors import shipping_option_for


def cart_find(*, customer=None, session_key: str = "") -> Cart | None:
    if customer is not None:  # one row of a unique index: the customer's one open cart
        return Cart.objects.filter(open_for=customer).first()
    if session_key:
        return Cart.objects.filter(customer__isnull=True, session_key=session_key, status=Cart.Status.OPEN).first()
    return None


def cart_items(*, cart: Cart) -> QuerySet[CartLine]:
    return CartLine.objects.filter(cart=cart).order_by("id")


def cart_summary(*, cart: Cart, shipping_options: list | None = None) -> Pricing:
    """Lines, subtotal, discounts, shipping, total: the same pipeline checkout uses. ``shipping_options``:
    the methods offered, when the caller has read them already (``orders.shipping.selectors``)."""
    lines = list(cart_items(cart=cart).values_list("pk", "product_id", "quantity", "seen_unit_price"))
    return price_lines(
        [LineInput(product_id, quantity, seen, pk) for pk, product_id, quantity, seen in lines],
        currency=cart.currency,
        customer_id=cart.customer_id,
        coupon_codes=cart.coupon_codes,
        shipping_option=shipping_option_for(method_id=cart.shipping_method_id, currency=cart.currency, options=shipping_options),
    )


def cart_product_ids(*, customer_id: int | None = None, session_key: str = "") -> list[int]:
    """The products in the shopper's open cart (a customer's, else an anonymous session's): one query."""
    if customer_id is not None:
        qs = CartLine.objects.filter(cart__open_for_id=customer_id)
    elif session_key:
        qs = CartLine.objects.filter(cart__customer__isnull=True, cart__session_key=session_key, cart__status=Cart.Status.OPEN)
    else:
        return []
    return list(qs.order_by("id").values_list("product_id", flat=True))
