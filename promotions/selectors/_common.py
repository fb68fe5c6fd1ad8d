"""What the promotions queries share: status shorthands and the live statuses."""

from __future__ import annotations

from decimal import Decimal

from promotions.models import (
    Campaign,
    Promotion,
)

PS = Promotion.Status
CS = Campaign.Status
LIVE_PROMOTION_STATUSES = (PS.SCHEDULED, PS.ACTIVE)
LIVE_CAMPAIGN_STATUSES = (CS.SCHEDULED, CS.ACTIVE)
CENT = Decimal("0.01")
