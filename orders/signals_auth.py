"""The anonymous shopper's cart follows them when they log in ("session recovery").

A guest cart is keyed by a random cart token kept *in* the session data, not by the session
key itself, for two reasons:

- Django gives the session a new key on log-in (``cycle_key``) before ``user_logged_in`` is
  sent, so the receiver could not find a cart filed under the old key; the session's data (and
  the token in it) survives the key change.
- The cart's key is written on its audit events; the session key is the credential the
  shopper's cookie carries and never goes into the audit trail.

Session data is stored server-side, so a shopper cannot point it at someone else's cart.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from commerce.audit.selectors import stream_events
from commerce.catalog.models import Product
from orders.selectors import cart_find
from orders.services.cart import cart_merge_session

#: session entry holding the token the guest cart is filed under (``Cart.session_key``)
CART_SESSION_KEY = "cart_session_key"


def session_cart_key(request, *, create: bool = False) -> str:
    """The token of this session's guest cart; with ``create``, a new one is drawn and kept in the session."""
    key = request.session.get(CART_SESSION_KEY, "")
    if key or not create:
        return key
    key = secrets.token_hex(16)
    request.session[CART_SESSION_KEY] = key
    return key


@receiver(user_logged_in, dispatch_uid="orders.merge_session_cart")
def merge_session_cart(sender, request, user, **kwargs):
    session = getattr(request, "session", None) if request is not None else None
    if session is None:
        return
    key = session.pop(CART_SESSION_KEY, "")
    if not key:
        return
    guest = cart_find(session_key=key)
    if guest is None:
        return
    cart = cart_merge_session(customer=user, session_key=key)
    if cart is None:
        return
    merged = (
        stream_events(stream_type="cart", stream_id=cart.pk)
        .filter(event_type="orders.cart.merged", payload__from_cart_id=guest.pk)
        .last()
    )
    if merged is None:
        return  # the guest cart was empty: nothing to tell
    adjusted = merged.payload.get("adjusted") or []
    messages.info(request, "The items you added before logging in are in your cart.", fail_silently=True)
    if adjusted:
        names = dict(Product.objects.filter(pk__in=[a["product_id"] for a in adjusted]).values_list("pk", "name"))
        kept = ", ".join(f"{names.get(a['product_id'], 'an item')}: {a['kept']} of {a['wanted']}" for a in adjusted)
        messages.warning(request, f"Some quantities were lowered to what is in stock ({kept}).", fail_silently=True)
