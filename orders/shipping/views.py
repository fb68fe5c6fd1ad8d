"""The shopper's choice of shipping method (cart and checkout pages), without JavaScript: a small
form of radio buttons posting here, back to the page it came from."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from commerce.errors import DomainError
from commerce.web import safe_next_url
from orders import selectors
from orders.pricing import Pricing
from orders.shipping.selectors import ShippingOption
from orders.shipping.services import cart_choose_shipping_method
from orders.signals_auth import session_cart_key


def shipping_choices(pricing: Pricing | None, options: list[ShippingOption]) -> list[dict]:
    """The methods offered (as read for the pricing), each with what this cart pays for it and whether it is the one priced."""
    if pricing is None or not pricing.lines:
        return []
    chosen = pricing.shipping_option.method_id if pricing.shipping_option else None
    return [{"option": o, "charge": o.charge(pricing.subtotal), "chosen": o.method_id == chosen} for o in options]


@require_POST
def cart_shipping_choose(request):
    back = safe_next_url(request) or reverse("orders:cart")
    if request.user.is_authenticated:
        cart = selectors.cart_find(customer=request.user)
    else:
        key = session_cart_key(request)
        cart = selectors.cart_find(session_key=key) if key else None
    if cart is None:
        messages.error(request, "Your cart is empty.")
        return redirect("orders:cart")
    try:
        cart = cart_choose_shipping_method(cart=cart, code=request.POST.get("shipping_method", ""))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(request, f"Delivery: {cart.shipping_method.name}.")
    return redirect(back)
