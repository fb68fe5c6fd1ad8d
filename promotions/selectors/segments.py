"""Segment membership: who is in a segment now, from stored rows, groups, regions and purchase history."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from commerce.accounts.models import CustomerProfile
from orders.selectors import customer_has_orders, customer_purchase_facts, customers_with_orders
from promotions.models import (
    Segment,
    SegmentMembership,
)


# --- segments ---------------------------------------------------------------------------------------
def segment_member_ids(*, segment: Segment) -> list[int]:
    """The customer ids in a segment now: live kinds evaluated, the others from their rows."""
    users = get_user_model().objects.filter(is_active=True)
    kind = segment.kind
    if kind == Segment.Kind.GROUP:
        qs = users.filter(groups=segment.group_id)
    elif kind == Segment.Kind.SALES_REGION:
        qs = users.filter(customer_profile__sales_region_id=segment.sales_region_id)
    elif kind == Segment.Kind.NEW_CUSTOMERS:
        qs = users.filter(is_staff=False).exclude(pk__in=customers_with_orders())
    else:
        qs = users.filter(segment_memberships__segment=segment)
    return list(qs.order_by("pk").values_list("pk", flat=True).distinct())


def dynamic_segment_members(*, segment: Segment, now: datetime.datetime | None = None) -> dict[int, tuple]:
    """Members of a dynamic segment computed from purchase history (non-cancelled orders).

    Returns ``{customer_id: (recency_days, frequency, monetary)}``. The rules:

    * ``lifetime_value``: spend (order totals less refunds) >= ``min_lifetime_value``.
    * ``rfm`` labels (a customer may carry several):
      - ``new``: first order within the last 30 days;
      - ``active``: last order within the last 90 days, and not new;
      - ``lapsing``: last order between 90 and 365 days ago;
      - ``vip``: lifetime spend >= ``settings.PROMOTIONS_VIP_LIFETIME_VALUE`` (default 500.00) and at
        least 3 orders.
    """
    now = now or timezone.now()
    facts = customer_purchase_facts()
    vip_value = Decimal(str(getattr(settings, "PROMOTIONS_VIP_LIFETIME_VALUE", "500.00")))
    members = {}
    for customer_id, f in facts.items():
        recency = max(0, (now - f.last_order_at).days)
        first_age = (now - f.first_order_at).days
        if segment.kind == Segment.Kind.LIFETIME_VALUE:
            hit = f.spend >= segment.min_lifetime_value
        else:
            label = segment.rfm_label
            is_new = first_age < 30
            hit = (
                (label == Segment.RfmLabel.NEW and is_new)
                or (label == Segment.RfmLabel.ACTIVE and recency < 90 and not is_new)
                or (label == Segment.RfmLabel.LAPSING and 90 <= recency < 365)
                or (label == Segment.RfmLabel.VIP and f.spend >= vip_value and f.orders >= 3)
            )
        if hit:
            members[customer_id] = (recency, f.orders, f.spend)
    return members


def customer_segment_ids(*, customer_id: int | None, segments: dict[int, tuple]) -> frozenset[int]:
    """Which of ``segments`` ({id: (kind, group_id, sales_region_id)}) the customer belongs to.

    At most four queries whatever the number of segments: memberships, groups, sales region and
    whether they have ordered, each only when a segment of that kind is asked about.
    """
    if customer_id is None or not segments:
        return frozenset()
    kinds = {kind for kind, _, _ in segments.values()}
    found = set()
    stored = [sid for sid, (kind, _, _) in segments.items()
              if kind in (Segment.Kind.MANUAL, Segment.Kind.LIFETIME_VALUE, Segment.Kind.RFM)]
    if stored:
        found |= set(SegmentMembership.objects.filter(customer_id=customer_id, segment_id__in=stored)
                     .values_list("segment_id", flat=True))
    if Segment.Kind.GROUP in kinds:
        group_ids = set(get_user_model().groups.through.objects.filter(user_id=customer_id).values_list("group_id", flat=True))
        found |= {sid for sid, (kind, group_id, _) in segments.items() if kind == Segment.Kind.GROUP and group_id in group_ids}
    if Segment.Kind.SALES_REGION in kinds:
        region_id = CustomerProfile.objects.filter(user_id=customer_id).values_list("sales_region_id", flat=True).first()
        found |= {sid for sid, (kind, _, rid) in segments.items()
                  if kind == Segment.Kind.SALES_REGION and region_id is not None and rid == region_id}
    if Segment.Kind.NEW_CUSTOMERS in kinds and not customer_has_orders(customer_id=customer_id):
        found |= {sid for sid, (kind, _, _) in segments.items() if kind == Segment.Kind.NEW_CUSTOMERS}
    return frozenset(found)


def customer_segments(*, customer) -> list[Segment]:
    """Every segment a customer is in now (for the account page and ``promotions_for_customer``)."""
    all_segments = {s.pk: s for s in Segment.objects.all()}
    ids = customer_segment_ids(
        customer_id=customer.pk,
        segments={s.pk: (s.kind, s.group_id, s.sales_region_id) for s in all_segments.values()},
    )
    return sorted((all_segments[i] for i in ids), key=lambda s: s.name)
