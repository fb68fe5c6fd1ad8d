"""factory-boy factories for the promotions app (tests only: they write rows directly).

Tests that exercise the promotions commands call ``promotions.services``; these factories set up
the rows the test is *not* about. Promotions default to a live (active) 10 % order discount.
"""

import datetime
import itertools
from decimal import Decimal

import factory
from django.utils import timezone

from promotions.models import Campaign, Coupon, CouponBatch, Promotion, PromotionTier, Redemption, Segment
from tests.factories import CustomerFactory

_code = itertools.count(1)


class SegmentFactory(factory.django.DjangoModelFactory):
    """A manual segment by default; pass ``kind`` with its field (``group``, ``sales_region``...)."""

    class Meta:
        model = Segment

    code = factory.Sequence(lambda n: f"segment-{n}")
    name = factory.Sequence(lambda n: f"Segment {n}")
    kind = Segment.Kind.MANUAL


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


class PromotionFactory(factory.django.DjangoModelFactory):
    """An active 10 % order discount, no campaign, no conditions.

    ``targets=[product, ...]``, ``segments=[...]``, ``categories=[...]``, ``manufacturers=[...]``
    and ``get_products=[...]`` set the many-to-many fields after creation.
    """

    class Meta:
        model = Promotion
        skip_postgeneration_save = True

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

    @factory.post_generation
    def targets(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_products.set(extracted)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_categories.set(extracted)

    @factory.post_generation
    def manufacturers(self, create, extracted, **kwargs):
        if create and extracted:
            self.target_manufacturers.set(extracted)

    @factory.post_generation
    def segments(self, create, extracted, **kwargs):
        if create and extracted:
            self.segments.set(extracted)

    @factory.post_generation
    def get_products(self, create, extracted, **kwargs):
        if create and extracted:
            self.get_products.set(extracted)

    @factory.post_generation
    def tiers(self, create, extracted, **kwargs):
        """``tiers=[(min_quantity, percent), ...]``."""
        if create and extracted:
            PromotionTier.objects.bulk_create(
                [PromotionTier(promotion=self, min_quantity=q, percent=Decimal(str(p))) for q, p in extracted]
            )


class PromotionTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromotionTier

    promotion = factory.SubFactory(PromotionFactory, tiered=True)
    min_quantity = factory.Sequence(lambda n: n + 2)
    percent = Decimal("10")


class CouponBatchFactory(factory.django.DjangoModelFactory):
    """A batch row only; use ``promotions.services.coupon_generate`` to generate real coupons."""

    class Meta:
        model = CouponBatch

    promotion = factory.SubFactory(PromotionFactory, requires_coupon=True)
    prefix = "TEST"
    quantity = 0
    max_uses = 1


class CouponFactory(factory.django.DjangoModelFactory):
    """A single-use coupon with an upper-case code for a coupon-only promotion."""

    class Meta:
        model = Coupon

    code = factory.LazyFunction(lambda: f"CODE{next(_code):05d}")
    promotion = factory.SubFactory(PromotionFactory, requires_coupon=True)
    max_uses = 1


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
    """A customer added to a manual segment (row written directly, for setup only)."""
    from promotions.models import SegmentMembership

    customer = CustomerFactory(**kwargs)
    SegmentMembership.objects.create(segment=segment, customer=customer)
    return customer
