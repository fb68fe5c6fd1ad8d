"""The shopper's side of a delivery: the tracking page (a signed link, no login needed), the proof
pictures (private files, served only here after a check of who asks) and the delivery section of the order page (registered in ``orders.order_sections`` by ``LogisticsConfig.ready``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from commerce.private_files import file_response
from logistics.errors import StopNotFound
from logistics.selectors import delivery_proof_file, stop_proof_file
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


@never_cache
def tracking_proof(request, token: str, kind: str):
    """The delivered stop's photo or signature, for the holder of the order's tracking link."""
    try:
        name = delivery_proof_file(order_number=read_token(token), kind=kind)
    except (TrackingTokenInvalid, StopNotFound):
        raise Http404("No such proof of delivery.") from None
    return file_response(name)


@never_cache
@login_required
def stop_proof(request, stop_id: int, kind: str):
    """A stop's photo or signature for the customer of the delivery, the driver of the route and staff
    who dispatch (the admin's links); anyone else is told there is no such file."""
    try:
        name = stop_proof_file(user=request.user, stop_id=stop_id, kind=kind)
    except StopNotFound:
        raise Http404("No such proof of delivery.") from None
    return file_response(name)


def delivery_section(*, request, order):
    """The order page's delivery box: the window, the estimate once under way, and the tracking link."""
    info = tracking_of(order_number=order.number)
    if info is None:
        return None
    return render_to_string("logistics/_order_delivery.html",
                            {"tracking": info, "tracking_url": tracking_path(number=order.number)}, request=request)
