from functools import cache

from django.db.models import Sum

from orders.models import Cart, CartLine
from orders.signals_auth import CART_SESSION_KEY


def _cart_item_count(request) -> int:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        lines = CartLine.objects.filter(cart__open_for_id=user.pk)
    else:
        session = getattr(request, "session", None)
        key = session.get(CART_SESSION_KEY, "") if session is not None else ""
        if not key:
            return 0  # no guest cart was ever made in this session: no query
        lines = CartLine.objects.filter(cart__status=Cart.Status.OPEN, cart__customer__isnull=True, cart__session_key=key)
    return lines.aggregate(units=Sum("quantity"))["units"] or 0


def cart(request):
    """The number of units in the shopper's cart, for the header's cart link.

    Lazy and computed once: one query when a page shows it, none when it does not, and none at
    all for the back office and the API.
    """
    if request.path.startswith(("/admin/", "/api/")):
        return {}
    return {"cart_item_count": cache(lambda: _cart_item_count(request))}
