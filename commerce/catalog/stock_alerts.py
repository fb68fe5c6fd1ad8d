""""Notify me when it is back in stock": the commands of a product's stock alerts, and the reaction
that mails them when stock returns.

- ``stock_alert_subscribe``: a customer's own address waits for stock at once; any other address
  (a guest's) is ``pending`` and mailed a confirmation link, so nobody can sign a stranger up. One
  row per product and address: asking again while waiting changes nothing, asking after a sent
  mail starts a new round.
- ``stock_alert_confirm`` and ``stock_alert_unsubscribe``: through the signed links of the mails.
- ``stock_alerts_notify``: a reaction on the audit bus, after the commit of any event that may
  bring stock back (a batch received, an adjustment, a return, a released reservation). When the
  product is sellable, each waiting alert is mailed once (the mail's key is the alert and its
  round) and marked sent, under the alerts' lock, so two reactions at once mail each alert once.
"""

from __future__ import annotations

import logging

from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record, record_many
from commerce.catalog import events
from commerce.catalog.errors import ProductInactive, ProductNotFound, StockAlertInvalid, StockAlertNotFound, StockAlertNotNeeded
from commerce.catalog.inventory import available_quantities
from commerce.catalog.models import Product, StockAlert
from commerce.locks import Kind, lock, lock_one
from commerce.mail.rendering import absolute_url
from commerce.mail.services import mail_send_once

logger = logging.getLogger(__name__)

CONFIRM_SALT = "catalog.stock_alert.confirm"
UNSUBSCRIBE_SALT = "catalog.stock_alert.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600

#: The events after which a product may be sellable again (each carries ``product_id``).
RESTOCK_EVENTS = (
    "catalog.batch.received", "catalog.stock.adjusted", "catalog.stock.returned", "catalog.stock.released",
)
SUBSCRIPTIONS = {event_type: "commerce.catalog.stock_alerts.stock_alerts_notify" for event_type in RESTOCK_EVENTS}


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# --- signed links -----------------------------------------------------------------------------------
def _token(alert: StockAlert, salt: str) -> str:
    return signing.dumps({"a": alert.pk, "e": alert.email}, salt=salt, compress=True)


def _read(token: str, salt: str, max_age: int | None = None) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int) or not isinstance(data.get("e"), str):
        return None
    return data["a"], data["e"]


def confirm_url(alert: StockAlert) -> str:
    return absolute_url(reverse("catalog:stock_alert_confirm", kwargs={"token": _token(alert, CONFIRM_SALT)}))


def unsubscribe_url(alert: StockAlert) -> str:
    return absolute_url(reverse("catalog:stock_alert_unsubscribe", kwargs={"token": _token(alert, UNSUBSCRIBE_SALT)}))


def stock_alert_from_link(*, token: str, purpose: str) -> StockAlert:
    """The alert a confirmation (``confirm``) or unsubscribe (``unsubscribe``) link names, or ``StockAlertNotFound``."""
    salt, max_age = (CONFIRM_SALT, CONFIRM_MAX_AGE) if purpose == "confirm" else (UNSUBSCRIBE_SALT, None)
    found = _read(token, salt, max_age)
    alert = StockAlert.objects.select_related("product").filter(pk=found[0], email=found[1]).first() if found else None
    if alert is None:
        raise StockAlertNotFound("This link is not valid any more.")
    return alert


# --- commands ---------------------------------------------------------------------------------------
def stock_alert_subscribe(*, product_id: int, email: str, customer=None) -> StockAlert:
    """Ask to be mailed when the product is back in stock; returns the alert (``pending`` or ``waiting``).

    Refused: an address that is not one (``invalid``), an unknown or withdrawn product, a product in
    stock now (``stock_alert_not_needed``: buy it instead).
    """
    email = normalise_email(email)
    try:
        validate_email(email)
    except DjangoValidationError:
        raise StockAlertInvalid("Enter a valid e-mail address.", fields={"email": ["Enter a valid e-mail address."]}) from None
    if len(email) > 254:
        raise StockAlertInvalid("Enter a valid e-mail address.", fields={"email": ["At most 254 characters."]})
    own = customer is not None and normalise_email(customer.email) == email
    with telemetry.command_span("commerce.stock_alert.subscribe", attributes={"product.id": product_id}), transaction.atomic():
        product = lock_one(Kind.PRODUCT, Product.objects.filter(pk=product_id))
        if product is None:
            raise ProductNotFound("No such product.")
        if not product.is_active:
            raise ProductInactive("This product is not sold any more.")
        if available_quantities([product.pk]).get(product.pk, 0) > 0:
            raise StockAlertNotNeeded("This product is in stock now: add it to your cart.")
        status = StockAlert.Status.WAITING if own else StockAlert.Status.PENDING
        now = timezone.now()
        alert = lock_one(Kind.STOCK_ALERT, StockAlert.objects.filter(product=product, email=email))
        if alert is None:  # the product's lock serialises askers of one product: one row per address
            alert = StockAlert.objects.create(product=product, email=email, customer=customer if own else None,
                                              status=status, confirmed_at=now if own else None)
        elif alert.status == StockAlert.Status.WAITING or (alert.status == StockAlert.Status.PENDING and not own):
            return alert  # asked already: nothing changes, no second mail
        else:  # a customer's own pending address, or a new round after a sent mail or an unsubscription
            if alert.status == StockAlert.Status.SENT:
                alert.round += 1
            alert.status, alert.sent_at, alert.cancelled_at = status, None, None
            alert.confirmed_at = now if own else None
            if own:
                alert.customer = customer
            alert.save()
        record(events.StockAlertRequested(product_id=product.pk, alert_id=alert.pk, email=email,
                                          customer_id=customer.pk if own else None, status=alert.status, round=alert.round))
        if alert.status == StockAlert.Status.PENDING:
            mail_send_once(
                key=f"catalog.stock_alert.confirm:{alert.pk}:{alert.round}", to=email,
                template="catalog/mail/stock_alert_confirm", customer_id=customer.pk if customer else None,
                context={"product_name": product.name, "confirm_url": confirm_url(alert),
                         "product_url": absolute_url(product.get_absolute_url())},
            )
        return alert


def stock_alert_confirm(*, alert: StockAlert) -> StockAlert:
    """A guest followed the confirmation link: the alert waits for stock (and is mailed now if stock is back)."""
    with telemetry.command_span("commerce.stock_alert.confirm", attributes={"stock_alert.id": alert.pk}), transaction.atomic():
        alert = lock_one(Kind.STOCK_ALERT, StockAlert.objects.filter(pk=alert.pk))
        if alert is None:
            raise StockAlertNotFound("This link is not valid any more.")
        if alert.status != StockAlert.Status.PENDING:
            return alert  # confirmed, sent or unsubscribed already: a second click changes nothing
        alert.status, alert.confirmed_at = StockAlert.Status.WAITING, timezone.now()
        alert.save(update_fields=["status", "confirmed_at", "updated_at"])
        record(events.StockAlertConfirmed(product_id=alert.product_id, alert_id=alert.pk, email=alert.email))
        # Stock may have come back while the mail was unread.
        transaction.on_commit(lambda: _notify_product(alert.product_id))
        return alert


def stock_alert_unsubscribe(*, alert: StockAlert) -> StockAlert:
    """The unsubscribe link of a mail (or staff in the back office): nothing more is mailed for it."""
    with telemetry.command_span("commerce.stock_alert.unsubscribe", attributes={"stock_alert.id": alert.pk}), transaction.atomic():
        alert = lock_one(Kind.STOCK_ALERT, StockAlert.objects.filter(pk=alert.pk))
        if alert is None:
            raise StockAlertNotFound("This link is not valid any more.")
        if alert.status == StockAlert.Status.CANCELLED:
            return alert
        alert.status, alert.cancelled_at = StockAlert.Status.CANCELLED, timezone.now()
        alert.save(update_fields=["status", "cancelled_at", "updated_at"])
        record(events.StockAlertCancelled(product_id=alert.product_id, alert_id=alert.pk, email=alert.email))
        return alert


# --- the reaction -----------------------------------------------------------------------------------
def stock_alerts_notify(event) -> int:
    """After a stock event's commit: mail the product's waiting alerts if it is sellable now. Returns how many."""
    product_id = (event.payload or {}).get("product_id")
    if not isinstance(product_id, int):
        return 0
    return _notify_product(product_id)


def _notify_product(product_id: int) -> int:
    # Cheap checks first: most stock events concern products nobody waits for.
    if not StockAlert.objects.filter(product_id=product_id, status=StockAlert.Status.WAITING).exists():
        return 0
    product = Product.objects.filter(pk=product_id, is_active=True).first()
    available = available_quantities([product_id]).get(product_id, 0) if product is not None else 0
    if available <= 0:
        return 0
    with telemetry.command_span("commerce.stock_alert.send", attributes={"product.id": product_id}), transaction.atomic():
        alerts = lock(Kind.STOCK_ALERT, StockAlert.objects.filter(product_id=product_id, status=StockAlert.Status.WAITING))
        if not alerts:
            return 0
        now = timezone.now()
        product_url = absolute_url(product.get_absolute_url())
        for alert in alerts:
            mail_send_once(
                key=f"catalog.stock_alert:{alert.pk}:{alert.round}", to=alert.email, template="catalog/mail/back_in_stock",
                customer_id=alert.customer_id,
                context={"product_name": product.name, "product_url": product_url, "price": product.price,
                         "unsubscribe_url": unsubscribe_url(alert)},
            )
            alert.status, alert.sent_at, alert.updated_at = StockAlert.Status.SENT, now, now
        StockAlert.objects.bulk_update(alerts, ["status", "sent_at", "updated_at"])
        record_many([
            events.StockAlertSent(product_id=product_id, alert_id=a.pk, email=a.email, round=a.round, available=available)
            for a in alerts
        ])
        logger.info("stock alerts: %d mailed for product %s", len(alerts), product_id)
        return len(alerts)
