"""factory-boy factories for the promotions app: they build state through ``promotions.services``,
as a merchandiser would, so every row carries the events its commands record.

A factory creates (``promotion_create``, ``campaign_create``, ``coupon_create``, ``coupon_generate``,
``segment_create``) and then moves the row to the status asked for with the commands that do it
(``promotion_activate`` at a ``now`` inside the validity window, ``promotion_deactivate``,
``campaign_launch``, ``campaign_end``, ``coupon_invalidate``). What no command sets is written after,
and said where it is done: the usage counters (``usage_count``, ``spent_amount``, ``used_count``),
which only checkout changes; a past ``expires_at`` or an expiry, which only time brings (expired the
way the beat expires it, with its event); a promotion archived for its redemptions; a coupon's
batch and assignment time. Promotions default to a live (active) 10 % order discount.
"""

import datetime
import itertools
from decimal import Decimal

import factory
from django.db import transaction
from django.utils import timezone

from commerce.audit.events import record
from promotions import events, services
from promotions.models import Campaign, Coupon, CouponBatch, Promotion, Redemption, Segment
from promotions.selectors import rules_cache_bump
from tests.factories import CustomerFactory

_code = itertools.count(1)
_ONE_SECOND = datetime.timedelta(seconds=1)


def _written_after(model, instance, **fields):
    """Set fields no command sets (counters, times only the clock brings) on a row made by the services."""
    model.objects.filter(pk=instance.pk).update(**fields)
    instance.refresh_from_db()
    return instance


class SegmentFactory(factory.django.DjangoModelFactory):
    """A manual segment by default; pass ``kind`` with its field (``group``, ``sales_region``...)."""

    class Meta:
        model = Segment

    code = factory.Sequence(lambda n: f"segment-{n}")
    name = factory.Sequence(lambda n: f"Segment {n}")
    kind = Segment.Kind.MANUAL

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.segment_create(**kwargs)


class CampaignFactory(factory.django.DjangoModelFactory):
    """An active campaign that started yesterday, without a budget unless given one."""

    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    status = Campaign.Status.ACTIVE
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    ends_at = None
    currency = "EUR"
    budget_amount = None
    launched_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, status, launched_at, spent_amount=None, **kwargs):
        campaign = services.campaign_create(**kwargs)
        if status != Campaign.Status.DRAFT:
            now = launched_at or timezone.now()
            if status == Campaign.Status.SCHEDULED:
                now = min(now, campaign.starts_at - _ONE_SECOND)
            else:  # launched while it ran, then ended by campaign_end when asked for
                now = max(now, campaign.starts_at)
                if campaign.ends_at is not None and campaign.ends_at <= now:
                    now = campaign.ends_at - _ONE_SECOND
            campaign = services.campaign_launch(campaign=campaign, now=now)
            if status == Campaign.Status.ENDED:
                campaign = services.campaign_end(campaign=campaign)
        assert campaign.status == status, f"the services made a {campaign.status} campaign, not {status}"
        if spent_amount is not None:  # spent by checkouts only
            campaign = _written_after(Campaign, campaign, spent_amount=spent_amount)
        return campaign


class PromotionFactory(factory.django.DjangoModelFactory):
    """An active 10 % order discount, no campaign, no conditions.

    ``targets=[product, ...]``, ``segments=[...]``, ``categories=[...]``, ``manufacturers=[...]``,
    ``get_products=[...]`` and ``tiers=[(min_quantity, percent), ...]`` go to ``promotion_create``.
    """

    class Meta:
        model = Promotion

    name = factory.Sequence(lambda n: f"Promotion {n}")
    status = Promotion.Status.ACTIVE
    discount_class = "order"
    benefit_type = Promotion.Benefit.PERCENTAGE
    percent = Decimal("10")
    combines_with = factory.LazyFunction(lambda: ["product", "order", "shipping"])
    currency = "EUR"
    activated_at = factory.LazyFunction(timezone.now)

    class Params:
        fixed = factory.Trait(benefit_type=Promotion.Benefit.FIXED_AMOUNT, percent=None, amount=Decimal("5.00"))
        free_shipping = factory.Trait(benefit_type=Promotion.Benefit.FREE_SHIPPING, discount_class="shipping", percent=None)
        buy_x_get_y = factory.Trait(
            benefit_type=Promotion.Benefit.BUY_X_GET_Y, discount_class="product", percent=None,
            buy_quantity=2, get_quantity=1, get_percent=Decimal("100"),
        )
        bundle = factory.Trait(
            benefit_type=Promotion.Benefit.BUNDLE_PRICE, discount_class="product", percent=None,
            bundle_quantity=2, amount=Decimal("15.00"),
        )
        tiered = factory.Trait(benefit_type=Promotion.Benefit.QUANTITY_TIERS, discount_class="product", percent=None)
        draft = factory.Trait(status=Promotion.Status.DRAFT, activated_at=None)

    _M2M = {"targets": "target_products", "categories": "target_categories", "manufacturers": "target_manufacturers",
            "segments": "segments", "get_products": "get_products"}
    _COUNTERS = ("usage_count", "discount_granted")

    @classmethod
    def _create(cls, model_class, *args, status, activated_at, tiers=(), **kwargs):
        counters = {name: kwargs.pop(name) for name in cls._COUNTERS if name in kwargs}
        fields = {cls._M2M.get(name, name): value for name, value in kwargs.items()}
        promotion = services.promotion_create(tiers=tiers, **fields)
        if status != Promotion.Status.DRAFT:
            promotion = _promotion_to(promotion, status, activated_at or timezone.now())
        if counters:  # counted by checkouts only
            promotion = _written_after(Promotion, promotion, **counters)
        return promotion


def _promotion_to(promotion: Promotion, status: str, now: datetime.datetime) -> Promotion:
    """Activate it at a ``now`` that gives ``status`` (scheduled: before it starts; otherwise inside its
    window), then deactivate it, or expire or archive it as time or its redemptions would."""
    PS = Promotion.Status
    start, end = promotion.valid_from, promotion.valid_to
    if status == PS.SCHEDULED:
        assert start is not None, "a scheduled promotion has a valid_from"
        now = min(now, start - _ONE_SECOND)
    else:
        if start is not None:
            now = max(now, start)
        if end is not None and end <= now:
            now = end - _ONE_SECOND
    promotion = services.promotion_activate(promotion=promotion, now=now)
    if status == PS.INACTIVE:
        promotion = services.promotion_deactivate(promotion=promotion)
    elif status == PS.EXPIRED:
        promotion = _expire(promotion)
    elif status == PS.ARCHIVED:
        promotion = _archive(promotion)
    assert promotion.status == status, f"the services made a {promotion.status} promotion, not {status}"
    return promotion


def _expire(promotion: Promotion) -> Promotion:
    """As ``promotions_sync_schedule`` expires a promotion whose window has passed, for this one only."""
    with transaction.atomic():
        record(events.PromotionExpired(promotion_id=promotion.pk, name=promotion.name, previous_status=promotion.status,
                                       valid_to=promotion.valid_to.isoformat() if promotion.valid_to else None))
        promotion = _written_after(Promotion, promotion, status=Promotion.Status.EXPIRED)
        rules_cache_bump()
    return promotion


def _archive(promotion: Promotion) -> Promotion:
    """As ``promotion_delete`` archives a promotion that has redemptions (which the factory does not make)."""
    with transaction.atomic():
        record(events.PromotionDeleted(promotion_id=promotion.pk, name=promotion.name, archived=True))
        promotion = _written_after(Promotion, promotion, status=Promotion.Status.ARCHIVED, deactivated_at=timezone.now())
        rules_cache_bump()
    return promotion


class CouponBatchFactory(factory.django.DjangoModelFactory):
    """A batch generated by ``coupon_generate``: one single-use coupon unless ``quantity`` says more."""

    class Meta:
        model = CouponBatch

    promotion = factory.SubFactory(PromotionFactory, requires_coupon=True)
    prefix = "TEST"
    quantity = 1
    max_uses = 1

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.coupon_generate(**kwargs)


class CouponFactory(factory.django.DjangoModelFactory):
    """A single-use coupon with an upper-case code for a coupon-only promotion, made by ``coupon_create``.

    ``status=Coupon.Status.INVALIDATED`` invalidates it with ``coupon_invalidate``.
    """

    class Meta:
        model = Coupon

    code = factory.LazyFunction(lambda: f"CODE{next(_code):05d}")
    promotion = factory.SubFactory(PromotionFactory, requires_coupon=True)
    max_uses = 1

    @classmethod
    def _create(cls, model_class, *args, status=Coupon.Status.ACTIVE, expires_at=None, batch=None, used_count=None,
                assigned_at=None, **kwargs):
        now = timezone.now()
        coupon = services.coupon_create(expires_at=expires_at if expires_at and expires_at > now else None, **kwargs)
        if status == Coupon.Status.INVALIDATED:
            coupon = services.coupon_invalidate(coupon=coupon)
        after = {"expires_at": expires_at} if expires_at and expires_at <= now else {}  # expired since: time did it
        if batch is not None:
            after["batch"] = batch  # listed in a generated batch's export
        if used_count is not None:
            after["used_count"] = used_count  # counted by checkouts only
        if assigned_at is not None:
            after["assigned_at"] = assigned_at
        return _written_after(Coupon, coupon, **after) if after else coupon


_order_id = itertools.count(1)


def next_order_id() -> int:
    """An order id no other redemption of this test run has used."""
    return next(_order_id)


def redeem(promotion, *, amount, order_total, order_id=None, cancelled=False, customer=None) -> Redemption:
    """A redemption row as checkout writes it (setup for the figures; checkout is tested elsewhere)."""
    order_id = order_id or next_order_id()
    return Redemption.objects.create(
        promotion=promotion, campaign=promotion.campaign, customer=customer or CustomerFactory(), order_id=order_id,
        order_number=f"N{order_id:06d}", currency="EUR", amount=Decimal(amount), order_subtotal=Decimal(order_total),
        order_total=Decimal(order_total), placed_at=timezone.now(),
        cancelled_at=timezone.now() if cancelled else None,
    )


def customer_in_segment(segment: Segment, **kwargs):
    """A customer added to a manual segment with ``segment_members_set`` (the members it had stay)."""
    from promotions.models import SegmentMembership

    customer = CustomerFactory(**kwargs)
    members = list(SegmentMembership.objects.filter(segment=segment).values_list("customer_id", flat=True))
    services.segment_members_set(segment=segment, customers=[*members, customer.pk])
    return customer
