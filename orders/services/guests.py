"""A guest's orders after checkout: the look-up, and joining an account that proves the address.

Accounts do not verify e-mail addresses: anyone may sign up as ``ann@example.com``. So signing up
attaches nothing by itself, and neither does changing an account's address to one with guest
orders. When a new customer's address, or a customer's new address, has guest orders, a mail to
that address (``guest_claim_offer``, a reaction to ``accounts.customer.registered``, and
``guest_claim_offer_on_email_change``, to ``accounts.customer.profile_updated``) carries a signed
link; only whoever reads that mailbox can follow it, and following it, logged in as that
customer, claims the orders (``guest_orders_claim``, one ``orders.order.claimed`` event each).
"""

from __future__ import annotations

import hmac
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record_many
from commerce.locks import Kind, lock
from commerce.mail.rendering import absolute_url
from commerce.mail.services import mail_send_once
from orders import events
from orders.errors import ClaimNotAllowed
from orders.guests import claim_token, normalise_email
from orders.models import Order

logger = logging.getLogger(__name__)

#: a look-up compares against this when the number is unknown, so both refusals do the same work
_NO_ORDER_EMAIL = "\x00" * 32


def guest_order_find(*, number: str, email: str) -> Order | None:
    """The guest order with this number placed with this address, or None; the same None (after the
    same one query and one comparison) for an unknown number as for a wrong address, so the answer
    tells nothing about which orders exist. Claimed orders are found too: they were placed with it."""
    number, email = (number or "").strip().upper()[:11], normalise_email(email)
    order = Order.objects.filter(number=number).exclude(guest_email="").first() if number else None
    stored = order.guest_email if order is not None else _NO_ORDER_EMAIL
    matches = hmac.compare_digest(stored.encode(), email.encode())
    return order if matches and order is not None else None


def guest_orders_unclaimed(*, email: str) -> int:
    """How many orders guests placed with this address that no account holds yet."""
    email = normalise_email(email)
    return Order.objects.filter(customer__isnull=True, guest_email=email).count() if email else 0


def guest_orders_claim(*, customer, email: str) -> list[str]:
    """Attach the unclaimed guest orders placed with ``email`` to ``customer``; returns their numbers.

    ``email`` comes from a claim link mailed to that address (the proof); it must still be the
    customer's address (``claim_not_allowed`` otherwise: the account changed its address since).
    Each order is locked, then changed, with its ``orders.order.claimed`` event; two claims at
    once attach each order once.
    """
    email = normalise_email(email)
    if not email or not hmac.compare_digest(normalise_email(customer.email).encode(), email.encode()):
        raise ClaimNotAllowed("This link is for another e-mail address than your account's.")
    with telemetry.command_span("commerce.order.claim", attributes={"order.customer_id": customer.pk}), transaction.atomic():
        ids = list(Order.objects.filter(customer__isnull=True, guest_email=email).values_list("pk", flat=True))
        if not ids:
            return []
        # Re-read under the lock: a claim that ran meanwhile took some already.
        orders = [o for o in lock(Kind.ORDER, Order.objects.filter(pk__in=ids)) if o.customer_id is None]
        now = timezone.now()
        for order in orders:
            order.customer = customer
            order.save(update_fields=["customer", "updated_at"])
        record_many([
            events.OrderClaimed(order_id=o.pk, order_number=o.number, customer_id=customer.pk, claimed_at=now.isoformat())
            for o in orders
        ])
        return [o.number for o in orders]


def guest_claim_offer(event) -> None:
    """A new account whose address has guest orders: mail that address a link to claim them.

    A reaction on the audit bus to ``accounts.customer.registered`` (after its commit), once per
    account and address (the mail's key)."""
    _offer_claim(customer_id=event.payload["customer_id"], changed=False)


def guest_claim_offer_on_email_change(event) -> None:
    """An account that changed its e-mail address to one with guest orders: mail the new address a
    claim link, as on sign-up (the address is proved by reading it; changing it attaches nothing).

    A reaction on the audit bus to ``accounts.customer.profile_updated``; other changes are ignored.
    Once per account and address: changing back and forth mails each address once."""
    change = (event.payload.get("changes") or {}).get("email")
    if not change or not normalise_email(change.get("after") or ""):
        return
    _offer_claim(customer_id=event.payload["customer_id"], changed=True, expected_email=change["after"])


def _offer_claim(*, customer_id: int, changed: bool, expected_email: str | None = None) -> None:
    user = get_user_model().objects.filter(pk=customer_id).first()
    email = normalise_email(user.email) if user is not None else ""
    if not email:
        return
    if expected_email is not None and email != normalise_email(expected_email):
        return  # changed again since: the later change's own reaction offers for the address it set
    with transaction.atomic():
        count = guest_orders_unclaimed(email=email)
        if not count:
            return
        url = absolute_url(reverse("orders:guest_claim", kwargs={"token": claim_token(customer_id=user.pk, email=email)}))
        mail_send_once(
            key=f"orders.guest_claim:{user.pk}:{email}"[:200], to=user.email, template="orders/mail/claim_orders",
            customer_id=user.pk,
            context={"greeting_name": user.first_name or user.username, "count": count, "claim_url": url,
                     "changed": changed},
        )
