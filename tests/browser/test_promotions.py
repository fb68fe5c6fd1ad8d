"""A shopper's journey through the promotions, in a real browser (Debian's Chromium).

A "3 for 2" on the tea category is live and badged; a loyalty coupon (single-use, generated and
distributed to the shopper's segment) gives 10 % off the order; the public code BIG15 takes 15.00
off from a 60.00 subtotal. The shopper sees the badge, gets the 3 for 2 in the cart, applies the
loyalty coupon from "My coupons", is told why BIG15 does not apply (a code that stops applying
stays listed with its reason until removed), pays by card and finds the promotions itemised on
the order; the used coupon is then refused on a new cart. All set up through
``promotions.services``, all amounts read off the pages.

Runs against pytest-django's live server; skipped, saying why, without /usr/bin/chromium. The
screenshots are kept in test-artifacts/ (git-ignored).
"""

from decimal import Decimal

import pytest

from commerce.catalog import inventory
from commerce.catalog.services import category_create, manufacturer_create, product_create
from commerce.money import Money
from orders.models import Order
from promotions import services
from promotions.models import Coupon, Promotion, Redemption
from tests.browser.pages import ARTIFACTS, add_to_cart, logged_in_page, shot
from tests.orders.factories import CARD_EXP_YEAR, customer_with_address

MINUS = "\N{MINUS SIGN}"  # how the pages write a discount: "−8.50 EUR"
ALL_CLASSES = ["product", "order", "shipping"]

# The live server's thread reads what this test commits, so the test runs outside a transaction.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop():
    """A tea (in the "3 for 2" category) and a teapot (not in it), made through the catalog services."""
    tea = category_create(name="Tea", slug="tea")
    teaware = category_create(name="Teaware", slug="teaware")
    maker = manufacturer_create(name="Leaf & Co")
    sencha = product_create(code="TEA-0001", name="Sencha Green Tea", category=tea, manufacturer=maker,
                            price=Money.of(Decimal("8.50"), "EUR"))
    teapot = product_create(code="POT-0001", name="Cast-Iron Teapot", category=teaware, manufacturer=maker,
                            price=Money.of(Decimal("39.00"), "EUR"))
    for product in (sencha, teapot):
        inventory.stock_receive(product=product, batch_number=f"{product.code}-A", quantity=20)
    return {"tea": tea, "sencha": sencha, "teapot": teapot}


@pytest.fixture
def offers(shop):
    """The three promotions and their coupons, through the services, and the shopper who holds one."""
    customer, _ = customer_with_address(first_name="Ada")

    three_for_two = services.promotion_create(
        name="Tea 3 for 2", discount_class="product", benefit_type="buy_x_get_y", badge="3 for 2",
        buy_quantity=2, get_quantity=1, get_percent=Decimal("100"), combines_with=ALL_CLASSES,
        target_categories=[shop["tea"]],
    )
    services.promotion_activate(promotion=three_for_two)

    loyalty = services.promotion_create(
        name="Loyalty thank-you", discount_class="order", benefit_type="percentage", percent=Decimal("10"),
        requires_coupon=True, combines_with=ALL_CLASSES, description="10 % off your next order.",
    )
    services.promotion_activate(promotion=loyalty)
    regulars = services.segment_create(code="regulars", name="Regulars", kind="manual")
    services.segment_members_set(segment=regulars, customers=[customer])
    batch = services.coupon_generate(promotion=loyalty, quantity=3, prefix="THANKS", max_uses=1)
    assert services.coupon_distribute(batch=batch, segment=regulars) == 1
    loyalty_code = Coupon.objects.get(batch=batch, assigned_to=customer).code

    big_basket = services.promotion_create(
        name="Big basket", discount_class="order", benefit_type="fixed_amount", amount=Decimal("15.00"),
        min_subtotal=Decimal("60.00"), requires_coupon=True, combines_with=ALL_CLASSES,
    )
    services.promotion_activate(promotion=big_basket)
    services.coupon_create(promotion=big_basket, code="big15")  # stored upper-case

    assert set(Promotion.objects.values_list("status", flat=True)) == {"active"}
    return {"customer": customer, "loyalty_code": loyalty_code, "loyalty": loyalty, "three_for_two": three_for_two}


def enter_code(page, code: str) -> None:
    page.get_by_label("Coupon code").fill(code)
    page.get_by_role("button", name="Apply", exact=True).click()
    page.wait_for_load_state()


def itemised(page) -> list[tuple[str, str]]:
    """The applied promotions listed in the page's totals, as (name and code, amount) in page order."""
    pairs = page.locator("dl.totals dt.applied-promotion").evaluate_all(
        "dts => dts.map(dt => [dt.innerText.trim(), dt.nextElementSibling.innerText.trim()])"
    )
    return [tuple(pair) for pair in pairs]


def totals(page) -> dict[str, str]:
    """The totals block as {label: value}: "Subtotal", "Shipping", "Total" (promotions: see ``itemised``)."""
    pairs = page.locator("dl.totals dt").evaluate_all(
        "dts => dts.map(dt => [dt.childNodes[0].textContent.trim(), dt.nextElementSibling.innerText.trim()])"
    )
    return {label: value for label, value in pairs if label in ("Subtotal", "Shipping", "Total")}


def eur(text: str) -> Decimal:
    """ "−8.50 EUR" -> Decimal("-8.50")."""
    amount, currency = text.replace(MINUS, "-").split()
    assert currency == "EUR"
    return Decimal(amount)


def test_shopper_gets_a_badged_3_for_2_uses_their_coupon_and_cannot_reuse_it(live_server, browser, shop, offers):
    ARTIFACTS.mkdir(exist_ok=True)
    customer, loyalty_code = offers["customer"], offers["loyalty_code"]
    base = live_server.url
    page = logged_in_page(browser, base, customer.username)

    # 1. The badge on the tea's page, none on the teapot's; 3 teas into the cart: the cheapest of 3 is free.
    page.goto(f"{base}{shop['sencha'].get_absolute_url()}")
    assert page.get_by_role("list", name="Offers on this product").inner_text().strip() == "3 for 2"
    shot(page, "promotions_1_product_badge")
    page.goto(f"{base}{shop['teapot'].get_absolute_url()}")
    assert page.locator(".promo-badge").count() == 0
    add_to_cart(page, base, shop["sencha"], 3)
    assert itemised(page) == [("Tea 3 for 2", f"{MINUS}8.50 EUR")]
    assert totals(page) == {"Subtotal": "25.50 EUR", "Shipping": "4.90 EUR", "Total": "21.90 EUR"}
    line = page.locator("li.cart-line").filter(has_text="Sencha Green Tea")
    assert line.locator(".cart-line-total").inner_text().split() == ["25.50", "EUR", f"{MINUS}8.50", "EUR"]
    shot(page, "promotions_2_cart_3_for_2")

    # 2. "My coupons" from the account navigation: the distributed coupon, applied to the cart from there.
    page.get_by_role("link", name="Ada", exact=True).click()
    page.wait_for_url("**/accounts/profile/")
    page.get_by_role("navigation", name="Your account").get_by_role("link", name="Coupons").click()
    page.wait_for_url("**/accounts/coupons/")
    cards = page.locator("li.coupon-card")
    assert cards.count() == 1
    card = page.locator(f"#coupon-{loyalty_code}")
    assert card.locator("h3").inner_text() == loyalty_code
    assert card.locator(".badge").inner_text() == "Ready to use"
    assert "Loyalty thank-you · 10% off" in card.inner_text()
    assert card.locator("dl.specs dd").first.inner_text() == "1 of 1"
    shot(page, "promotions_3_my_coupons")
    card.get_by_role("button", name="Apply to my cart").click()
    page.wait_for_url("**/cart/")
    assert f"The code {loyalty_code} was applied." in page.locator(".messages").inner_text()
    # The order discount is 10 % of what the 3 for 2 left: 17.00 -> 1.70.
    assert itemised(page) == [("Tea 3 for 2", f"{MINUS}8.50 EUR"), (f"Loyalty thank-you {loyalty_code}", f"{MINUS}1.70 EUR")]
    assert totals(page) == {"Subtotal": "25.50 EUR", "Shipping": "4.90 EUR", "Total": "20.20 EUR"}
    coupon_row = page.locator("li.coupon").filter(has_text=loyalty_code)
    assert f"Loyalty thank-you: {MINUS}1.70 EUR" in coupon_row.inner_text()
    shot(page, "promotions_4_cart_with_coupon")

    # 3. The public code below its minimum: refused with its own reason, kept in the field to correct.
    enter_code(page, "big15")
    error = page.locator(".coupon-form .field-error")
    assert error.inner_text() == "The code BIG15 does not apply: Needs a subtotal of at least 60.00. Spend 34.50 more."
    assert page.get_by_label("Coupon code").input_value() == "big15"  # as the shopper typed it
    assert page.locator("li.coupon").count() == 1  # not added, and the loyalty coupon still there
    assert totals(page)["Total"] == "20.20 EUR"
    shot(page, "promotions_5_code_refused")

    # With the teapot the minimum is reached: BIG15 applies after the 10 % (64.50 - 8.50 - 5.60 - 15.00, free shipping).
    add_to_cart(page, base, shop["teapot"], 1)
    enter_code(page, "big15")
    page.wait_for_url("**/cart/")
    assert itemised(page) == [
        ("Tea 3 for 2", f"{MINUS}8.50 EUR"),
        (f"Loyalty thank-you {loyalty_code}", f"{MINUS}5.60 EUR"),
        ("Big basket BIG15", f"{MINUS}15.00 EUR"),
    ]
    assert totals(page) == {"Subtotal": "64.50 EUR", "Shipping": "Free", "Total": "35.40 EUR"}

    # The teapot goes: BIG15 no longer applies and stays listed with its reason until the shopper removes it.
    page.get_by_role("button", name="Remove Cast-Iron Teapot").click()
    page.wait_for_url("**/cart/")
    big15 = page.locator("li.coupon").filter(has_text="BIG15")
    assert "coupon-rejected" in big15.get_attribute("class")
    assert big15.get_by_role("alert").inner_text() == (
        "The code BIG15 does not apply: Needs a subtotal of at least 60.00. Spend 34.50 more.")
    assert itemised(page) == [("Tea 3 for 2", f"{MINUS}8.50 EUR"), (f"Loyalty thank-you {loyalty_code}", f"{MINUS}1.70 EUR")]
    assert totals(page)["Total"] == "20.20 EUR"
    shot(page, "promotions_6_code_listed_not_applying")
    big15.get_by_role("button", name="Remove").click()
    page.wait_for_url("**/cart/")
    assert "The code BIG15 was removed." in page.locator(".messages").inner_text()
    assert [row.locator(".code").inner_text() for row in page.locator("li.coupon").all()] == [loyalty_code]

    # 4. Checkout by card: the promotions itemised on the checkout page, the order and its page.
    page.get_by_role("link", name="Checkout").click()
    page.wait_for_url("**/checkout/")
    assert itemised(page) == [("Tea 3 for 2", f"{MINUS}8.50 EUR"), (f"Loyalty thank-you {loyalty_code}", f"{MINUS}1.70 EUR")]
    page.locator("#pm-card").check()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Month").select_option("12")
    page.get_by_label("Year").select_option(str(CARD_EXP_YEAR))
    page.get_by_label("CVC").fill("123")
    shot(page, "promotions_7_checkout")
    page.get_by_role("button", name="Place order · 20.20 EUR").click()
    page.wait_for_url("**/thank-you/")
    number = page.locator("#order-number").inner_text()
    assert "Your payment of 20.20 EUR was received." in page.locator(".next-steps").inner_text()
    assert itemised(page) == [("Tea 3 for 2", f"{MINUS}8.50 EUR"), (f"Loyalty thank-you {loyalty_code}", f"{MINUS}1.70 EUR")]
    shot(page, "promotions_8_confirmation")

    page.get_by_role("link", name="View order").click()
    page.wait_for_url(f"**/orders/{number}/")
    promotions = itemised(page)
    assert promotions == [("Tea 3 for 2", f"{MINUS}8.50 EUR"), (f"Loyalty thank-you {loyalty_code}", f"{MINUS}1.70 EUR")]
    shown = totals(page)
    assert shown == {"Subtotal": "25.50 EUR", "Shipping": "4.90 EUR", "Total": "20.20 EUR"}
    assert eur(shown["Subtotal"]) + sum(eur(amount) for _, amount in promotions) + eur(shown["Shipping"]) == eur(shown["Total"])
    shot(page, "promotions_9_order_detail")

    order = Order.objects.get(number=number)
    assert (order.status, order.total_amount, order.discount_amount) == ("paid", Decimal("20.20"), Decimal("10.20"))
    redemptions = {r.promotion_id: (r.amount, r.coupon.code if r.coupon else None) for r in Redemption.objects.filter(order_id=order.pk)}
    assert redemptions == {
        offers["three_for_two"].pk: (Decimal("8.50"), None),
        offers["loyalty"].pk: (Decimal("1.70"), loyalty_code),
    }
    assert Coupon.objects.get(code=loyalty_code).used_count == 1

    # 5. A new cart: the single-use coupon is used up, on "My coupons" and when entered again.
    add_to_cart(page, base, shop["sencha"], 1)
    page.goto(f"{base}/accounts/coupons/")
    assert page.locator("li.coupon-card").count() == 0  # nothing usable left
    page.get_by_role("link", name="All", exact=True).click()
    card = page.locator(f"#coupon-{loyalty_code}")
    assert card.locator(".badge").inner_text() == "Used"
    assert card.get_by_role("button", name="Apply to my cart").count() == 0
    page.goto(f"{base}/cart/")
    enter_code(page, loyalty_code.lower())
    error = page.locator(".coupon-form .field-error")
    assert error.inner_text() == f"The code {loyalty_code} has been used up."  # the coupon_exhausted verdict
    assert itemised(page) == []
    assert totals(page) == {"Subtotal": "8.50 EUR", "Shipping": "4.90 EUR", "Total": "13.40 EUR"}
    assert page.locator(".promotion-hint").inner_text() == "Tea 3 for 2: Add 2 more units to get 1 free."
    shot(page, "promotions_10_coupon_used_up")
    page.close()

    assert Coupon.objects.get(code=loyalty_code).used_count == 1
