"""Promotions on the shop's pages: my coupons, the cart (itemised promotions, each code's verdict,
hints), checkout and order detail (itemised), and the badges on product pages."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commerce.catalog import badges
from orders.models import Cart
from promotions import selectors
from tests.factories import CustomerFactory, category
from tests.orders.factories import filled_cart, placed_order, stocked_product
from tests.promotions.factories import CouponFactory, PromotionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rules")]

MY_COUPONS = reverse("promotions:my_coupons")
CART = reverse("orders:cart")
APPLY = reverse("orders:cart_coupon_apply")
CHECKOUT = reverse("orders:checkout")


@pytest.fixture
def promotion_badges():
    """The promotions app's badge provider, registered as its AppConfig.ready() does (and left as found)."""
    already = selectors.product_badges in badges.registered()
    badges.register(selectors.product_badges)
    yield
    if not already:
        badges.unregister(selectors.product_badges)


def text(response) -> str:
    """The page's text with tags dropped and whitespace collapsed, for reading sentences."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# --- my coupons -----------------------------------------------------------------------------------
def test_my_coupons_needs_a_login(client):
    response = client.get(MY_COUPONS)

    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_my_coupons_shows_only_mine_with_what_each_gives_uses_left_expiry_and_status(shopper):
    now = timezone.now()
    expires = (now + datetime.timedelta(days=160)).replace(hour=12, minute=0, second=0, microsecond=0)
    spring = PromotionFactory(name="Spring offer", requires_coupon=True, description="On everything")
    five_off = PromotionFactory(name="Five off", requires_coupon=True, fixed=True, amount=Decimal("5.00"))
    CouponFactory(code="READY01", promotion=spring, assigned_to=shopper.customer, assigned_at=now, max_uses=3, used_count=1,
                  expires_at=expires)
    CouponFactory(code="USED01", promotion=five_off, assigned_to=shopper.customer, assigned_at=now, used_count=1)
    CouponFactory(code="THEIRS01", promotion=spring, assigned_to=CustomerFactory(), assigned_at=now)

    usable = shopper.get(MY_COUPONS)
    every = shopper.get(MY_COUPONS, {"show": "all"})

    assert usable.status_code == 200
    page = text(usable)
    assert "READY01" in page and "USED01" not in page and "THEIRS01" not in page
    assert "Spring offer · 10% off" in page and "On everything" in page
    assert "Uses left 2 of 3" in page and f"Valid until {expires:%-d %B %Y}" in page and "Ready to use" in page
    every_page = text(every)
    assert "USED01" in every_page and "Five off · 5.00 EUR off" in every_page and "Used" in every_page
    assert "THEIRS01" not in every_page
    assert 'aria-current="page">Coupons</a>' in usable.content.decode()


def test_my_coupons_applies_one_to_the_cart_through_the_cart_form(shopper):
    PromotionFactory(name="Spring offer", requires_coupon=True)
    coupon = CouponFactory(code="READY02", promotion=PromotionFactory(name="Mine", requires_coupon=True),
                           assigned_to=shopper.customer, assigned_at=timezone.now())
    filled_cart(shopper.customer, [(stocked_product(price="20.00"), 1)])
    html = shopper.get(MY_COUPONS).content.decode()
    form = re.search(rf'<form method="post" action="{APPLY}"[^>]*>(.*?)</form>', html, flags=re.S).group(1)
    assert "csrfmiddlewaretoken" in form and f'name="code" value="{coupon.code}"' in form

    response = shopper.post(APPLY, {"code": coupon.code})

    assert response.status_code == 302 and response.url == CART
    assert Cart.objects.get(customer=shopper.customer).coupon_codes == ["READY02"]
    assert "In your cart" in text(shopper.get(MY_COUPONS))


def test_my_coupons_without_a_cart_says_to_add_something_first(shopper):
    CouponFactory(code="READY03", assigned_to=shopper.customer, assigned_at=timezone.now())

    page = text(shopper.get(MY_COUPONS))

    assert "READY03" in page and "Add something to your cart to use it." in page


def test_the_account_pages_link_to_my_coupons(shopper):
    html = shopper.get(reverse("accounts:profile")).content.decode()

    assert f'href="{MY_COUPONS}"' in html
    assert 'aria-current="page">Profile</a>' in html and 'aria-current="page">Addresses' not in html


# --- the cart -------------------------------------------------------------------------------------
def test_cart_itemises_each_promotion_with_its_amount_and_code(shopper):
    PromotionFactory(name="Ten off", discount_class="product", percent=Decimal("10"))
    CouponFactory(code="FIVEOFF", promotion=PromotionFactory(name="Five off", requires_coupon=True, fixed=True,
                                                             amount=Decimal("5.00")), max_uses=None)
    filled_cart(shopper.customer, [(stocked_product(price="20.00"), 2)])
    shopper.post(APPLY, {"code": "fiveoff"})

    page = text(shopper.get(CART))

    assert "Ten off −4.00 EUR" in page
    assert "Five off FIVEOFF −5.00 EUR" in page
    assert "FIVEOFF Five off: −5.00 EUR" in page  # the code's verdict, in the coupon list
    assert "Total 35.90 EUR" in page  # 40.00 − 4.00 − 5.00 + 4.90 shipping


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("NOSUCH", "The code NOSUCH is not known."),
        ("EXPIRED2", "The code EXPIRED2 has expired."),
        ("USEDUP2", "The code USEDUP2 has been used up."),
        ("SOON2", "The code SOON2 is not valid yet."),
        ("NOTYOURS2", "The code NOTYOURS2 belongs to another customer."),
    ],
)
def test_cart_shows_a_refused_codes_own_message_and_keeps_nothing(shopper, code, message):
    now = timezone.now()
    offer = PromotionFactory(name="Offer", requires_coupon=True)
    later = PromotionFactory(name="Later", requires_coupon=True, status="scheduled", valid_from=now + datetime.timedelta(days=1))
    CouponFactory(code="EXPIRED2", promotion=offer, expires_at=now - datetime.timedelta(minutes=1))
    CouponFactory(code="USEDUP2", promotion=offer, used_count=1)
    CouponFactory(code="SOON2", promotion=later)
    CouponFactory(code="NOTYOURS2", promotion=offer, assigned_to=CustomerFactory())
    filled_cart(shopper.customer, [(stocked_product(price="20.00"), 1)])

    response = shopper.post(APPLY, {"code": code.lower()})

    assert response.status_code == 200  # the cart again, with the message on the code's field
    html = response.content.decode()
    assert re.search(rf'<p class="field-error" role="alert">{re.escape(message)}</p>', html)
    assert f'value="{code.lower()}"' in html  # what the shopper typed stays in the field
    assert Cart.objects.get(customer=shopper.customer).coupon_codes == []


def test_cart_keeps_a_code_that_stopped_working_with_its_reason(shopper):
    from promotions.models import Coupon

    CouponFactory(code="GOOD2", promotion=PromotionFactory(name="Offer", requires_coupon=True), max_uses=None)
    filled_cart(shopper.customer, [(stocked_product(price="20.00"), 1)])
    shopper.post(APPLY, {"code": "GOOD2"})
    Coupon.objects.filter(code="GOOD2").update(status="invalidated")

    html = shopper.get(CART).content.decode()

    assert re.search(r'<li class="coupon coupon-rejected">\s*<span class="code">GOOD2</span>\s*'
                     r'<span class="field-error" role="alert">The code GOOD2 is no longer valid.</span>', html)


def test_cart_hints_what_would_qualify(shopper):
    PromotionFactory(name="Free shipping", free_shipping=True, min_subtotal=Decimal("40.00"))
    PromotionFactory(name="Secret", requires_coupon=True, min_subtotal=Decimal("40.00"))
    filled_cart(shopper.customer, [(stocked_product(price="10.00"), 1)])

    page = text(shopper.get(CART))

    assert "Free shipping : Spend 30.00 more." in page
    assert "Secret" not in page  # a coupon-only promotion is never hinted at


# --- checkout and order detail --------------------------------------------------------------------
def test_checkout_itemises_the_promotions(shopper):
    PromotionFactory(name="Ten off", percent=Decimal("10"))
    filled_cart(shopper.customer, [(stocked_product(price="20.00"), 2)])

    page = text(shopper.get(CHECKOUT))

    assert "Ten off −4.00 EUR" in page
    assert "Place order · 40.90 EUR" in page


def test_order_detail_itemises_the_promotions_it_got(shopper):
    PromotionFactory(name="Ten off", discount_class="product", percent=Decimal("10"))
    CouponFactory(code="FIVEOFF2", promotion=PromotionFactory(name="Five off", requires_coupon=True, fixed=True,
                                                              amount=Decimal("5.00")), max_uses=None)
    filled_cart(shopper.customer, [(stocked_product(price="20.00"), 2)])
    shopper.post(APPLY, {"code": "FIVEOFF2"})
    order = placed_order([], customer=shopper.customer, address=shopper.address)

    page = text(shopper.get(order.get_absolute_url()))

    assert [(p["name"], p["code"], p["amount"]) for p in order.applied_promotions] == [
        ("Ten off", "", "4.00"), ("Five off", "FIVEOFF2", "5.00")]
    assert "Subtotal 40.00 EUR Ten off −4.00 EUR Five off FIVEOFF2 −5.00 EUR Shipping 4.90 EUR Total 35.90 EUR" in page


# --- product badges -------------------------------------------------------------------------------
def test_product_page_and_list_show_the_badges_of_automatic_promotions(client, promotion_badges):
    food = category("Food")
    milk = stocked_product(name="Milk", category=food)
    stocked_product(name="Bread")
    PromotionFactory(name="Food 3 for 2", buy_x_get_y=True, badge="3 for 2", categories=[food])
    PromotionFactory(name="Coupon deal", discount_class="product", targets=[milk], requires_coupon=True, badge="Secret deal")

    detail = client.get(milk.get_absolute_url()).content.decode()
    listing = client.get(reverse("catalog:product_list")).content.decode()

    assert '<span class="badge-inline promo-badge">3 for 2</span>' in detail
    assert "Secret deal" not in detail and "Secret deal" not in listing
    cards = dict(re.findall(r'<h2 class="card-title">([^<]+)</h2>(.*?)</li>', listing, flags=re.S))
    assert "3 for 2" in cards["Milk"] and "promo-badge" not in cards["Bread"]


def test_product_list_badges_cost_the_same_queries_for_any_page_size(client, settings, promotion_badges):
    settings.PROMOTIONS_RULES_CACHE = True  # as in production: the compiled rules are cached
    food = category("Food")
    PromotionFactory(name="Food deal", discount_class="product", badge="Deal", categories=[food])
    for i in range(30):
        stocked_product(name=f"Item {i:02d}", category=food)
    url = reverse("catalog:product_list")
    client.get(url)  # the session, the first compilation of the rules

    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"per_page": "12"}).content.decode().count('promo-badge">Deal<') == 12
    with CaptureQueriesContext(connection) as large:
        assert client.get(url, {"per_page": "48"}).content.decode().count('promo-badge">Deal<') == 30
    badges.unregister(selectors.product_badges)
    try:
        with CaptureQueriesContext(connection) as without:
            client.get(url, {"per_page": "48"})
    finally:
        badges.register(selectors.product_badges)

    assert len(large.captured_queries) == len(small.captured_queries)
    # the badge lookup reads the cached rules and category paths, and the page's products it is given: no query
    assert len(large.captured_queries) == len(without.captured_queries)
