"""Analytics and shopper-facing selectors, with exact figures."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commerce.errors import ValidationError
from orders.services import cart as cart_services
from orders.services.checkout import order_create_from_cart
from orders.services.lifecycle import order_cancel
from promotions import selectors, services
from promotions.models import Redemption
from tests.factories import CustomerFactory, ManufacturerFactory, ProductFactory, category
from tests.orders.factories import customer_with_address, filled_cart, stocked_product
from tests.promotions.factories import CampaignFactory, CouponFactory, PromotionFactory, SegmentFactory, customer_in_segment

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def _at(y, m, d):
    return datetime.datetime(y, m, d, 12, 0, tzinfo=UTC)


def _checkout(customer, address, items, codes=()):
    cart = filled_cart(customer, items)
    for code in codes:
        cart_services.cart_apply_coupon(cart=cart, code=code)
    return order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="card")


@pytest.fixture
def campaign_sales():
    """A campaign with a 10 % order discount (P) and 5 % off product X (Q), four orders, one cancelled."""
    campaign = CampaignFactory(starts_at=_at(2026, 1, 1))
    p = PromotionFactory(name="P", campaign=campaign, percent=Decimal("10"))
    x = stocked_product(price="100.00")
    q = PromotionFactory(name="Q", campaign=campaign, discount_class="product", percent=Decimal("5"), targets=[x])
    a, a_address = customer_with_address()
    b, b_address = customer_with_address()
    o1 = _checkout(a, a_address, [(stocked_product(price="30.00"), 2)])  # 6.00 off, total 54.00
    o2 = _checkout(b, b_address, [(stocked_product(price="20.00"), 1), (stocked_product(price="10.00"), 1)])  # 3.00, 31.90
    o3 = _checkout(a, a_address, [(x, 1)])  # Q 5.00, then P 9.50 on 95.00: total 85.50
    o4 = _checkout(b, b_address, [(stocked_product(price="50.00"), 1)])
    order_cancel(order=o4)
    for order, when in ((o1, _at(2026, 3, 10)), (o2, _at(2026, 3, 12)), (o3, _at(2026, 4, 2)), (o4, _at(2026, 4, 2))):
        Redemption.objects.filter(order_id=order.pk).update(placed_at=when)
    return {"campaign": campaign, "p": p, "q": q, "orders": (o1, o2, o3, o4)}


def test_the_fixture_orders_carry_the_expected_discounts(campaign_sales):
    o1, o2, o3, _ = campaign_sales["orders"]
    assert [(o.discount_amount, o.total_amount) for o in (o1, o2, o3)] == [
        (Decimal("6.00"), Decimal("54.00")), (Decimal("3.00"), Decimal("31.90")), (Decimal("14.50"), Decimal("85.50"))]


def test_promotion_performance_per_day_week_and_month_excludes_cancelled(campaign_sales):
    p = campaign_sales["p"]

    by_day = selectors.promotion_performance(promotion=p, period="day")
    by_week = selectors.promotion_performance(promotion=p, period="week")
    by_month = selectors.promotion_performance(promotion=p, period="month", date_from=datetime.date(2026, 3, 11))

    assert [(r["period"].date(), r["orders"], r["units"], r["revenue"], r["discount"]) for r in by_day] == [
        (datetime.date(2026, 3, 10), 1, 2, Decimal("54.00"), Decimal("6.00")),
        (datetime.date(2026, 3, 12), 1, 2, Decimal("31.90"), Decimal("3.00")),
        (datetime.date(2026, 4, 2), 1, 1, Decimal("85.50"), Decimal("9.50")),
    ]
    assert [(r["period"].date(), r["orders"], r["units"], r["revenue"], r["discount"]) for r in by_week] == [
        (datetime.date(2026, 3, 9), 2, 4, Decimal("85.90"), Decimal("9.00")),
        (datetime.date(2026, 3, 30), 1, 1, Decimal("85.50"), Decimal("9.50")),
    ]
    assert [(r["period"].date(), r["orders"], r["revenue"], r["discount"]) for r in by_month] == [
        (datetime.date(2026, 3, 1), 1, Decimal("31.90"), Decimal("3.00")),
        (datetime.date(2026, 4, 1), 1, Decimal("85.50"), Decimal("9.50")),
    ]
    with pytest.raises(ValidationError):
        selectors.promotion_performance(promotion=p, period="year")


def test_campaign_roi_counts_each_order_once(campaign_sales):
    roi = selectors.campaign_roi(campaign=campaign_sales["campaign"])

    # revenue 54.00 + 31.90 + 85.50 (order 3 carries both promotions, counted once); discount 6 + 3 + 5 + 9.50
    assert (roi["orders"], roi["revenue"], roi["discount"]) == (3, Decimal("171.40"), Decimal("23.50"))
    assert roi["roi"] == Decimal("6.2936")  # (171.40 - 23.50) / 23.50
    assert (str(roi["revenue"]), str(roi["discount"])) == ("171.40", "23.50")  # to the cent, on every database
    assert roi["spent"] == Decimal("23.50") and roi["budget"] is None


def test_campaign_roi_is_none_without_discount():
    roi = selectors.campaign_roi(campaign=CampaignFactory())
    assert (roi["orders"], roi["revenue"], roi["discount"], roi["roi"]) == (0, Decimal("0.00"), Decimal("0.00"), None)


def test_coupon_usage_stats_overall_and_by_batch():
    promotion = PromotionFactory(requires_coupon=True, percent=Decimal("10"))
    batch1 = services.coupon_generate(promotion=promotion, quantity=4, prefix="ONE")
    batch2 = services.coupon_generate(promotion=promotion, quantity=2, prefix="TWO")
    services.coupon_create(promotion=promotion, code="NAMED")
    segment = SegmentFactory()
    holder, holder_address = customer_with_address()
    services.segment_members_set(segment=segment, customers=[holder, CustomerFactory()])
    services.coupon_distribute(batch=batch1, segment=segment)
    mine = batch1.coupons.get(assigned_to=holder).code
    _checkout(holder, holder_address, [(stocked_product(), 1)], codes=[mine])
    other, other_address = customer_with_address()
    _checkout(other, other_address, [(stocked_product(), 1)], codes=["NAMED"])

    stats = selectors.coupon_usage_stats(promotion=promotion)
    only_batch2 = selectors.coupon_usage_stats(batch=batch2)

    assert {k: stats[k] for k in ("issued", "assigned", "redeemed", "uses", "redemption_rate")} == {
        "issued": 7, "assigned": 2, "redeemed": 2, "uses": 2, "redemption_rate": Decimal("0.2857")}
    assert [(b["batch_id"], b["prefix"], b["issued"], b["assigned"], b["redeemed"], b["redemption_rate"])
            for b in stats["by_batch"]] == [
        (batch1.pk, "ONE", 4, 2, 1, Decimal("0.2500")), (batch2.pk, "TWO", 2, 0, 0, Decimal("0.0000"))]
    assert (only_batch2["issued"], only_batch2["redeemed"]) == (2, 0)
    assert selectors.coupon_usage_stats(promotion=PromotionFactory())["redemption_rate"] is None


def test_promotions_for_customer_open_ones_their_segments_and_their_coupons():
    customer = CustomerFactory()
    mine, theirs = SegmentFactory(), SegmentFactory()
    services.segment_members_set(segment=mine, customers=[customer])
    open_to_all = PromotionFactory(name="all")
    for_my_segment = PromotionFactory(name="mine", segments=[mine])
    PromotionFactory(name="theirs", segments=[theirs])
    with_my_coupon = PromotionFactory(name="coupon", requires_coupon=True)
    CouponFactory(promotion=with_my_coupon, assigned_to=customer)
    public_code = PromotionFactory(name="public", requires_coupon=True)
    CouponFactory(promotion=public_code)
    used_up = PromotionFactory(name="used", requires_coupon=True)
    CouponFactory(promotion=used_up, assigned_to=customer, used_count=1)
    PromotionFactory(name="draft", status="draft")
    PromotionFactory(name="over", valid_to=timezone.now() - datetime.timedelta(hours=1))

    found = selectors.promotions_for_customer(customer=customer)

    assert sorted(p.name for p in found) == sorted([open_to_all.name, for_my_segment.name, with_my_coupon.name])


def test_promotions_for_product_and_badges():
    drinks = category("Drinks")
    beer = category("Beer", parent=drinks)
    maker = ManufacturerFactory()
    product = ProductFactory(category=beer, manufacturer=maker)
    elsewhere = ProductFactory()
    on_drinks = PromotionFactory(name="drinks", discount_class="product", categories=[drinks], badge="Drinks -10%")
    by_maker = PromotionFactory(name="maker", discount_class="product", buy_x_get_y=True, manufacturers=[maker])
    sitewide = PromotionFactory(name="sitewide", discount_class="product", percent=Decimal("5"))
    PromotionFactory(name="order-wide")  # an order discount: not a product's promotion
    PromotionFactory(name="coupon", discount_class="product", requires_coupon=True, targets=[product])
    PromotionFactory(name="segment", discount_class="product", segments=[SegmentFactory()], targets=[product])
    PromotionFactory(name="draft", discount_class="product", status="draft", targets=[product])

    assert [p.name for p in selectors.promotions_for_product(product=product)] == [on_drinks.name, by_maker.name,
                                                                                    sitewide.name]
    badges = selectors.product_badges(product_ids=[product.pk, elsewhere.pk])
    assert badges == {product.pk: ["Drinks -10%", "Buy 2 get 1", "5% off"], elsewhere.pk: ["5% off"]}


def test_product_badges_query_count_does_not_grow_with_products_or_promotions():
    def count(n_products, n_promotions):
        products = [ProductFactory() for _ in range(n_products)]
        for i in range(n_promotions):
            PromotionFactory(discount_class="product", targets=products[:1], categories=[products[-1].category],
                             manufacturers=[products[0].manufacturer] if i % 2 else [])
        selectors.product_badges(product_ids=[p.pk for p in products])  # compiles and caches the rules and the menu
        with CaptureQueriesContext(connection) as by_id:
            selectors.product_badges(product_ids=[p.pk for p in products])
        with CaptureQueriesContext(connection) as loaded:
            selectors.product_badges(products=products)
        return len(by_id), len(loaded)

    # from the cached rules and category paths: by id, the products' categories and makers; loaded products, nothing
    assert count(1, 1) == count(20, 15) == (1, 0)


def test_segment_promotions_and_customer_coupons():
    segment = SegmentFactory()
    targeting = PromotionFactory(segments=[segment])
    PromotionFactory(segments=[segment], status="archived")
    customer = customer_in_segment(segment)
    coupon = CouponFactory(assigned_to=customer, assigned_at=timezone.now())
    CouponFactory()

    assert list(selectors.segment_promotions(segment=segment)) == [targeting]
    assert list(selectors.customer_coupons(customer=customer)) == [coupon]


def test_simulate_prices_a_sample_cart_and_explains_what_did_not_apply():
    product = stocked_product(price="20.00")
    applies = PromotionFactory(name="ten", percent=Decimal("10"))
    PromotionFactory(name="big baskets", min_subtotal=Decimal("100.00"), percent=Decimal("20"), exclusive=True)
    coupon_promotion = PromotionFactory(name="code", requires_coupon=True, fixed=True, amount=Decimal("1.00"))
    CouponFactory(code="ONEOFF", promotion=coupon_promotion)

    result = selectors.simulate(lines=[(product.pk, 2)], coupon_codes=["oneoff", "BOGUS"])

    assert result.subtotal.amount == Decimal("40.00")
    assert sorted((d.key, d.amount.amount) for d in result.applied) == sorted([
        (f"promotion:{applies.pk}", Decimal("4.00")), (f"promotion:{coupon_promotion.pk}", Decimal("1.00"))])
    assert result.total.amount == Decimal("39.90")  # 40.00 - 5.00 + 4.90 shipping
    [missed] = result.not_applied
    assert (missed.name, missed.reason) == ("big baskets", "minimum_not_reached")
    assert {c.code: c.reason for c in result.coupons} == {"ONEOFF": "", "BOGUS": "coupon_unknown"}

    with pytest.raises(ValidationError) as refused:
        selectors.simulate(lines=[(987654, 1)])
    assert refused.value.code == "simulation_invalid"
