"""Segment commands: create, update, hand-picked members, and the refresh of dynamic segments
(lifetime value and RFM labels) from purchase history."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from commerce.accounts.models import CustomerProfile
from commerce.audit.models import DomainEvent
from orders.models import Order, OrderSummary
from orders.services.lifecycle import order_cancel
from promotions import selectors, services
from promotions.errors import SegmentInvalid, SegmentNotFound
from promotions.models import Segment, SegmentMembership
from tests.factories import CustomerFactory, SalesRegionFactory
from tests.orders.factories import customer_with_address, placed_order, stocked_product
from tests.promotions.factories import SegmentFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _events(event_type):
    return list(DomainEvent.objects.filter(event_type=event_type).order_by("id"))


def order_days_ago(customer, address, days, price="100.00"):
    """An order placed ``days`` ago (its order row and its read-model row moved back in time)."""
    order = placed_order([(stocked_product(price=price), 1)], customer=customer, address=address)
    when = NOW - datetime.timedelta(days=days)
    Order.objects.filter(pk=order.pk).update(placed_at=when)
    OrderSummary.objects.filter(order_id=order.pk).update(placed_at=when)
    return order


def test_segment_create_each_kind_with_its_field_and_records_it(django_capture_on_commit_callbacks, celery_eager):
    region = SalesRegionFactory()
    group = Group.objects.get(name="Customers")

    with django_capture_on_commit_callbacks(execute=True):
        made = [
            services.segment_create(code="hand", name="Hand-picked", kind="manual"),
            services.segment_create(code="custs", name="Customers", kind="group", group=group),
            services.segment_create(code="north", name="North", kind="sales_region", sales_region=region.pk),
            services.segment_create(code="new", name="New", kind="new_customers"),
            services.segment_create(code="big", name="Big spenders", kind="lifetime_value", min_lifetime_value="250"),
            services.segment_create(code="vip", name="VIP", kind="rfm", rfm_label="vip"),
        ]

    assert [s.kind for s in made] == ["manual", "group", "sales_region", "new_customers", "lifetime_value", "rfm"]
    assert made[2].sales_region == region and made[4].min_lifetime_value == Decimal("250")
    assert [e.payload["code"] for e in _events("promotions.segment.created")] == ["hand", "custs", "north", "new", "big", "vip"]
    # dynamic kinds are refreshed by a task queued on commit; the others are not
    assert [e.payload["code"] for e in _events("promotions.segment.refreshed")] == ["big", "vip"]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"kind": "group"}, "group"),
    ({"kind": "sales_region"}, "sales_region"),
    ({"kind": "lifetime_value"}, "min_lifetime_value"),
    ({"kind": "lifetime_value", "min_lifetime_value": "-1"}, "min_lifetime_value"),
    ({"kind": "rfm"}, "rfm_label"),
    ({"kind": "rfm", "rfm_label": "sleepy"}, "rfm_label"),
    ({"kind": "manual", "rfm_label": "vip"}, "rfm_label"),
    ({"kind": "planets"}, "kind"),
    ({"kind": "manual", "code": "has space"}, "code"),
    ({"kind": "manual", "name": ""}, "name"),
    ({"kind": "group", "group": 999999}, "group"),
])
def test_segment_create_refuses_a_kind_without_its_field_or_a_field_it_does_not_use(kwargs, field):
    with pytest.raises(SegmentInvalid) as refused:
        services.segment_create(**{"code": "seg", "name": "Seg", **kwargs})
    assert field in refused.value.fields and refused.value.code == "segment_invalid"
    assert Segment.objects.count() == 0


def test_segment_create_refuses_a_code_in_use():
    SegmentFactory(code="taken")
    with pytest.raises(SegmentInvalid) as refused:
        services.segment_create(code="taken", name="Again", kind="manual")
    assert refused.value.fields == {"code": ["Already in use."]}


def test_segment_update_changes_criteria_but_never_the_kind():
    segment = services.segment_create(code="ltv", name="LTV", kind="lifetime_value", min_lifetime_value="100")

    services.segment_update(segment=segment, data={"min_lifetime_value": Decimal("200"), "name": "LTV 200"})
    with pytest.raises(SegmentInvalid):
        services.segment_update(segment=segment, data={"kind": "manual"})

    segment.refresh_from_db()
    assert (segment.name, segment.min_lifetime_value, segment.kind) == ("LTV 200", Decimal("200.00"), "lifetime_value")
    [event] = _events("promotions.segment.updated")
    assert event.payload["changes"]["name"] == ["LTV", "LTV 200"]


def test_segment_members_set_replaces_the_members_and_counts_them():
    segment = SegmentFactory()
    a, b, c = CustomerFactory(), CustomerFactory(), CustomerFactory()
    services.segment_members_set(segment=segment, customers=[a, b])

    count = services.segment_members_set(segment=segment, customers=[b.pk, c])

    assert count == 2
    assert set(SegmentMembership.objects.filter(segment=segment).values_list("customer_id", flat=True)) == {b.pk, c.pk}
    segment.refresh_from_db()
    assert segment.member_count == 2
    last = _events("promotions.segment.members_set")[-1]
    assert (last.payload["added"], last.payload["removed"], last.payload["member_count"]) == (1, 1, 2)


def test_segment_members_set_only_for_manual_segments_and_known_customers():
    with pytest.raises(SegmentInvalid) as refused:
        services.segment_members_set(segment=SegmentFactory(kind="new_customers"), customers=[])
    assert refused.value.code == "segment_not_manual"
    with pytest.raises(SegmentInvalid):
        services.segment_members_set(segment=SegmentFactory(), customers=[987654])
    with pytest.raises(SegmentNotFound):
        services.segment_members_set(segment=987654, customers=[])


def test_segment_refresh_lifetime_value_counts_spend_of_non_cancelled_orders():
    # given: rich spent 2 x 100.00 (free shipping over 50), poor 100.00, and a cancelled 300.00 counts for nothing
    rich, rich_address = customer_with_address()
    poor, poor_address = customer_with_address()
    canceller, canceller_address = customer_with_address()
    order_days_ago(rich, rich_address, 10)
    order_days_ago(rich, rich_address, 5)
    order_days_ago(poor, poor_address, 3)
    order_cancel(order=order_days_ago(canceller, canceller_address, 2, price="300.00"))
    segment = SegmentFactory(kind="lifetime_value", min_lifetime_value=Decimal("150.00"))

    count = services.segment_refresh(segment=segment, now=NOW)

    assert count == 1
    row = SegmentMembership.objects.get(segment=segment)
    assert (row.customer_id, row.frequency, row.monetary, row.recency_days) == (rich.pk, 2, Decimal("200.00"), 5)
    segment.refresh_from_db()
    assert segment.member_count == 1 and segment.refreshed_at == NOW
    [event] = _events("promotions.segment.refreshed")
    assert (event.payload["added"], event.payload["removed"], event.payload["member_count"]) == (1, 0, 1)


def test_segment_refresh_rfm_labels(settings):
    """new: first order < 30 days; active: last < 90 days, not new; lapsing: last 90..365 days;
    vip: spend >= PROMOTIONS_VIP_LIFETIME_VALUE and >= 3 orders."""
    settings.PROMOTIONS_VIP_LIFETIME_VALUE = "250.00"
    newbie, newbie_a = customer_with_address()
    regular, regular_a = customer_with_address()
    lapsing, lapsing_a = customer_with_address()
    gone, gone_a = customer_with_address()
    vip, vip_a = customer_with_address()
    order_days_ago(newbie, newbie_a, 3)
    order_days_ago(regular, regular_a, 200)
    order_days_ago(regular, regular_a, 20)
    order_days_ago(lapsing, lapsing_a, 120)
    order_days_ago(gone, gone_a, 400)
    for days in (300, 200, 100):
        order_days_ago(vip, vip_a, days)
    segments = {label: SegmentFactory(kind="rfm", rfm_label=label) for label in ("new", "active", "lapsing", "vip")}

    counts = {label: services.segment_refresh(segment=s, now=NOW) for label, s in segments.items()}

    members = {label: set(SegmentMembership.objects.filter(segment=s).values_list("customer_id", flat=True))
               for label, s in segments.items()}
    assert members == {"new": {newbie.pk}, "active": {regular.pk}, "lapsing": {lapsing.pk, vip.pk}, "vip": {vip.pk}}
    assert counts == {"new": 1, "active": 1, "lapsing": 2, "vip": 1}


def test_segment_refresh_replaces_the_members_who_no_longer_qualify():
    customer, address = customer_with_address()
    order = order_days_ago(customer, address, 1)
    segment = SegmentFactory(kind="rfm", rfm_label="new")
    assert services.segment_refresh(segment=segment, now=NOW) == 1

    order_cancel(order=order)

    assert services.segment_refresh(segment=segment, now=NOW) == 0
    assert not SegmentMembership.objects.filter(segment=segment).exists()
    last = _events("promotions.segment.refreshed")[-1]
    assert (last.payload["added"], last.payload["removed"]) == (0, 1)


def test_segment_refresh_of_live_kinds_counts_members_without_rows():
    region = SalesRegionFactory()
    in_region = CustomerFactory()
    CustomerProfile.objects.filter(user=in_region).update(sales_region=region)
    CustomerFactory()
    segment = SegmentFactory(kind="sales_region", sales_region=region)

    assert services.segment_refresh(segment=segment) == 1
    assert not SegmentMembership.objects.filter(segment=segment).exists()
    assert selectors.segment_member_ids(segment=segment) == [in_region.pk]


def test_new_customers_are_those_without_a_non_cancelled_order():
    fresh = CustomerFactory()
    buyer, buyer_address = customer_with_address()
    canceller, canceller_address = customer_with_address()
    placed_order([(stocked_product(), 1)], customer=buyer, address=buyer_address)
    order_cancel(order=placed_order([(stocked_product(), 1)], customer=canceller, address=canceller_address))
    segment = SegmentFactory(kind="new_customers")

    members = set(selectors.segment_member_ids(segment=segment))

    assert fresh.pk in members and canceller.pk in members and buyer.pk not in members


def test_segments_refresh_all_refreshes_every_segment():
    customer, address = customer_with_address()
    order_days_ago(customer, address, 1)
    SegmentFactory(code="recent", kind="rfm", rfm_label="new")
    hand = SegmentFactory(code="hand")
    services.segment_members_set(segment=hand, customers=[customer])

    assert services.segments_refresh_all(now=NOW) == {"recent": 1, "hand": 1}


def test_segment_refresh_that_finds_the_same_members_records_no_event():
    customer, address = customer_with_address()
    order_days_ago(customer, address, 1)
    segment = SegmentFactory(kind="rfm", rfm_label="new")
    services.segment_refresh(segment=segment, now=NOW)
    events_before = len(_events("promotions.segment.refreshed"))

    assert services.segment_refresh(segment=segment, now=NOW) == 1

    segment.refresh_from_db()
    assert segment.refreshed_at == NOW
    assert len(_events("promotions.segment.refreshed")) == events_before
