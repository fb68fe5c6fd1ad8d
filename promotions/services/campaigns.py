"""Campaign commands: create, update, launch, end."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from commerce import telemetry
from commerce.audit.events import record
from commerce.money import MINOR_UNITS, minor_unit
from promotions import events
from promotions.errors import (
    CampaignInvalid,
    InvalidTransition,
)
from promotions.models import (
    Campaign,
)
from promotions.services._common import CS, _campaign, _iso, _jsonable, _rules_changed

CAMPAIGN_TRANSITIONS = {
    "launch": frozenset({CS.DRAFT}),
    "end": frozenset({CS.DRAFT, CS.SCHEDULED, CS.ACTIVE}),
}


# --- campaigns --------------------------------------------------------------------------------------
CAMPAIGN_FIELDS = ("name", "description", "starts_at", "ends_at", "budget_amount", "currency")


def _validate_campaign(values: dict, *, spent: Decimal = Decimal(0)) -> dict:
    errors: dict[str, list[str]] = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = ["Give the campaign a name."]
    elif len(name) > 120:
        errors["name"] = ["At most 120 characters."]
    values["name"] = name
    if not values.get("starts_at"):
        errors["starts_at"] = ["Say when it starts."]
    elif values.get("ends_at") and values["ends_at"] <= values["starts_at"]:
        errors["ends_at"] = ["Ends after it starts."]
    if values.get("currency") not in MINOR_UNITS:
        errors["currency"] = ["Unknown currency."]
    budget = values.get("budget_amount")
    if budget in (None, ""):
        values["budget_amount"] = None
    else:
        try:
            budget = Decimal(str(budget))
        except (InvalidOperation, ValueError):
            budget = None
        if budget is None or not budget.is_finite() or budget <= 0 or budget != budget.quantize(Decimal("0.01")):
            errors["budget_amount"] = ["An amount above zero with at most two decimals, or empty for no budget."]
        elif values.get("currency") in MINOR_UNITS and budget != budget.quantize(minor_unit(values["currency"])):
            errors["budget_amount"] = [f"At most {MINOR_UNITS[values['currency']]} decimal places in {values['currency']}."]
        elif budget < spent:
            errors["budget_amount"] = [f"Already {spent} spent; the budget cannot be lower."]
        values["budget_amount"] = budget
    if errors:
        raise CampaignInvalid(f"The campaign is not valid: {next(iter(errors.values()))[0]}", fields=errors)
    return values


def campaign_create(
    *, name: str, starts_at: datetime.datetime, ends_at: datetime.datetime | None = None,
    budget_amount: Decimal | None = None, currency: str = "EUR", description: str = "",
) -> Campaign:
    """A campaign in draft: its promotions do not apply until it is launched."""
    with telemetry.command_span("commerce.campaign.create") as span, transaction.atomic():
        values = _validate_campaign({"name": name, "starts_at": starts_at, "ends_at": ends_at,
                                     "budget_amount": budget_amount, "currency": currency, "description": description or ""})
        campaign = Campaign.objects.create(status=CS.DRAFT, **values)
        span.set_attribute("campaign.id", campaign.pk)
        record(events.CampaignCreated(
            campaign_id=campaign.pk, name=campaign.name, starts_at=campaign.starts_at.isoformat(),
            ends_at=_iso(campaign.ends_at), budget_amount=_jsonable(campaign.budget_amount), currency=campaign.currency,
        ))
        _rules_changed()
        return campaign


def campaign_update(*, campaign: Campaign | int, data: dict) -> Campaign:
    """Change a campaign's name, dates, budget (never below what is spent) or currency (before any spend)."""
    unknown = set(data) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown campaign fields: {', '.join(sorted(unknown))}")
    with telemetry.command_span("commerce.campaign.update") as span, transaction.atomic():
        campaign = _campaign(campaign, lock=True)
        span.set_attribute("campaign.id", campaign.pk)
        if campaign.status == CS.ENDED:
            raise InvalidTransition("The campaign has ended; it cannot change.", extra={"status": campaign.status})
        before = {f: getattr(campaign, f) for f in CAMPAIGN_FIELDS}
        values = _validate_campaign({**before, **data}, spent=campaign.spent_amount)
        if values["currency"] != campaign.currency and (campaign.spent_amount or campaign.promotions.exists()):
            raise CampaignInvalid("The campaign has promotions; its currency cannot change.",
                                  fields={"currency": ["Cannot change once it has promotions."]})
        changes = {f: [_jsonable(before[f]), _jsonable(values[f])] for f in CAMPAIGN_FIELDS if before[f] != values[f]}
        if not changes:
            return campaign
        for f in changes:
            setattr(campaign, f, values[f])
        if campaign.status in (CS.SCHEDULED, CS.ACTIVE):
            status = _campaign_status(campaign, timezone.now())
            if status != campaign.status:
                changes["status"] = [campaign.status, status]
                campaign.status = status
                if status == CS.ENDED:
                    campaign.ended_at = timezone.now()
        campaign.save()
        record(events.CampaignUpdated(campaign_id=campaign.pk, name=campaign.name, changes=changes))
        _rules_changed()
        return campaign


def _campaign_status(campaign: Campaign, now) -> str:
    if campaign.ends_at is not None and campaign.ends_at <= now:
        return CS.ENDED
    if campaign.starts_at > now:
        return CS.SCHEDULED
    return CS.ACTIVE


def campaign_launch(*, campaign: Campaign | int, now: datetime.datetime | None = None) -> Campaign:
    """Draft -> scheduled (starts later) or active. Already launched: unchanged. Ended: refused."""
    now = now or timezone.now()
    with telemetry.command_span("commerce.campaign.launch") as span, transaction.atomic():
        campaign = _campaign(campaign, lock=True)
        span.set_attribute("campaign.id", campaign.pk)
        if campaign.status in (CS.SCHEDULED, CS.ACTIVE):
            return campaign
        if campaign.status not in CAMPAIGN_TRANSITIONS["launch"]:
            raise InvalidTransition("The campaign has ended; it cannot be launched again.",
                                    extra={"status": campaign.status, "action": "launch"})
        status = _campaign_status(campaign, now)
        if status == CS.ENDED:
            raise InvalidTransition("Its end date has passed; change the dates first.",
                                    extra={"status": campaign.status, "action": "launch"})
        campaign.status, campaign.launched_at = status, now
        campaign.save(update_fields=["status", "launched_at", "updated_at"])
        record(events.CampaignLaunched(campaign_id=campaign.pk, name=campaign.name, status=status))
        _rules_changed()
        return campaign


def campaign_end(*, campaign: Campaign | int) -> Campaign:
    """End a campaign now: its promotions stop applying. Already ended: unchanged."""
    with telemetry.command_span("commerce.campaign.end") as span, transaction.atomic():
        campaign = _campaign(campaign, lock=True)
        span.set_attribute("campaign.id", campaign.pk)
        if campaign.status == CS.ENDED:
            return campaign
        previous = campaign.status
        campaign.status, campaign.ended_at = CS.ENDED, timezone.now()
        campaign.save(update_fields=["status", "ended_at", "updated_at"])
        record(events.CampaignEnded(campaign_id=campaign.pk, name=campaign.name, previous_status=previous,
                                    spent_amount=str(campaign.spent_amount)))
        _rules_changed()
        return campaign
