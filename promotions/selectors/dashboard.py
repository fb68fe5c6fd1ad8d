"""The figures of the back office's home page: live promotions and how they perform, and what the
running campaigns have spent of their budgets. Read by ``promotions.dashboard``; each a fixed
number of queries whatever the number of promotions, campaigns and redemptions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from promotions.models import Campaign, Promotion, Redemption
from promotions.selectors._common import CS
from promotions.selectors.analytics import _money
from promotions.selectors.lookups import _live_q, badge_for


@dataclass(frozen=True)
class LivePromotion:
    promotion_id: int
    name: str
    badge: str
    ends_at: datetime.datetime | None  # its own end or its campaign's, whichever comes first
    orders: int  # orders that got it since the period's start (cancelled ones left out)
    discount: Decimal  # discount it granted on them
    revenue: Decimal  # their totals


def live_promotions(*, now: datetime.datetime, since: datetime.datetime) -> list[LivePromotion]:
    """Every promotion that applies at ``now``, with its performance since ``since``, the one that
    granted most first. Two queries."""
    live = list(Promotion.objects.filter(_live_q(now)).select_related("campaign").order_by("-priority", "id"))
    figures = {
        row["promotion_id"]: row
        for row in Redemption.objects.filter(
            promotion_id__in=[p.pk for p in live], cancelled_at__isnull=True, placed_at__gte=since
        ).order_by().values("promotion_id")
        .annotate(orders=Count("order_id", distinct=True), discount=Sum("amount"), revenue=Sum("order_total"))
    } if live else {}
    rows = []
    for promotion in live:
        row = figures.get(promotion.pk, {})
        ends = [d for d in (promotion.valid_to, promotion.campaign.ends_at if promotion.campaign else None) if d]
        rows.append(LivePromotion(
            promotion.pk, promotion.name, badge_for(promotion), min(ends) if ends else None,
            row.get("orders", 0), _money(row.get("discount")), _money(row.get("revenue")),
        ))
    return sorted(rows, key=lambda r: (-r.discount, -r.orders, r.promotion_id))


def running_campaigns(*, now: datetime.datetime) -> list[Campaign]:
    """Campaigns running at ``now`` (active, started, not ended), the biggest spender first. One query."""
    return list(
        Campaign.objects.filter(status=CS.ACTIVE, starts_at__lte=now)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .order_by("-spent_amount", "id")
    )
