"""The shopper's delivery mails: reactions to the logistics events, through the core's outbox.

Subscribed on the audit bus by ``LogisticsConfig.ready`` (``SUBSCRIPTIONS`` in ``apps.py``), so each
runs in Celery after the driver's command committed. Each mail has one idempotency key, so an event
handled twice sends one mail. Each goes to the delivery's contact address (the customer's, or a
guest's: carried from the order when the delivery is made); a delivery without one (or one the outbox refuses)
gets none, and the others still get theirs.

| Event | Mail | Key |
|---|---|---|
| ``logistics.route.started`` | out for delivery, with the window and the estimate (one per delivery of the route) | out_for_delivery:number:route |
| ``logistics.stop.completed`` | delivered, with the proof (who took it, the photo) | delivered:number |
| ``logistics.delivery.failed`` | not delivered, why, and what happens next | delivery_failed:number:stop |

Orders' own "shipped" mail is left out for the own fleet (``orders.carriers.register_self_notifying``):
the out-for-delivery mail says more.
"""

from __future__ import annotations

import logging

from django.urls import reverse

from commerce.mail.errors import MailInvalid
from commerce.mail.rendering import absolute_url
from commerce.mail.services import mail_send_once
from logistics.models import Delivery, FailureReason, Stop
from logistics.shopper import NEXT_STEPS, proof_path, tracking_of, tracking_path
from orders.guests import order_link_token

logger = logging.getLogger(__name__)


def _order_url(delivery: Delivery) -> str:
    """The order's page: a guest's signed page (the contact address is the guest's), else the customer's."""
    if delivery.customer_id is None:
        token = order_link_token(number=delivery.order_number, email=delivery.contact_email)
        return absolute_url(reverse("orders:guest_order", kwargs={"token": token}))
    return absolute_url(reverse("orders:order_detail", kwargs={"number": delivery.order_number}))


def _greeting(delivery: Delivery) -> str:
    customer = delivery.customer
    if customer is None:
        return delivery.recipient or delivery.contact_email
    return customer.first_name or customer.username


def _send(delivery: Delivery, key: str, template: str, **context) -> None:
    """To the delivery's contact address (the customer's or the guest's, carried from the order)."""
    to = delivery.contact_email
    if not to:
        logger.info("no %s mail for order %s: it has no contact e-mail address", template, delivery.order_number)
        return
    tracking = tracking_of(order_number=delivery.order_number)
    try:
        mail_send_once(key=key, to=to, template=f"logistics/mail/{template}", customer_id=delivery.customer_id, context={
            "number": delivery.order_number,
            "greeting_name": _greeting(delivery),
            "tracking": tracking,
            "tracking_url": absolute_url(tracking_path(number=delivery.order_number)),
            "order_url": _order_url(delivery),
            **context,
        })
    except MailInvalid:
        logger.warning("no %s mail for order %s: its contact address is not one", template, delivery.order_number)


def route_started(event) -> None:
    """Each delivery of the route is out: one mail each, with its window and estimated arrival."""
    route_id = int(event.payload["route_id"])
    stops = Stop.objects.filter(route_id=route_id).select_related("delivery__customer").order_by("sequence")
    for stop in stops:
        _send(stop.delivery, f"logistics.out_for_delivery:{stop.delivery.order_number}:{route_id}", "out_for_delivery")


def stop_completed(event) -> None:
    delivery = Delivery.objects.select_related("customer").get(pk=event.payload["delivery_id"])
    stop = Stop.objects.get(pk=event.payload["stop_id"])
    _send(delivery, f"logistics.delivered:{delivery.order_number}", "delivered",
          recipient_name=event.payload.get("recipient_name", ""),
          photo_url=absolute_url(proof_path(number=delivery.order_number, kind="photo")) if stop.proof_photo else "")


def delivery_failed(event) -> None:
    delivery = Delivery.objects.select_related("customer").get(pk=event.payload["delivery_id"])
    _send(delivery, f"logistics.delivery_failed:{delivery.order_number}:{event.payload['stop_id']}", "delivery_failed",
          reason=event.payload["reason"], next_steps=NEXT_STEPS[FailureReason(event.payload["code"])])
