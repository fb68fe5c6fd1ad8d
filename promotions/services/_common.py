"""What the promotions commands share: status shorthands, the rules-cache bump, JSON-ready values and locked lookups."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from commerce import locks
from promotions.errors import (
    CampaignNotFound,
    PromotionNotFound,
    SegmentNotFound,
)
from promotions.models import (
    Campaign,
    Promotion,
    Segment,
)
from promotions.selectors.rules import rules_cache_bump

PS = Promotion.Status
CS = Campaign.Status
B = Promotion.Benefit


def _rules_changed() -> None:
    """The compiled rules the provider caches are stale: bump their version now and on commit."""
    rules_cache_bump()
    transaction.on_commit(rules_cache_bump)


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return value


def _same(old, new) -> bool:
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old == new
    return _jsonable(old) == _jsonable(new)


# --- lookups ----------------------------------------------------------------------------------------
def _promotion(promotion: Promotion | int, *, lock: bool = False) -> Promotion:
    pk = promotion.pk if isinstance(promotion, Promotion) else promotion
    qs = Promotion.objects.filter(pk=pk)
    found = locks.lock_one(locks.Kind.PROMOTION, qs) if lock else qs.first()
    if found is None:
        raise PromotionNotFound("No such promotion.")
    return found


def _campaign(campaign: Campaign | int, *, lock: bool = False) -> Campaign:
    pk = campaign.pk if isinstance(campaign, Campaign) else campaign
    qs = Campaign.objects.filter(pk=pk)
    found = locks.lock_one(locks.Kind.CAMPAIGN, qs) if lock else qs.first()
    if found is None:
        raise CampaignNotFound("No such campaign.")
    return found


def _segment(segment: Segment | int, *, lock: bool = False) -> Segment:
    pk = segment.pk if isinstance(segment, Segment) else segment
    qs = Segment.objects.filter(pk=pk)
    found = locks.lock_one(locks.Kind.SEGMENT, qs) if lock else qs.first()
    if found is None:
        raise SegmentNotFound("No such segment.")
    return found
