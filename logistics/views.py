"""The shopper's side of a delivery: the tracking page (a signed link, no login needed) and the
delivery section of the order page (registered in ``orders.order_sections`` by ``LogisticsConfig.ready``)."""

from __future__ import annotations

from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from logistics.shopper import TrackingTokenInvalid, read_token, tracking_of, tracking_path


@never_cache
def tracking(request, token: str):
    try:
        number = read_token(token)
    except TrackingTokenInvalid as error:
        return render(request, "logistics/tracking_invalid.html", {"message": str(error)}, status=404)
    info = tracking_of(order_number=number)
    if info is None:
        return render(request, "logistics/tracking_invalid.html", {"message": "This delivery is not planned yet."}, status=404)
    return render(request, "logistics/tracking.html", {"tracking": info})


def delivery_section(*, request, order):
    """The order page's delivery box: the window, the estimate once under way, and the tracking link."""
    info = tracking_of(order_number=order.number)
    if info is None:
        return None
    return render_to_string("logistics/_order_delivery.html",
                            {"tracking": info, "tracking_url": tracking_path(number=order.number)}, request=request)
