"""The time-driven schedule (beat): promotions and campaigns start, expire and end."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record_many
from commerce.locks import Kind, lock
from promotions import events
from promotions.models import (
    Campaign,
    Promotion,
)
from promotions.services._common import CS, PS, _iso, _rules_changed


# --- the schedule -----------------------------------------------------------------------------------
def promotions_sync_schedule(*, now: datetime.datetime | None = None) -> dict:
    """Beat: flip statuses by time and record why. Returns what changed, by kind.

    Promotions: scheduled -> active when ``valid_from`` has come; scheduled or active -> expired
    when ``valid_to`` has passed. Campaigns: scheduled -> active at ``starts_at``; scheduled or
    active -> ended at ``ends_at``.
    """
    now = now or timezone.now()
    with telemetry.command_span("commerce.promotion.sync_schedule") as span, transaction.atomic():
        # Locks as the checkout takes them (``redemptions._lock``): every campaign concerned, then
        # every promotion concerned, each in one query in id order, so the two never deadlock.
        campaigns = lock(Kind.CAMPAIGN, Campaign.objects.filter(
            Q(status__in=[CS.SCHEDULED, CS.ACTIVE], ends_at__lte=now) | Q(status=CS.SCHEDULED, starts_at__lte=now)))
        promotions = lock(Kind.PROMOTION, Promotion.objects.filter(
            Q(status__in=[PS.SCHEDULED, PS.ACTIVE], valid_to__lte=now) | Q(status=PS.SCHEDULED, valid_from__lte=now)))
        to_record = []
        expiring = [p for p in promotions if p.valid_to is not None and p.valid_to <= now]
        for p in expiring:
            to_record.append(events.PromotionExpired(promotion_id=p.pk, name=p.name, previous_status=p.status,
                                                     valid_to=_iso(p.valid_to)))
        Promotion.objects.filter(pk__in=[p.pk for p in expiring]).update(status=PS.EXPIRED, updated_at=now)
        starting = [p for p in promotions if p not in expiring and p.status == PS.SCHEDULED]
        for p in starting:
            to_record.append(events.PromotionStarted(promotion_id=p.pk, name=p.name))
        Promotion.objects.filter(pk__in=[p.pk for p in starting]).update(status=PS.ACTIVE, updated_at=now)

        ending = [c for c in campaigns if c.ends_at is not None and c.ends_at <= now]
        for c in ending:
            to_record.append(events.CampaignEnded(campaign_id=c.pk, name=c.name, previous_status=c.status,
                                                  spent_amount=str(c.spent_amount)))
        Campaign.objects.filter(pk__in=[c.pk for c in ending]).update(status=CS.ENDED, ended_at=now, updated_at=now)
        campaigns_starting = [c for c in campaigns if c not in ending and c.status == CS.SCHEDULED]
        for c in campaigns_starting:
            to_record.append(events.CampaignStarted(campaign_id=c.pk, name=c.name))
        Campaign.objects.filter(pk__in=[c.pk for c in campaigns_starting]).update(status=CS.ACTIVE, updated_at=now)

        result = {
            "promotions_started": len(starting), "promotions_expired": len(expiring),
            "campaigns_started": len(campaigns_starting), "campaigns_ended": len(ending),
        }
        if to_record:
            record_many(to_record)
            _rules_changed()
        span.set_attributes({f"promotions.{k}": v for k, v in result.items()})
        return result
