"""Segment commands: create, update, set members, refresh from purchase history."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from commerce import telemetry
from commerce.accounts.models import SalesRegion
from commerce.audit.events import record
from promotions import events
from promotions.errors import (
    SegmentInvalid,
    SegmentNotManual,
)
from promotions.models import (
    Segment,
    SegmentMembership,
)
from promotions.selectors.segments import dynamic_segment_members, segment_member_ids
from promotions.services._common import _jsonable, _rules_changed, _segment

# --- segments ---------------------------------------------------------------------------------------
SEGMENT_FIELDS = ("code", "name", "description", "group", "sales_region", "min_lifetime_value", "rfm_label")
_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")


def _validate_segment(values: dict, *, instance: Segment | None = None) -> dict:
    errors: dict[str, list[str]] = {}
    kind = values.get("kind")
    if kind not in Segment.Kind.values:
        errors["kind"] = [f"One of: {', '.join(Segment.Kind.values)}."]
    code = (values.get("code") or "").strip()
    if not _SLUG_RE.match(code):
        errors["code"] = ["Letters, digits, '-' and '_', at most 60."]
    elif Segment.objects.filter(code=code).exclude(pk=instance.pk if instance else None).exists():
        errors["code"] = ["Already in use."]
    values["code"] = code
    name = (values.get("name") or "").strip()
    if not name or len(name) > 120:
        errors["name"] = ["A name of at most 120 characters."]
    values["name"] = name
    for field_name, model in (("group", Group), ("sales_region", SalesRegion)):
        value = values.get(field_name)
        if value not in (None, "") and not isinstance(value, model):
            value = model.objects.filter(pk=value).first()
            if value is None:
                errors[field_name] = ["Unknown."]
        values[field_name] = value or None
    ltv = values.get("min_lifetime_value")
    if ltv in (None, ""):
        values["min_lifetime_value"] = None
    else:
        try:
            values["min_lifetime_value"] = Decimal(str(ltv))
            if values["min_lifetime_value"] < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["min_lifetime_value"] = ["An amount, zero or more."]
    values["rfm_label"] = values.get("rfm_label") or ""
    if values["rfm_label"] and values["rfm_label"] not in Segment.RfmLabel.values:
        errors["rfm_label"] = [f"One of: {', '.join(Segment.RfmLabel.values)}."]
    required = {Segment.Kind.GROUP: "group", Segment.Kind.SALES_REGION: "sales_region",
                Segment.Kind.LIFETIME_VALUE: "min_lifetime_value", Segment.Kind.RFM: "rfm_label"}
    for k, field_name in required.items():
        if kind == k and not values.get(field_name) and field_name not in errors:
            errors[field_name] = ["Required for this kind of segment."]
        if kind != k and values.get(field_name) and field_name not in errors:
            errors[field_name] = ["Only for the kind that uses it."]
    if errors:
        raise SegmentInvalid(f"The segment is not valid: {next(iter(errors.values()))[0]}", fields=errors)
    return values


def _enqueue_refresh(segment: Segment) -> None:
    if segment.is_dynamic:
        from promotions.tasks import segment_refresh_task  # late: the tasks module imports these services

        segment_id = segment.pk
        transaction.on_commit(lambda: segment_refresh_task.delay(segment_id))


def segment_create(*, code: str, name: str, kind: str, **fields) -> Segment:
    """A segment; dynamic kinds (lifetime value, RFM) are computed by a task queued on commit."""
    unknown = set(fields) - set(SEGMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown segment fields: {', '.join(sorted(unknown))}")
    with telemetry.command_span("commerce.segment.create", attributes={"segment.kind": kind}) as span, transaction.atomic():
        values = _validate_segment({"description": "", **fields, "code": code, "name": name, "kind": kind})
        segment = Segment.objects.create(**values)
        span.set_attribute("segment.id", segment.pk)
        record(events.SegmentCreated(segment_id=segment.pk, code=segment.code, kind=segment.kind, name=segment.name))
        _enqueue_refresh(segment)
        _rules_changed()
        return segment


def segment_update(*, segment: Segment | int, data: dict) -> Segment:
    """Change a segment's name, code or criteria (not its kind)."""
    if "kind" in data:
        raise SegmentInvalid("A segment's kind cannot change; create a new segment.", fields={"kind": ["Cannot change."]})
    unknown = set(data) - set(SEGMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown segment fields: {', '.join(sorted(unknown))}")
    with telemetry.command_span("commerce.segment.update") as span, transaction.atomic():
        segment = _segment(segment, lock=True)
        span.set_attribute("segment.id", segment.pk)
        before = {f: getattr(segment, f) for f in SEGMENT_FIELDS}
        values = _validate_segment({**before, **data, "kind": segment.kind}, instance=segment)
        changes = {f: [_jsonable(before[f]), _jsonable(values[f])] for f in SEGMENT_FIELDS
                   if _jsonable(before[f]) != _jsonable(values[f])}
        if not changes:
            return segment
        for f in changes:
            setattr(segment, f, values[f])
        segment.save()
        record(events.SegmentUpdated(segment_id=segment.pk, code=segment.code, changes=changes))
        if {"min_lifetime_value", "rfm_label"} & set(changes):
            _enqueue_refresh(segment)
        _rules_changed()
        return segment


def segment_members_set(*, segment: Segment | int, customers: Iterable) -> int:
    """Replace a manual segment's members with ``customers`` (users or ids). Returns the count."""
    with telemetry.command_span("commerce.segment.members_set") as span, transaction.atomic():
        segment = _segment(segment, lock=True)
        span.set_attribute("segment.id", segment.pk)
        if segment.kind != Segment.Kind.MANUAL:
            raise SegmentNotManual("Only a hand-picked segment lists its members.")
        wanted = {c.pk if hasattr(c, "pk") else int(c) for c in customers}
        known = set(get_user_model().objects.filter(pk__in=wanted).values_list("pk", flat=True))
        if known != wanted:
            missing = sorted(wanted - known)
            raise SegmentInvalid(f"Unknown customers: {', '.join(map(str, missing))}.",
                                 fields={"customers": ["Unknown customers."]})
        current = set(SegmentMembership.objects.filter(segment=segment).values_list("customer_id", flat=True))
        removed, added = current - wanted, wanted - current
        if removed:
            SegmentMembership.objects.filter(segment=segment, customer_id__in=removed).delete()
        SegmentMembership.objects.bulk_create([SegmentMembership(segment=segment, customer_id=c) for c in sorted(added)])
        segment.member_count, segment.refreshed_at = len(wanted), timezone.now()
        segment.save(update_fields=["member_count", "refreshed_at"])
        record(events.SegmentMembersSet(segment_id=segment.pk, code=segment.code, added=len(added), removed=len(removed),
                                        member_count=len(wanted)))
        return len(wanted)


def segment_refresh(*, segment: Segment | int, now: datetime.datetime | None = None) -> int:
    """Recompute a segment and return its member count.

    Dynamic kinds replace their membership rows in this transaction (with the recency, frequency
    and monetary figures they were computed from); the other kinds only update ``member_count``.
    The rules (lifetime value and RFM labels) are in ``promotions.selectors.dynamic_segment_members``.
    """
    now = now or timezone.now()
    with telemetry.command_span("commerce.segment.refresh") as span, transaction.atomic():
        segment = _segment(segment, lock=True)
        span.set_attribute("segment.id", segment.pk)
        added = removed = 0
        if segment.is_dynamic:
            members = dynamic_segment_members(segment=segment, now=now)
            existing = {m.customer_id: m for m in SegmentMembership.objects.filter(segment=segment)}
            gone = set(existing) - set(members)
            if gone:
                SegmentMembership.objects.filter(segment=segment, customer_id__in=gone).delete()
            kept = []
            for customer_id, facts in members.items():
                row = existing.get(customer_id)
                if row is not None and (row.recency_days, row.frequency, row.monetary) != facts:
                    row.recency_days, row.frequency, row.monetary = facts
                    kept.append(row)
            SegmentMembership.objects.bulk_update(kept, ["recency_days", "frequency", "monetary"], batch_size=500)
            new = [SegmentMembership(segment=segment, customer_id=c, recency_days=f[0], frequency=f[1], monetary=f[2])
                   for c, f in sorted(members.items()) if c not in existing]
            SegmentMembership.objects.bulk_create(new, batch_size=1000)
            added, removed, count = len(new), len(gone), len(members)
        else:
            count = len(segment_member_ids(segment=segment))
        changed = segment.refreshed_at is None or added or removed or count != segment.member_count
        segment.member_count, segment.refreshed_at = count, now
        segment.save(update_fields=["member_count", "refreshed_at"])
        span.set_attribute("segment.member_count", count)
        if changed:  # a nightly refresh that finds the same members is not a change of state
            record(events.SegmentRefreshed(segment_id=segment.pk, code=segment.code, added=added, removed=removed,
                                           member_count=count, refreshed_at=now.isoformat()))
        return count


def segments_refresh_all(*, now: datetime.datetime | None = None) -> dict:
    """Refresh every segment, each in its own transaction. Returns ``{code: member count}``."""
    now = now or timezone.now()
    return {
        segment.code: segment_refresh(segment=segment.pk, now=now)
        for segment in Segment.objects.order_by("id").only("pk", "code")
    }
