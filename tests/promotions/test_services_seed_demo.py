"""seed_demo_promotions: demo data of every kind, made through the services, once."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from commerce.catalog.services import category_create
from promotions.models import Campaign, Coupon, Promotion, Segment
from tests.factories import CustomerFactory, ProductFactory, SalesRegionFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_promotions_makes_every_kind_once(celery_eager):
    # given: the demo shop's categories, a region and customers
    food = category_create(name="Groceries", slug="groceries")
    for slug in ("dairy", "bakery", "drinks", "pantry"):
        leaf = category_create(name=slug.title(), slug=slug, parent=food)
        ProductFactory(category=leaf, price_amount=Decimal("3.00"))
    SalesRegionFactory(code="lyon-centre", name="Lyon Centre")
    customers = [CustomerFactory() for _ in range(10)]

    out = io.StringIO()
    call_command("seed_demo_promotions", stdout=out)

    campaign = Campaign.objects.get()
    assert (campaign.status, campaign.budget_amount) == ("active", Decimal("500.00"))
    promotions = Promotion.objects.all()
    assert set(promotions.values_list("benefit_type", flat=True)) == set(Promotion.Benefit.values)
    assert set(promotions.values_list("status", flat=True)) == {"active"}
    assert promotions.filter(campaign=campaign).count() >= 2
    welcome = Coupon.objects.get(code="WELCOME10")
    assert welcome.max_uses is None and welcome.promotion.requires_coupon
    thanks = Coupon.objects.filter(batch__isnull=False)
    assert thanks.count() == 20 and set(thanks.values_list("max_uses", flat=True)) == {1}
    hand_picked = {c.pk for c in sorted(customers, key=lambda c: c.username)[:2]}  # a fifth of them, by user name
    assert set(thanks.exclude(assigned_to=None).values_list("assigned_to", flat=True)) == hand_picked
    assert set(Segment.objects.values_list("kind", flat=True)) == set(Segment.Kind.values)
    assert "WELCOME10" in out.getvalue()

    # when: run again, nothing changes
    again = io.StringIO()
    call_command("seed_demo_promotions", stdout=again)
    assert "nothing changed" in again.getvalue()
    assert Promotion.objects.count() == promotions.count() and Campaign.objects.count() == 1
