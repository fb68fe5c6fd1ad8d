"""engine_inputs: what the engine is given, in a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commerce.accounts.models import CustomerProfile
from commerce.money import Money
from orders.pricing import LineInput, PricingSnapshot, price_lines
from promotions import engine, selectors, services
from promotions.models import Promotion
from tests.factories import CustomerFactory, ProductFactory, SalesRegionFactory, category
from tests.promotions.factories import CampaignFactory, CouponFactory, PromotionFactory, SegmentFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _snapshot(products, customer=None, codes=()):
    pricing = price_lines([LineInput(p.pk, 1) for p in products], currency="EUR",
                          customer_id=customer.pk if customer else None, coupon_codes=list(codes))
    for line in pricing.lines:
        line.discount = Money.zero("EUR")
    return PricingSnapshot(pricing.lines, customer.pk if customer else None, list(codes), pricing.shipping, "EUR", NOW)


def test_engine_inputs_builds_lines_rules_segments_and_coupons():
    # given: a product in Drinks > Beer, promotions on Drinks, on a manufacturer, for a group, with limits
    drinks = category("Drinks")
    beer = category("Beer", parent=drinks)
    product = ProductFactory(category=beer, price_amount=Decimal("2.49"))
    other = ProductFactory()
    region = SalesRegionFactory()
    customer = CustomerFactory()
    CustomerProfile.objects.filter(user=customer).update(sales_region=region)
    group_segment = SegmentFactory(kind="group", group=Group.objects.get(name="Customers"))
    region_segment = SegmentFactory(kind="sales_region", sales_region=region)
    other_region_segment = SegmentFactory(kind="sales_region", sales_region=SalesRegionFactory())
    manual = SegmentFactory()
    new_segment = SegmentFactory(kind="new_customers")
    campaign = CampaignFactory(budget_amount=Decimal("50.00"), spent_amount=Decimal("12.34"))
    on_drinks = PromotionFactory(discount_class="product", percent=Decimal("12.5"), categories=[drinks],
                                 segments=[group_segment, region_segment, other_region_segment, manual, new_segment],
                                 usage_limit=10, usage_count=4, usage_limit_per_customer=2, campaign=campaign,
                                 valid_to=NOW + datetime.timedelta(days=1), min_subtotal=Decimal("3.50"))
    PromotionFactory(currency="USD")  # another currency: not offered to a EUR cart
    PromotionFactory(status="draft")
    CouponFactory(code="KNOWN", promotion=on_drinks, max_uses=3, used_count=1)

    cart, rules = selectors.engine_inputs(_snapshot([product, other], customer, codes=["known", "UNKNOWN"]))

    assert [r.id for r in rules] == [on_drinks.pk]
    [rule] = rules
    assert (rule.percent_bp, rule.min_subtotal, rule.usage_left, rule.customer_usage_left, rule.budget_left) == (
        1250, 350, 6, 2, 3766)
    assert rule.category_ids == {drinks.pk} and rule.campaign_id == campaign.pk
    assert rule.valid_to == NOW + datetime.timedelta(days=1) and rule.valid_from == campaign.starts_at
    assert [(line.product_id, line.unit_price) for line in cart.lines] == [(product.pk, 249), (other.pk, other.price_amount * 100)]
    assert drinks.pk in cart.lines[0].category_ids and beer.pk in cart.lines[0].category_ids
    assert drinks.pk not in cart.lines[1].category_ids
    assert cart.segment_ids == {group_segment.pk, region_segment.pk, new_segment.pk}
    assert [c.code for c in cart.coupons] == ["KNOWN", "UNKNOWN"]
    assert (cart.coupons[0].promotion_id, cart.coupons[0].uses_left) == (on_drinks.pk, 2)
    assert cart.coupons[1].promotion_id is None
    assert cart.customer_id == customer.pk and cart.now == NOW and cart.shipping == 490
    # the manual segment once the customer is in it
    services.segment_members_set(segment=manual, customers=[customer])
    cart, _ = selectors.engine_inputs(_snapshot([product], customer))
    assert manual.pk in cart.segment_ids


def _shop(promotions: int, lines: int):
    """``promotions`` live promotions of every kind of condition, and a customer with ``lines`` products."""
    region = SalesRegionFactory()
    segments = [
        SegmentFactory(kind="group", group=Group.objects.get(name="Customers")),
        SegmentFactory(kind="sales_region", sales_region=region),
        SegmentFactory(kind="new_customers"),
        SegmentFactory(),
        SegmentFactory(kind="rfm", rfm_label="vip"),
    ]
    root = category("Root")
    products = [ProductFactory(category=category(parent=root)) for _ in range(lines)]
    campaign = CampaignFactory(budget_amount=Decimal("1000.00"))
    for i in range(promotions):
        p = PromotionFactory(
            discount_class="product" if i % 2 else "order", usage_limit=100, usage_limit_per_customer=3,
            campaign=campaign if i % 3 == 0 else None, categories=[root] if i % 2 else [],
            targets=products[:2], segments=segments, get_products=products[:1],
            requires_coupon=i == 0,
        )
        if i == 0:
            CouponFactory(code="ENTERED", promotion=p, max_uses=None)
    customer = CustomerFactory()
    return products, customer


def _count(products, customer):
    snapshot = _snapshot(products, customer, codes=["ENTERED", "OTHER"])
    with CaptureQueriesContext(connection) as queries:
        cart, rules = selectors.engine_inputs(snapshot)
    return len(queries), cart, rules


@pytest.mark.parametrize("cached", [False, True])
def test_engine_inputs_query_count_is_the_same_for_1_or_30_lines_and_2_or_40_promotions(settings, cached):
    settings.PROMOTIONS_RULES_CACHE = cached
    from django.core.cache import cache

    counts = {}
    for promotions, lines in ((2, 1), (40, 30)):
        Promotion.objects.all().delete()
        products, customer = _shop(promotions, lines)
        cache.clear()
        selectors.engine_inputs(_snapshot(products, customer))  # warm the rules cache when it is on
        counts[(promotions, lines)], cart, rules = _count(products, customer)
        assert len(rules) == promotions and len(cart.lines) == lines

    # compile (8: promotions, tiers, five target tables, segments; none from the cache)
    # + counters + per-customer use + the customer's segments (4 kinds) + coupons; the category paths come
    # from the catalog's cached menu (warmed by the first call)
    expected = 7 if cached else 15
    assert counts == {(2, 1): expected, (40, 30): expected}


def test_engine_inputs_without_live_promotions_and_codes_runs_no_query_once_cached(django_assert_num_queries):
    PromotionFactory(status="inactive")
    products = [ProductFactory()]
    snapshot = _snapshot(products)
    selectors.engine_inputs(snapshot)

    with django_assert_num_queries(0):
        cart, rules = selectors.engine_inputs(snapshot)
    assert rules == [] and len(cart.lines) == 1


def test_the_rules_cache_is_refreshed_by_any_change_to_a_promotion():
    products = [ProductFactory(price_amount=Decimal("10.00"))]
    snapshot = _snapshot(products)
    promotion = PromotionFactory(percent=Decimal("10"))
    assert [r.percent_bp for r in selectors.engine_inputs(snapshot)[1]] == [1000]

    services.promotion_update(promotion=promotion, data={"percent": "20"})
    assert [r.percent_bp for r in selectors.engine_inputs(snapshot)[1]] == [2000]

    Promotion.objects.filter(pk=promotion.pk).update(usage_limit=5, usage_count=4)  # no signal: counters only
    services.promotion_update(promotion=promotion, data={"name": "Renamed"})
    [rule] = selectors.engine_inputs(snapshot)[1]
    assert (rule.name, rule.usage_left) == ("Renamed", 1)

    services.promotion_deactivate(promotion=promotion)
    assert selectors.engine_inputs(snapshot)[1] == []


def test_rules_round_amounts_to_minor_units_and_percentages_to_basis_points():
    product = ProductFactory()
    PromotionFactory(fixed=True, amount=Decimal("7.25"))
    PromotionFactory(bundle=True, amount=Decimal("15.00"), bundle_quantity=3, targets=[product])
    PromotionFactory(buy_x_get_y=True, get_percent=Decimal("50"))
    PromotionFactory(tiered=True, tiers=[(3, "5"), (10, "12.5")])

    rules = {r.benefit: r for r in selectors.engine_inputs(_snapshot([product]))[1]}

    assert rules[engine.FIXED_AMOUNT].amount == 725
    assert (rules[engine.BUNDLE_PRICE].amount, rules[engine.BUNDLE_PRICE].bundle_quantity) == (1500, 3)
    assert rules[engine.BUNDLE_PRICE].product_ids == {product.pk}
    assert rules[engine.BUY_X_GET_Y].get_percent_bp == 5000
    assert rules[engine.QUANTITY_TIERS].tiers == (engine.Tier(3, 500), engine.Tier(10, 1250))
