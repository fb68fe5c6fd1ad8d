"""What the shopper sees of a delivery: its window, the estimated arrival once the route is under
way, the proof once delivered, what happens next after a failure; and the signed tracking link.
The proof's pictures are private files, shown under the tracking link (``proof_path``).

Read from the rows the driver's commands keep up to date (``Stop.estimated_arrival`` is written by
``logistics.services.tracking`` at every step), never worked out per request: two queries.

The tracking link carries a ``TimestampSigner`` token of the order number (salted, so no other
signed value of the site passes for one); it is the authority of ``/track/<token>/``, which shows
that delivery to whoever holds the link (the customer, from the mail or the order page) without
logging in, for ``LOGISTICS_TRACKING_LINK_MAX_AGE_DAYS``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from logistics.models import Delivery, FailureReason, Route, Stop
from logistics.timeline import at

SALT = "logistics.tracking"

#: what happens after a failed attempt, as the shopper is told (page and mail)
NEXT_STEPS = {
    FailureReason.NOT_AT_HOME: "Your parcel is back at our centre. We will plan a new delivery day and tell you by mail; "
                               "reply to this mail if a day suits you better.",
    FailureReason.REFUSED: "The parcel was refused and is back at our centre. If this was a mistake, reply to this mail "
                           "and we will deliver it again; otherwise it is returned and refunded.",
    FailureReason.ADDRESS_NOT_FOUND: "Our driver could not find the address. Please reply with directions (building, "
                                     "door code) so we can plan a new delivery day.",
    FailureReason.DAMAGED: "The parcel was damaged on its way. We are preparing a replacement and will tell you its "
                           "delivery day.",
    FailureReason.OTHER: "Your parcel is back at our centre. We will plan a new delivery day and tell you by mail.",
}


class TrackingTokenInvalid(Exception):
    """A token that was tampered with, has expired, or names no delivery."""


def make_token(*, number: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"o": number})


def tracking_path(*, number: str) -> str:
    return reverse("logistics:tracking", kwargs={"token": make_token(number=number)})


def proof_path(*, number: str, kind: str) -> str:
    """The proof of delivery's picture under the order's tracking link: the holder of the link sees it
    (the page, the order page, the mail), and no public media URL ever names it."""
    return reverse("logistics:tracking_proof", kwargs={"token": make_token(number=number), "kind": kind})


def read_token(token: str) -> str:
    """The order number a tracking token names, or ``TrackingTokenInvalid``."""
    max_age = datetime.timedelta(days=settings.LOGISTICS_TRACKING_LINK_MAX_AGE_DAYS)
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        raise TrackingTokenInvalid("This tracking link has expired.") from None
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise TrackingTokenInvalid("This tracking link is not valid.") from None
    number = data.get("o") if isinstance(data, dict) else None
    if not isinstance(number, str):
        raise TrackingTokenInvalid("This tracking link is not valid.")
    return number


@dataclass(frozen=True)
class Tracking:
    """One delivery as its shopper sees it."""

    order_number: str
    status: str
    status_label: str
    date: datetime.date | None
    window_start: datetime.time | None
    window_end: datetime.time | None
    under_way: bool  # its route has started and its stop is open
    estimated_arrival: datetime.datetime | None
    stops_before: int | None  # open stops the driver is expected to visit first
    delivered_at: datetime.datetime | None
    recipient_name: str
    photo_url: str
    signature_url: str
    failure_code: str
    failure_reason: str
    next_steps: str

    @property
    def late(self) -> bool:
        """The estimate falls after the window's end."""
        if self.estimated_arrival is None or self.window_end is None or self.date is None:
            return False
        return self.estimated_arrival > at(self.date, self.window_end)


def tracking_of(*, order_number: str) -> Tracking | None:
    """The delivery of an order as its shopper sees it; None when the order has none (yet)."""
    delivery = Delivery.objects.filter(order_number=order_number).first()
    if delivery is None:
        return None
    stop = (Stop.objects.select_related("route").filter(delivery=delivery).order_by("-route__date", "-id").first())
    under_way = bool(stop and stop.state in Stop.OPEN and stop.route.state == Route.State.IN_PROGRESS)
    stops_before = None
    if under_way and stop.estimated_arrival is not None:
        stops_before = Stop.objects.filter(route_id=stop.route_id, state=Stop.State.PENDING,
                                           estimated_arrival__lt=stop.estimated_arrival).count()
    closed = stop if stop is not None and stop.state not in Stop.OPEN else None
    failed = delivery.status == Delivery.Status.FAILED
    return Tracking(
        order_number=delivery.order_number, status=delivery.status, status_label=delivery.get_status_display(),
        date=delivery.date, window_start=delivery.window_start, window_end=delivery.window_end, under_way=under_way,
        estimated_arrival=stop.estimated_arrival if under_way else None, stops_before=stops_before,
        delivered_at=delivery.delivered_at,
        recipient_name=closed.recipient_name if closed else "",
        photo_url=proof_path(number=delivery.order_number, kind="photo") if closed and closed.proof_photo else "",
        signature_url=proof_path(number=delivery.order_number, kind="signature") if closed and closed.proof_signature else "",
        failure_code=delivery.failure_code if failed else "", failure_reason=delivery.failure_reason if failed else "",
        next_steps=NEXT_STEPS[FailureReason(delivery.failure_code or FailureReason.OTHER)] if failed else "",
    )
