"""Coupon commands: named codes, bulk generation, distribution to a segment, invalidation."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from commerce.audit.models import DomainEvent
from promotions import selectors, services
from promotions.errors import (
    CouponBatchNotFound,
    CouponCodeTaken,
    CouponInvalid,
    CouponNotFound,
    InvalidTransition,
    NotEnoughCoupons,
)
from promotions.models import Coupon, CouponBatch
from promotions.services import coupons as coupon_services
from tests.factories import CustomerFactory, StaffFactory
from tests.promotions.factories import CouponFactory, PromotionFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def _events(event_type):
    return list(DomainEvent.objects.filter(event_type=event_type).order_by("id"))


def test_coupon_create_stores_the_code_upper_case_and_records_it():
    promotion = PromotionFactory(requires_coupon=True)
    customer = CustomerFactory()
    expires = timezone.now() + datetime.timedelta(days=30)

    coupon = services.coupon_create(promotion=promotion, code="  spring10 ", max_uses=100, expires_at=expires,
                                    assigned_to=customer)

    assert (coupon.code, coupon.max_uses, coupon.assigned_to, coupon.used_count) == ("SPRING10", 100, customer, 0)
    assert coupon.assigned_at is not None
    [event] = _events("promotions.coupon.created")
    assert event.stream_type == "coupon" and event.stream_id == str(coupon.pk)
    assert event.payload == {"coupon_id": coupon.pk, "code": "SPRING10", "promotion_id": promotion.pk, "max_uses": 100,
                             "expires_at": expires.isoformat(), "assigned_to_id": customer.pk}


def test_coupon_create_refuses_a_code_in_use_whatever_its_case():
    promotion = PromotionFactory(requires_coupon=True)
    services.coupon_create(promotion=promotion, code="WELCOME10")
    with pytest.raises(CouponCodeTaken) as refused:
        services.coupon_create(promotion=promotion, code="welcome10")
    assert refused.value.status_code == 409 and refused.value.code == "coupon_code_taken"
    assert Coupon.objects.count() == 1


@pytest.mark.parametrize(("code", "max_uses", "expires_days", "field"), [
    ("AB", None, None, "code"),
    ("HAS SPACE", None, None, "code"),
    ("X" * 33, None, None, "code"),
    ("GOODCODE", 0, None, "max_uses"),
    ("GOODCODE", None, -1, "expires_at"),
])
def test_coupon_create_refuses_invalid_input(code, max_uses, expires_days, field):
    expires = timezone.now() + datetime.timedelta(days=expires_days) if expires_days else None
    with pytest.raises(CouponInvalid) as refused:
        services.coupon_create(promotion=PromotionFactory(), code=code, max_uses=max_uses, expires_at=expires)
    assert field in refused.value.fields and refused.value.code == "coupon_invalid"


@pytest.mark.parametrize("status", ["expired", "archived"])
def test_coupon_create_refuses_a_promotion_that_is_over(status):
    with pytest.raises(InvalidTransition):
        services.coupon_create(promotion=PromotionFactory(status=status), code="LATE")


def test_coupon_generate_makes_unique_unambiguous_codes_with_the_prefix():
    promotion = PromotionFactory(requires_coupon=True)
    staff = StaffFactory()

    batch = services.coupon_generate(promotion=promotion, quantity=500, prefix="vip", max_uses=1, created_by=staff)

    codes = list(batch.coupons.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 500 == batch.quantity
    for code in codes:
        prefix, raw = code.split("-")
        assert prefix == "VIP" and len(raw) == services.CODE_RANDOM_LENGTH
        assert set(raw) <= set(services.CODE_ALPHABET) and not set(raw) & set("ILOU")
    assert set(batch.coupons.values_list("max_uses", flat=True)) == {1}
    assert batch.created_by == staff
    [event] = _events("promotions.coupon_batch.generated")
    assert event.stream_type == "coupon_batch" and event.payload["quantity"] == 500 and event.payload["prefix"] == "VIP"
    assert "codes" not in event.payload


def test_coupon_generate_without_prefix_and_draws_again_on_a_collision(monkeypatch):
    promotion = PromotionFactory(requires_coupon=True)
    CouponFactory(code="AAAAAAAAAA", promotion=promotion)
    drawn = iter(["AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC", "DDDDDDDDDD"])
    monkeypatch.setattr(coupon_services, "new_coupon_code", lambda prefix="": next(drawn))

    batch = services.coupon_generate(promotion=promotion, quantity=2)

    assert sorted(batch.coupons.values_list("code", flat=True)) == ["BBBBBBBBBB", "CCCCCCCCCC"]
    assert Coupon.objects.filter(code="AAAAAAAAAA").get().batch is None


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"quantity": 0}, "quantity"),
    ({"quantity": 10_001}, "quantity"),
    ({"quantity": 5, "prefix": "TOO-LONG-PREFIX"}, "prefix"),
    ({"quantity": 5, "prefix": "BAD!"}, "prefix"),
    ({"quantity": 5, "max_uses": 0}, "max_uses"),
])
def test_coupon_generate_refuses_invalid_input(kwargs, field):
    with pytest.raises(CouponInvalid) as refused:
        services.coupon_generate(promotion=PromotionFactory(), **kwargs)
    assert field in refused.value.fields
    assert CouponBatch.objects.count() == 0


def test_coupon_batch_csv_rows_export_every_code():
    promotion = PromotionFactory(requires_coupon=True, name="Autumn")
    batch = services.coupon_generate(promotion=promotion, quantity=3, prefix="AUT")

    rows = list(selectors.coupon_batch_csv_rows(batch=batch))
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)

    assert rows[0] == ["code", "status", "max_uses", "used_count", "assigned_to", "expires_at", "promotion"]
    assert sorted(r[0] for r in rows[1:]) == sorted(batch.coupons.values_list("code", flat=True))
    assert all(r[1:] == ["active", "1", "0", "", "", "Autumn"] for r in rows[1:])
    assert len(list(csv.reader(io.StringIO(buffer.getvalue())))) == 4


def test_coupon_distribute_gives_one_coupon_to_each_member_and_skips_holders_on_a_second_run():
    promotion = PromotionFactory(requires_coupon=True)
    batch = services.coupon_generate(promotion=promotion, quantity=5)
    segment = SegmentFactory()
    first, second = CustomerFactory(), CustomerFactory()
    services.segment_members_set(segment=segment, customers=[first, second])

    assigned = services.coupon_distribute(batch=batch, segment=segment)

    assert assigned == 2
    assert set(batch.coupons.exclude(assigned_to=None).values_list("assigned_to", flat=True)) == {first.pk, second.pk}
    [event] = _events("promotions.coupon_batch.distributed")
    assert event.payload == {"batch_id": batch.pk, "promotion_id": promotion.pk, "segment_id": segment.pk, "assigned": 2}

    third = CustomerFactory()
    services.segment_members_set(segment=segment, customers=[first, second, third])
    assert services.coupon_distribute(batch=batch.pk, segment=segment.pk) == 1
    assert batch.coupons.filter(assigned_to=third).count() == 1
    assert batch.coupons.filter(assigned_to=first).count() == 1


def test_coupon_distribute_refuses_when_the_batch_has_too_few_coupons_and_assigns_none():
    batch = services.coupon_generate(promotion=PromotionFactory(requires_coupon=True), quantity=1)
    segment = SegmentFactory()
    services.segment_members_set(segment=segment, customers=[CustomerFactory(), CustomerFactory()])

    with pytest.raises(NotEnoughCoupons) as refused:
        services.coupon_distribute(batch=batch, segment=segment)

    assert refused.value.status_code == 409 and refused.value.extra == {"available": 1, "needed": 2}
    assert batch.coupons.exclude(assigned_to=None).count() == 0
    assert not _events("promotions.coupon_batch.distributed")


def test_coupon_distribute_unknown_batch():
    with pytest.raises(CouponBatchNotFound):
        services.coupon_distribute(batch=987654, segment=SegmentFactory())


@pytest.mark.parametrize("how", ["instance", "pk", "code"])
def test_coupon_invalidate_by_instance_id_or_code(how):
    coupon = CouponFactory(code="STOPME")
    ref = {"instance": coupon, "pk": coupon.pk, "code": "stopme"}[how]

    services.coupon_invalidate(coupon=ref)

    coupon.refresh_from_db()
    assert coupon.status == "invalidated" and coupon.invalidated_at is not None
    [event] = _events("promotions.coupon.invalidated")
    assert event.payload["code"] == "STOPME"
    services.coupon_invalidate(coupon=coupon)  # again: unchanged, no second event
    assert len(_events("promotions.coupon.invalidated")) == 1


def test_coupon_invalidate_unknown_code():
    with pytest.raises(CouponNotFound) as refused:
        services.coupon_invalidate(coupon="NOSUCH")
    assert refused.value.status_code == 404


def test_coupon_invalidate_takes_an_all_digit_string_as_a_code_not_an_id():
    other = CouponFactory(code="OTHER")
    digits = CouponFactory(code=str(other.pk).rjust(6, "0"))

    services.coupon_invalidate(coupon=digits.code)

    digits.refresh_from_db()
    other.refresh_from_db()
    assert digits.status == "invalidated" and other.status == "active"
