"""``manage.py seed_demo_promotions``: demo segments, a campaign, promotions and coupons, through the services.

What it makes (when the demo shop's categories and customers exist):

* a segment of each kind: hand-picked, the Customers group, a sales region, new customers,
  big spenders (lifetime value) and VIPs (RFM);
* a launched campaign with a budget, holding some of the promotions;
* one promotion of each benefit: percentage off dairy, a fixed amount off with the public code
  ``WELCOME10``, "3 for 2" on bakery, volume tiers on drinks, free shipping for a sales region,
  and a bundle price on pantry goods;
* a batch of single-use coupons for a thank-you offer, distributed to the hand-picked segment.

``seed_demo`` runs it before ``seed_demo_orders``, so demo orders carry promotions. Idempotent:
when the demo campaign exists it changes nothing and says so.
"""

from __future__ import annotations

import datetime
import time
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from commerce.accounts import access
from commerce.accounts.models import SalesRegion
from commerce.catalog.models import Category, Product
from commerce.demo import add_allow_production_argument, refuse_in_production
from promotions import services
from promotions.models import Campaign

CAMPAIGN_NAME = "Spring savings (demo)"
PUBLIC_CODE = "WELCOME10"


class Command(BaseCommand):
    help = "Create demo segments, a campaign, promotions and coupons through the services (idempotent; run by seed_demo)."

    def add_arguments(self, parser):
        add_allow_production_argument(parser)

    def handle(self, *args, allow_production, **options):
        # In production a public demo code (WELCOME10) would be a real discount for anyone.
        refuse_in_production("seed_demo_promotions", allow_production=allow_production)
        started = time.monotonic()
        if Campaign.objects.filter(name=CAMPAIGN_NAME).exists():
            self.stdout.write(self.style.SUCCESS("Demo promotions already present: nothing changed."))
            return
        with transaction.atomic():
            made = self._seed(timezone.now())
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"Demo promotions created in {elapsed:.1f} s: {made['segments']} segments, 1 campaign, "
            f"{made['promotions']} promotions, code {PUBLIC_CODE}, {made['coupons']} single-use coupons "
            f"({made['distributed']} distributed)."
        ))

    def _seed(self, now: datetime.datetime) -> dict:
        customers = list(
            get_user_model().objects.filter(groups__name=access.CUSTOMERS, is_active=True).order_by("username")
        )
        segments = self._segments(customers)
        campaign = services.campaign_create(
            name=CAMPAIGN_NAME, starts_at=now - datetime.timedelta(days=7), ends_at=now + datetime.timedelta(days=60),
            budget_amount=Decimal("500.00"), description="Seasonal offers on fresh food, with a discount budget.",
        )
        services.campaign_launch(campaign=campaign)
        categories = {c.slug: c for c in Category.objects.filter(slug__in=["dairy", "bakery", "drinks", "pantry"])}
        promotions = []

        def add(**fields):
            promotion = services.promotion_create(**fields)
            services.promotion_activate(promotion=promotion)
            promotions.append(promotion)
            return promotion

        combines = ["product", "order", "shipping"]
        if "dairy" in categories:
            add(name="10% off dairy", discount_class="product", benefit_type="percentage", percent=Decimal("10"),
                target_categories=[categories["dairy"]], campaign=campaign, badge="-10%", combines_with=combines,
                description="Milk, yoghurts and cheese from farms around Lyon, 10% off.")
        welcome = add(name="Welcome: 10.00 off your first order over 50.00", discount_class="order",
                      benefit_type="fixed_amount", amount=Decimal("10.00"), min_subtotal=Decimal("50.00"),
                      requires_coupon=True, usage_limit_per_customer=1, combines_with=combines,
                      segments=[segments["new"]])
        services.coupon_create(promotion=welcome, code=PUBLIC_CODE)
        if "bakery" in categories:
            add(name="Bakery: 3 for 2", discount_class="product", benefit_type="buy_x_get_y", buy_quantity=2,
                get_quantity=1, get_percent=Decimal("100"), target_categories=[categories["bakery"]], campaign=campaign,
                badge="3 for 2", combines_with=["order", "shipping"])
        if "drinks" in categories:
            add(name="Drinks by the case", discount_class="product", benefit_type="quantity_tiers",
                tiers=[(6, Decimal("5")), (12, Decimal("10"))], target_categories=[categories["drinks"]],
                badge="Volume discount", combines_with=combines)
        add(name=f"Free shipping over 30.00: {segments['region'].name}", discount_class="shipping", benefit_type="free_shipping",
            min_subtotal=Decimal("30.00"), segments=[segments["region"]], combines_with=combines)
        if "pantry" in categories:
            prices = sorted(Product.objects.filter(category=categories["pantry"], is_active=True)
                            .values_list("price_amount", flat=True))
            if prices:
                median = prices[len(prices) // 2]
                bundle = max((median * 3 * Decimal("0.85")).quantize(Decimal("0.10"), rounding=ROUND_DOWN), Decimal("1.00"))
                bundle = bundle.quantize(Decimal("0.01"))
                add(name=f"Any 3 pantry items for {bundle}", discount_class="product", benefit_type="bundle_price",
                    bundle_quantity=3, amount=bundle, target_categories=[categories["pantry"]], campaign=campaign,
                    badge=f"3 for {bundle}", combines_with=["order", "shipping"])
        thanks = add(name="Thank you: 15% off your next order", discount_class="order", benefit_type="percentage",
                     percent=Decimal("15"), requires_coupon=True, combines_with=combines)
        hand_picked = len(segments["hand"].memberships.all())
        batch = services.coupon_generate(promotion=thanks, quantity=max(20, hand_picked), prefix="THANKS", max_uses=1,
                                         expires_at=now + datetime.timedelta(days=90))
        distributed = services.coupon_distribute(batch=batch, segment=segments["hand"])
        return {"segments": len(segments), "promotions": len(promotions), "coupons": batch.quantity,
                "distributed": distributed}

    @staticmethod
    def _segments(customers: list) -> dict:
        segments = {
            "hand": services.segment_create(code="demo-hand-picked", name="Hand-picked regulars", kind="manual",
                                            description="Customers the shop thanks with a personal coupon."),
            "new": services.segment_create(code="demo-new-customers", name="New customers", kind="new_customers"),
            "big": services.segment_create(code="demo-big-spenders", name="Big spenders (250.00+)", kind="lifetime_value",
                                           min_lifetime_value=Decimal("250.00")),
            "vip": services.segment_create(code="demo-vip", name="VIP customers", kind="rfm", rfm_label="vip"),
            "lapsing": services.segment_create(code="demo-lapsing", name="Lapsing customers", kind="rfm",
                                               rfm_label="lapsing"),
        }
        group = Group.objects.filter(name=access.CUSTOMERS).first()
        if group is not None:
            segments["group"] = services.segment_create(code="demo-customers", name="All customers", kind="group",
                                                        group=group)
        region = SalesRegion.objects.filter(code="lyon-centre").first() or SalesRegion.objects.order_by("code").first()
        segments["region"] = (
            services.segment_create(code="demo-region", name=f"Customers of {region.name}", kind="sales_region",
                                    sales_region=region)
            if region is not None else segments["new"]
        )
        services.segment_members_set(segment=segments["hand"], customers=customers[: max(1, len(customers) // 5)])
        return segments
