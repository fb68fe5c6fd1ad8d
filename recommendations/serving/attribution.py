"""Adds to cart and purchases attributed to the list the shopper last clicked the product in.

Last click within a window (``RECOMMENDATIONS_ATTRIBUTION``: 24 hours for an add to cart, 7 days for a
purchase): an add to cart or an order line of product P counts for the list of the shopper's newest
click on P no older than the window; no such click, nothing is written. The shopper is the customer
(their clicks) and the session (a guest's clicks, and a customer's own before they logged in within
the same session).

Written after the fact, off the shopper's request, into their own table (``RecommendationConversion``),
never the audit table:
- an add to cart through the journey (``steps_recorded``: pages and API, guests and customers alike,
  with the session's digest) queues ``recommendations.add_to_cart_attribute`` after commit, when the
  shopper clicked a list within the window (a key the click leaves in the shared cache for the
  window: most adds to cart follow no click and cost one cache read, no task);
- an order through the bus (``orders.order.created``, in Celery after commit), line by line, with
  the line's total and the order's currency as the revenue.
Each costs one query for the clicks and, when one is found, one INSERT; ``reference`` makes a retry
add nothing.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from commerce import telemetry
from commerce.audit.journey import JourneyAction
from recommendations.models import RecommendationClick, RecommendationConversion
from recommendations.serving import cache

Kind = RecommendationConversion.Kind


def window(kind: str) -> datetime.timedelta:
    config = settings.RECOMMENDATIONS_ATTRIBUTION
    if kind == Kind.ADD_TO_CART:
        return datetime.timedelta(hours=config["add_to_cart_hours"])
    return datetime.timedelta(days=config["purchase_days"])


def last_clicks(*, customer_id: int | None, session_id: str, product_ids, at: datetime.datetime,
                within: datetime.timedelta) -> dict[int, tuple[int, uuid.UUID]]:
    """The shopper's newest click on each of these products in ``[at - within, at]``: product -> (click
    id, list id). One query on the clicks' customer and session indexes."""
    who = Q()
    if customer_id is not None:
        who |= Q(customer_id=customer_id)
    if session_id:
        who |= Q(session_id=session_id)
    if not who or not product_ids:
        return {}
    rows = (RecommendationClick.objects.filter(who, product_id__in=set(product_ids), clicked_at__gte=at - within,
                                               clicked_at__lte=at)
            .order_by("-clicked_at", "-id").values_list("product_id", "id", "recommendation_list_id"))
    found: dict[int, tuple[int, uuid.UUID]] = {}
    for product_id, click_id, list_id in rows:
        found.setdefault(product_id, (click_id, list_id))
    return found


def add_to_carts_attribute(*, customer_id: int | None, session_id: str, product_ids: list[int], at: datetime.datetime,
                           reference: str) -> int:
    """Attribute one request's adds to cart (``reference`` names them, for a retry); how many were found."""
    with telemetry.command_span("commerce.recommendation.attribute", attributes={
        "attribution.kind": Kind.ADD_TO_CART, "attribution.products": len(product_ids),
    }):
        clicks = last_clicks(customer_id=customer_id, session_id=session_id, product_ids=product_ids, at=at,
                             within=window(Kind.ADD_TO_CART))
        rows = [RecommendationConversion(
            reference=f"cart:{reference}:{product_id}", kind=Kind.ADD_TO_CART, recommendation_list_id=list_id,
            click_id=click_id, product_id=product_id, customer_id=customer_id, session_id=session_id, occurred_at=at,
        ) for product_id, (click_id, list_id) in clicks.items()]
        return _write(rows)


def order_attribute(*, order_id: int, customer_id: int | None, session_id: str, lines: list[dict], currency: str,
                    at: datetime.datetime) -> int:
    """Attribute an order's lines (``product_id``, ``quantity``, ``line_total``); how many were found."""
    wanted = {}
    for line in lines:
        try:
            product_id, quantity = int(line["product_id"]), int(line["quantity"])
            total = Decimal(str(line["line_total"]))
        except (KeyError, TypeError, ValueError, InvalidOperation):
            continue  # a line without a product (deleted since) is nobody's conversion
        previous = wanted.get(product_id, (0, Decimal("0")))
        wanted[product_id] = (previous[0] + quantity, previous[1] + max(total, Decimal("0")))
    with telemetry.command_span("commerce.recommendation.attribute", attributes={
        "attribution.kind": Kind.PURCHASE, "order.id": order_id,
    }):
        clicks = last_clicks(customer_id=customer_id, session_id=session_id, product_ids=list(wanted), at=at,
                             within=window(Kind.PURCHASE))
        rows = [RecommendationConversion(
            reference=f"order:{order_id}:{product_id}", kind=Kind.PURCHASE, recommendation_list_id=list_id,
            click_id=click_id, product_id=product_id, quantity=wanted[product_id][0],
            revenue_amount=wanted[product_id][1], revenue_currency=currency, order_id=order_id,
            customer_id=customer_id, session_id=session_id, occurred_at=at,
        ) for product_id, (click_id, list_id) in clicks.items()]
        return _write(rows)


def _write(rows: list[RecommendationConversion]) -> int:
    """One INSERT; a row already written (a retried task) is left as it is."""
    if rows:
        RecommendationConversion.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- the seams ------------------------------------------------------------------------------------------
def _clicked_keys(customer_id: int | None, session_id: str) -> list[str]:
    keys = [f"rec:clicked:c{customer_id}"] if customer_id is not None else []
    return keys + ([f"rec:clicked:s{session_id}"] if session_id else [])


def click_noted(*, customer_id: int | None, session_id: str) -> None:
    """A shopper clicked a list: for the add-to-cart window, their adds to cart are worth attributing
    (a key in the shared cache; most adds to cart follow no click and so queue nothing)."""
    seconds = int(window(Kind.ADD_TO_CART).total_seconds())
    cache.shared().set_many({key: 1 for key in _clicked_keys(customer_id, session_id)}, timeout=seconds)


def journey_step_recorded(sender, *, customer_id, session_id, steps, **kwargs) -> None:
    """A journey's adds to cart: when the shopper clicked a list within the window (one cache read),
    queue their attribution once committed (the journey writes outside transactions, so at once),
    one task per request."""
    product_ids = [product_id for action, product_id in steps if action == JourneyAction.ADD_TO_CART and product_id]
    keys = _clicked_keys(customer_id, session_id)
    if not product_ids or not keys or not cache.shared().get_many(keys):
        return
    from recommendations.tasks import add_to_cart_attribute_task

    at, reference = timezone.now().isoformat(), uuid.uuid4().hex
    transaction.on_commit(lambda: add_to_cart_attribute_task.delay(
        customer_id=customer_id, session_id=session_id, product_ids=product_ids, at=at, reference=reference))


def order_created(event) -> None:
    """The bus's handler for ``orders.order.created`` (``event`` is the ``DomainEvent`` row)."""
    payload = event.payload
    order_attribute(order_id=int(payload["order_id"]), customer_id=event.customer_id, session_id=event.session_id or "",
                    lines=payload.get("items") or [], currency=payload.get("currency") or settings.DEFAULT_CURRENCY,
                    at=event.occurred_at)
