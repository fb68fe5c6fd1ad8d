"""The "frequently bought together" read model (``ProductPair``), rebuilt from the orders by a task.

Counting streams the order lines (``orders.selectors.purchased_baskets``) one order at a time, so
memory grows with the pairs found, not with the orders. A pair is kept when enough orders have
both products (support), when enough of the first product's orders have the second (confidence)
and when that is more than chance would give (lift > the threshold). The rebuild replaces the
table in one transaction, so readers see the old pairs or the new ones, never a mixture; the
counting happens before it, outside any transaction.
"""

from __future__ import annotations

import datetime
from collections import Counter
from itertools import combinations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record
from orders.selectors import purchased_baskets
from recommendations.events import ProductPairsRebuilt
from recommendations.models import ProductPair
from recommendations.serving import cache

HISTORY_DAYS = 365
BASKET_LIMIT = 30  # distinct products of one order that count towards pairs (a huge order is no signal)


def count_pairs(lines) -> tuple[int, Counter, Counter]:
    """(orders, orders per product, orders per unordered pair) from lines ordered by order."""
    orders, singles, pairs = 0, Counter(), Counter()
    current, basket = None, set()

    def close():
        nonlocal orders
        if not basket:
            return
        orders += 1
        items = sorted(basket)[:BASKET_LIMIT]
        singles.update(items)
        pairs.update(combinations(items, 2))

    for order_id, _customer_id, product_id, _quantity, _at in lines:
        if order_id != current:
            close()
            current, basket = order_id, set()
        basket.add(product_id)
    close()
    return orders, singles, pairs


def pair_rows(orders: int, singles: Counter, pairs: Counter, *, min_support: int, min_confidence: float,
              min_lift: float, at: datetime.datetime) -> list[ProductPair]:
    rows = []
    for (a, b), support in pairs.items():
        if support < min_support:
            continue
        for first, second in ((a, b), (b, a)):
            confidence = support / singles[first]
            lift = confidence / (singles[second] / orders)
            if confidence >= min_confidence and lift >= min_lift:
                rows.append(ProductPair(product_id=first, other_id=second, support=support, confidence=confidence,
                                        lift=lift, computed_at=at))
    return rows


def bought_together_rebuild(*, now: datetime.datetime | None = None) -> int:
    """Recount the co-purchases of the last year and replace the read model; the number of pairs kept."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=HISTORY_DAYS)
    with telemetry.command_span("recommendations.bought_together_rebuild", attributes={"since": since.isoformat()}):
        orders, singles, pairs = count_pairs(purchased_baskets(since=since))
        rows = pair_rows(orders, singles, pairs, min_support=settings.RECOMMENDATIONS_PAIR_MIN_SUPPORT,
                         min_confidence=float(settings.RECOMMENDATIONS_PAIR_MIN_CONFIDENCE),
                         min_lift=float(settings.RECOMMENDATIONS_PAIR_MIN_LIFT), at=now)
        with transaction.atomic():
            ProductPair.objects.all().delete()
            ProductPair.objects.bulk_create(rows, batch_size=1000)
            record(ProductPairsRebuilt(orders=orders, pairs=len(rows), since=since.isoformat()))
            transaction.on_commit(cache.bump_global)
        return len(rows)
