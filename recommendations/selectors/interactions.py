"""The interaction matrix the recommender trains on, read from the shop's data in bounded memory.

Each source streams ``(customer_id, product_id, kind, occurred_at, scale)`` tuples with
``values_list(...).iterator()`` (never model instances); the builder turns each into one weight,
``weights[kind] * scale * 0.5 ** (age / half_life)`` (``settings.RECOMMENDATIONS_INTERACTIONS``), and
appends it to three compact arrays, so memory grows with the interactions read (about 20 bytes
each), never with customers x products. Pairs seen more than once are summed by the matrix.

Sources: order lines (``orders.selectors.purchased_lines``), add-to-cart and product-view journey
steps of logged-in shoppers (``commerce.audit.selectors.journey_steps``), approved ratings
(``score / 5``, from ``rating_min_score``). Another part of the app adds its own with
``register_source`` (the recommendation clicks of the tracking tables).

For serving in real time: ``customer_interactions`` (one customer's rows, one indexed query per
source) and ``session_interactions`` (an anonymous session's views and add-to-carts).
"""

from __future__ import annotations

import datetime
from array import array
from collections.abc import Callable, Iterator

from django.conf import settings
from django.utils import timezone

from commerce.audit.selectors import journey_steps
from orders.selectors import purchased_lines
from recommendations.engine import InteractionMatrix
from recommendations.models import Review

Interaction = tuple[int, int, str, datetime.datetime, float]
#: ``source(since, config, customer_id)``: every customer's interactions since then, or one customer's
Source = Callable[[datetime.datetime, dict, int | None], Iterator[Interaction]]


def _orders(since: datetime.datetime, config: dict, customer_id: int | None) -> Iterator[Interaction]:
    for owner, product_id, _quantity, placed_at in purchased_lines(since=since, customer_id=customer_id):
        yield owner, product_id, "order", placed_at, 1.0


def _journey(since: datetime.datetime, config: dict, customer_id: int | None) -> Iterator[Interaction]:
    wanted = [kind for kind in ("product_view", "add_to_cart") if config["weights"].get(kind)]
    if not wanted:
        return
    steps = journey_steps(since=since, actions=wanted, customer_id=customer_id,
                          fields=("customer_id", "product_id", "action", "occurred_at"), chunk_size=5000)
    for owner, product_id, action, occurred_at in steps:
        if owner is not None and product_id is not None:
            yield owner, product_id, action, occurred_at, 1.0


def _ratings(since: datetime.datetime, config: dict, customer_id: int | None) -> Iterator[Interaction]:
    rows = Review.objects.filter(status=Review.Status.APPROVED, submitted_at__gte=since,
                                 score__gte=config.get("rating_min_score", 3))
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)
    rows = (rows.order_by()
            .values_list("customer_id", "product_id", "score", "submitted_at").iterator(chunk_size=5000))
    for owner, product_id, score, submitted_at in rows:
        yield owner, product_id, "rating", submitted_at, float(score) / 5.0


SOURCES: dict[str, Source] = {"orders": _orders, "journey": _journey, "ratings": _ratings}


def register_source(name: str, source: Source) -> None:
    """Add a source of interactions (its kinds need a weight in the settings to count)."""
    SOURCES[name] = source


def interaction_config() -> dict:
    return settings.RECOMMENDATIONS_INTERACTIONS


def _weighted(config: dict, now: datetime.datetime, customer_id: int | None) -> Iterator[tuple[int, int, float]]:
    since = now - datetime.timedelta(days=config["lookback_days"])
    weights = config["weights"]
    half_life = float(config["half_life_days"]) * 86400.0
    for source in SOURCES.values():
        for owner, product_id, kind, at, scale in source(since, config, customer_id):
            weight = weights.get(kind, 0.0) * scale
            if weight > 0:
                yield owner, product_id, weight * 0.5 ** (max((now - at).total_seconds(), 0.0) / half_life)


def interaction_matrix(*, now: datetime.datetime | None = None, config: dict | None = None) -> InteractionMatrix:
    """Every source's interactions of the last ``lookback_days``, weighted and decayed, as a matrix."""
    users, items, values = array("q"), array("q"), array("f")
    for customer_id, product_id, weight in _weighted(config or interaction_config(), now or timezone.now(), None):
        users.append(customer_id)
        items.append(product_id)
        values.append(weight)
    return InteractionMatrix.from_triples(users, items, values)


def customer_interactions(*, customer_id: int, now: datetime.datetime | None = None,
                          config: dict | None = None) -> dict[int, float]:
    """One customer's interactions as ``{product_id: weight}``, read now (the real-time input of
    ``Recommender.recommend``): the same sources and weights as training, the customer's rows only
    (one indexed query per source)."""
    found: dict[int, float] = {}
    for _owner, product_id, weight in _weighted(config or interaction_config(), now or timezone.now(), customer_id):
        found[product_id] = found.get(product_id, 0.0) + weight
    return found


def session_interactions(*, session_id: str, now: datetime.datetime | None = None,
                         config: dict | None = None) -> dict[int, float]:
    """An anonymous shopper's interactions (the product views and add-to-carts of their session, by
    its digest) as ``{product_id: weight}``, weighed as training weighs them: one indexed query."""
    config = config or interaction_config()
    now = now or timezone.now()
    since = now - datetime.timedelta(days=config["lookback_days"])
    weights, half_life = config["weights"], float(config["half_life_days"]) * 86400.0
    wanted = [kind for kind in ("product_view", "add_to_cart") if weights.get(kind)]
    found: dict[int, float] = {}
    if not session_id or not wanted:
        return found
    for product_id, action, at in journey_steps(since=since, actions=wanted, session_id=session_id,
                                                fields=("product_id", "action", "occurred_at")):
        if product_id is not None:
            weight = weights[action] * 0.5 ** (max((now - at).total_seconds(), 0.0) / half_life)
            found[product_id] = found.get(product_id, 0.0) + weight
    return found
