"""Who recommendations are for: a customer, or an anonymous session (by its digest)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from commerce.audit.journey import JourneyAction
from commerce.audit.selectors import journey_steps
from commerce.context import session_digest

HISTORY_DAYS = 90
HISTORY_STEPS = 200  # the newest steps a shopper's live history reads (real time, not training)
#: what one step or order says about a shopper's interest (the training's own weights are the engine's)
STEP_WEIGHTS = {JourneyAction.PRODUCT_VIEW: 1.0, JourneyAction.ADD_TO_CART: 3.0}
PURCHASE_WEIGHT = 5.0


@dataclass(frozen=True)
class Shopper:
    customer_id: int | None = None
    session_id: str = ""  # the digest the journey stores
    session_key: str = ""  # the raw key, only to find an anonymous cart; never stored

    @property
    def known(self) -> bool:
        return self.customer_id is not None or bool(self.session_id)


def shopper_from_request(request) -> Shopper:
    """The request's shopper: the customer, else the session it has (none is created for a list: a
    visitor without one gets what every visitor gets)."""
    user = getattr(request, "user", None)
    customer_id = user.pk if user is not None and user.is_authenticated else None
    session = getattr(request, "session", None)
    key = (session.session_key or "") if session is not None else ""
    return Shopper(customer_id=customer_id, session_id=session_digest(key), session_key=key)


def recent_steps(shopper: Shopper, *, now: datetime.datetime | None = None) -> list[tuple[str, int, datetime.datetime]]:
    """The shopper's newest product views and adds to cart (action, product id, time), newest first:
    one query on the journey's customer (or session) index."""
    if not shopper.known:
        return []
    since = (now or timezone.now()) - datetime.timedelta(days=HISTORY_DAYS)
    by = {"customer_id": shopper.customer_id} if shopper.customer_id is not None else {"session_id": shopper.session_id}
    rows = list(journey_steps(since=since, actions=[JourneyAction.PRODUCT_VIEW, JourneyAction.ADD_TO_CART],
                              fields=("action", "product_id", "occurred_at"), **by))
    rows = [r for r in rows if r[1]]
    return rows[::-1][:HISTORY_STEPS]


def interactions(steps, purchases: dict[int, tuple[int, datetime.datetime]]) -> dict[int, float]:
    """The shopper's interest per product, from their steps and purchases (product -> weight)."""
    weights: dict[int, float] = {}
    for action, product_id, _at in steps:
        weights[product_id] = weights.get(product_id, 0.0) + STEP_WEIGHTS.get(action, 0.0)
    for product_id, (orders, _last) in purchases.items():
        weights[product_id] = weights.get(product_id, 0.0) + PURCHASE_WEIGHT * orders
    return weights


def recently_viewed(steps, *, limit: int) -> list[int]:
    """Distinct products viewed, newest first."""
    seen: list[int] = []
    for action, product_id, _at in steps:
        if action == JourneyAction.PRODUCT_VIEW and product_id not in seen:
            seen.append(product_id)
            if len(seen) >= limit:
                break
    return seen
