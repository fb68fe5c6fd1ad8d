"""A shopper logs in, fills the cart, checks out with the sandbox card and finds the order in the history;
then a declined card shows its error and the cart stays intact. In a real browser (Debian's Chromium).

Runs against pytest-django's live server; skipped, saying why, without /usr/bin/chromium. The
screenshots are kept in test-artifacts/ (git-ignored).
"""

from decimal import Decimal

import pytest

from commerce.catalog import inventory
from commerce.catalog.services import category_create, manufacturer_create, product_create
from commerce.money import Money
from orders.models import Order, SandboxCharge
from tests.browser.pages import ARTIFACTS, add_to_cart, logged_in_page, shot
from tests.orders.factories import CARD_EXP_YEAR, customer_with_address

# The live server's thread reads what this test commits, so the test runs outside a transaction.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop():
    """Two teas made through the catalog services, with stock."""
    tea = category_create(name="Tea", slug="tea")
    maker = manufacturer_create(name="Leaf & Co")
    products = []
    for code, name, price in (("TEA-0001", "Sencha Green Tea", "8.50"), ("TEA-0002", "Assam Breakfast Tea", "6.20")):
        product = product_create(code=code, name=name, category=tea, manufacturer=maker, price=Money.of(Decimal(price), "EUR"))
        inventory.stock_receive(product=product, batch_number=f"{code}-A", quantity=20)
        products.append(product)
    return products


def pay_by_card(page, number: str) -> None:
    page.locator("#pm-card").check()
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Month").select_option("12")
    page.get_by_label("Year").select_option(str(CARD_EXP_YEAR))
    page.get_by_label("CVC").fill("123")


def test_shopper_checks_out_by_card_then_a_declined_card_keeps_the_cart(live_server, browser, shop):
    ARTIFACTS.mkdir(exist_ok=True)
    sencha, assam = shop
    customer, _ = customer_with_address(first_name="Ada")
    base = live_server.url
    page = logged_in_page(browser, base, customer.username)

    # Two products into the cart.
    add_to_cart(page, base, sencha, 2)
    add_to_cart(page, base, assam, 1)
    lines = page.locator("li.cart-line")
    assert lines.count() == 2
    assert page.locator("#cart-total").inner_text() == "28.10 EUR"  # 17.00 + 6.20 + 4.90 shipping
    assert page.locator("#cart-count").inner_text().startswith("3")
    shot(page, "checkout_1_cart")

    # Checkout with the sandbox card that succeeds.
    page.get_by_role("link", name="Checkout").click()
    page.wait_for_url("**/checkout/")
    assert page.locator("input[name=address]:checked").count() == 1  # the default address is chosen
    pay_by_card(page, "4242 4242 4242 4242")
    shot(page, "checkout_2_checkout")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url("**/thank-you/")
    number = page.locator("#order-number").inner_text()
    assert "your order is placed" in page.locator("h1").inner_text()
    shot(page, "checkout_3_confirmation")

    order = Order.objects.get(number=number)
    assert (order.status, order.total_amount, order.customer_id) == ("paid", Decimal("28.10"), customer.pk)
    assert SandboxCharge.objects.count() == 1

    # The order is in the history.
    page.get_by_role("link", name="Orders", exact=True).click()
    page.wait_for_url("**/orders/")
    row = page.locator("table.orders-table tbody tr").filter(has_text=number)
    assert row.count() == 1 and "Paid" in row.inner_text() and "28.10 EUR" in row.inner_text()
    shot(page, "checkout_4_history")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/orders/{number}/")
    assert "Payment received" in page.locator(".timeline").inner_text()
    shot(page, "checkout_5_order_detail")

    # A declined card: the error is shown and the cart is as it was.
    add_to_cart(page, base, sencha, 1)
    add_to_cart(page, base, assam, 3)
    page.get_by_role("link", name="Checkout").click()
    page.wait_for_url("**/checkout/")
    pay_by_card(page, "4000 0000 0000 0002")
    page.get_by_role("button", name="Place order").click()
    error = page.locator("#payment-error")
    error.wait_for()
    assert "The card was declined." in error.inner_text()
    assert page.get_by_label("Card number").input_value() == ""
    shot(page, "checkout_6_declined")

    page.get_by_role("link", name="Back to cart").click()
    page.wait_for_url("**/cart/")
    quantities = {
        line.locator(".cart-line-name").inner_text(): line.locator("input[name=quantity]").input_value()
        for line in page.locator("li.cart-line").all()
    }
    assert quantities == {"Sencha Green Tea": "1", "Assam Breakfast Tea": "3"}
    shot(page, "checkout_7_cart_after_decline")
    page.close()

    assert SandboxCharge.objects.count() == 1  # the declined card charged nothing
    assert Order.objects.filter(status="paid").count() == 1
