"""A guest's whole story in a real browser (Debian's Chromium), at desktop (1,366 px) and phone (390 px):
the cart says how much more ships free and offers the shop's delivery methods with their dates; the
checkout asks for an e-mail address (no log-in page), and choosing express changes the total; a
declined card, then a good one; the guest cancels that order from its page; a second order is shipped
by staff, looked up by number and e-mail, its tracking number a link; signing up with the address and
following the mailed link attaches the guest's orders. Every mail (confirmation, payment failure,
cancelled, refunded, shipped, the claim) is sent once, after commit, with HTML and text parts.
Past the hourly limit of checkout submits the page answers 429 with the reason and orders nothing.

Screenshots are kept in test-artifacts/ (git-ignored).
"""

import re
from decimal import Decimal

import pytest
from django.core import mail

from commerce.catalog import inventory
from commerce.catalog.services import category_create, manufacturer_create, product_create
from commerce.mail.models import Mail
from commerce.money import Money
from orders.models import Order, SandboxCharge
from orders.services.lifecycle import order_allocate, order_mark_ready, order_ship
from orders.shipping.services import shipping_method_save
from tests.browser.pages import ARTIFACTS, shot
from tests.orders.factories import CARD_EXP_YEAR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
EMAIL = "ann.guest@example.com"
GOOD, DECLINED = "4242 4242 4242 4242", "4000 0000 0000 0002"
# "Arrives Tue 9 Dec" or a window "Tue 9 Dec – Thu 11 Dec"
ARRIVES = r"Arrives \w{3} \d{1,2} \w{3}( – \w{3} \d{1,2} \w{3})?"


@pytest.fixture
def mug():
    """A product at 12.00 with stock, and the shop's two delivery methods (standard ships free from 50.00)."""
    shipping_method_save(code="standard", name="Standard", price_amount=Decimal("4.90"), currency="EUR",
                         free_over_amount=Decimal("50.00"), is_default=True, position=1)
    shipping_method_save(code="express", name="Express", price_amount=Decimal("12.90"), currency="EUR",
                         processing_days=0, transit_days_min=1, transit_days_max=1, position=2)
    product = product_create(code="MUG-1", name="Stone Mug", category=category_create(name="Kitchen", slug="kitchen"),
                             manufacturer=manufacturer_create(name="Potters"), price=Money.of(Decimal("12.00"), "EUR"))
    inventory.stock_receive(product=product, batch_number="MUG-1-A", quantity=20)
    return product


@pytest.fixture
def page(module_browser, request):
    context = module_browser.new_context(viewport=SIZES[request.node.callspec.params["size"]])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def fill_guest_checkout(page, *, card: str | None) -> None:
    page.get_by_label("E-mail address").fill("Ann.Guest@Example.com")
    for name, value in (("recipient", "Ann Guest"), ("street", "3 Rue Neuve"), ("zip_code", "69001"), ("city", "Lyon"),
                        ("country", "fr")):
        page.locator(f"#guest-contact [name={name}]").fill(value)
    if card is None:
        page.locator("#pm-cod").check()
        return
    page.locator("#pm-card").check()
    page.get_by_label("Card number").fill(card)
    page.get_by_label("Month").select_option("12")
    page.get_by_label("Year").select_option(str(CARD_EXP_YEAR))
    page.get_by_label("CVC").fill("123")


def add_two_mugs(page, base: str, mug) -> None:
    page.goto(f"{base}{mug.get_absolute_url()}")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart", exact=True).click()
    page.wait_for_url("**/cart/")


def place_order(page) -> str:
    """Place the order on the filled checkout; the guest lands on their order's signed page. Its number."""
    page.get_by_role("button", name=re.compile("^Place order")).click()
    page.wait_for_url(re.compile(r"/orders/guest/[^/]+/\?placed=1$"))
    assert EMAIL in page.locator("#guest-placed").inner_text()
    return page.locator("h1 .code").inner_text()


def sent(subject: str) -> list:
    """The mails sent (Django's outbox) whose subject starts so, each checked to have a text and an HTML part."""
    found = [m for m in mail.outbox if m.subject.startswith(subject)]
    for message in found:
        [(html, mimetype)] = message.alternatives
        assert mimetype == "text/html" and message.body.strip() and "<" in html and message.to == [EMAIL]
    return found


@pytest.mark.parametrize("size", list(SIZES))
def test_a_guest_checks_out_follows_cancels_looks_up_and_claims_their_orders(live_server, page, mug, size, mailoutbox):
    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url

    # The cart: what more ships free, the methods with prices and dates.
    add_two_mugs(page, base, mug)
    assert page.locator("#free-shipping-hint").inner_text() == "Add 26.00 EUR more for free shipping (Standard)."
    choices = page.locator("#shipping-choice label").all_inner_texts()
    assert [c.split("\n")[0] for c in choices] == ["Standard · 4.90 EUR", "Express · 12.90 EUR"]
    assert all(re.search(ARRIVES, c) for c in choices), choices
    shot(page, f"guest_1_cart_{size}")

    # Checkout: no log-in page, an e-mail address; express costs more and promises its date.
    page.locator("#guest-checkout").click()
    page.wait_for_url(f"{base}/checkout/")
    assert page.locator("#guest-contact").is_visible()
    assert "28.90 EUR" in page.get_by_role("button", name=re.compile("^Place order")).inner_text()
    page.get_by_role("radio", name=re.compile("^Express")).check()
    page.get_by_role("button", name="Update delivery").click()
    page.wait_for_url(f"{base}/checkout/")
    assert "36.90 EUR" in page.get_by_role("button", name=re.compile("^Place order")).inner_text()
    assert page.locator("#checkout-delivery").inner_text().startswith("Express: arrives ")

    # A declined card: the error on the page, one payment-failure mail; then a good card.
    fill_guest_checkout(page, card=DECLINED)
    page.get_by_role("button", name=re.compile("^Place order")).click()
    assert "The card was declined." in page.locator("#payment-error").inner_text()
    shot(page, f"guest_2_checkout_declined_{size}")
    fill_guest_checkout(page, card=GOOD)
    first = place_order(page)
    shot(page, f"guest_3_placed_{size}")
    order = Order.objects.get(number=first)
    assert (order.status, order.total_amount, order.shipping_method_code, order.customer_id) == ("paid", Decimal("36.90"), "express", None)
    assert len(sent("Payment for order ")) == 1  # the declined attempt's number (voided), not the order's
    [confirmation] = sent(f"Order {first} confirmed")
    link = re.search(r"https?://\S+/orders/guest/\S+/", confirmation.body).group(0)
    assert "Express, expected" in confirmation.body

    # The guest cancels from the page their mail links to: cancelled and refunded, one mail each.
    page.goto(base + link[link.index("/orders/"):])  # the mail's link, on the test's server
    page.locator("#guest-cancel").click()
    page.get_by_role("button", name=re.compile("Cancel")).last.click()
    assert "was cancelled" in page.locator(".messages, [role=status]").first.inner_text()
    assert Order.objects.get(number=first).status == "cancelled"
    assert len(sent(f"Order {first} cancelled")) == 1 and len(sent(f"Order {first} refunded")) == 1

    # A second order, cash on delivery and standard shipping; staff ship it.
    add_two_mugs(page, base, mug)
    page.locator("#guest-checkout").click()
    page.get_by_role("radio", name=re.compile("^Standard")).check()
    page.get_by_role("button", name="Update delivery").click()
    page.wait_for_url(f"{base}/checkout/")
    fill_guest_checkout(page, card=None)
    second = place_order(page)
    shipped = Order.objects.get(number=second)
    order_ship(order=order_mark_ready(order=order_allocate(order=shipped)), carrier="Colissimo", tracking_number="6A123")
    assert len(sent(f"Order {second} is on its way")) == 1

    # Another day, another browser: the look-up by number and e-mail (any case), the tracking link.
    page.context.clear_cookies()
    page.goto(f"{base}/orders/find/")
    page.get_by_label("Order number").fill(second)
    page.get_by_label("E-mail address").fill(EMAIL.upper())
    page.get_by_role("button", name="Find my order").click()
    page.wait_for_url(re.compile(r"/orders/guest/[^/]+/$"))
    tracking = page.locator("#tracking-link")
    assert tracking.inner_text() == "6A123" and tracking.get_attribute("href").startswith("https://www.laposte.fr/")
    shot(page, f"guest_4_lookup_tracking_{size}")

    # Signing up with the address mails a link; following it attaches both orders.
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Username").fill(f"ann-{size}")
    page.get_by_label("Email").fill(EMAIL)
    page.locator("#id_password1").fill("a-long-Passw0rd!")
    page.locator("#id_password2").fill("a-long-Passw0rd!")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_load_state()
    [claim] = sent("Add your earlier orders to your account")
    claim_url = re.search(r"https?://\S+/orders/claim/\S+/", claim.body).group(0)
    page.goto(base + claim_url[claim_url.index("/orders/"):])
    page.get_by_role("button", name="Add them to my account").click()
    page.wait_for_url(f"{base}/orders/")
    history = page.locator("table.orders-table tbody").inner_text()
    assert first in history and second in history
    shot(page, f"guest_5_claimed_{size}")

    # Each mail once, and the mail table agrees with the outbox.
    assert SandboxCharge.objects.count() == 1
    assert len(sent(f"Order {second} confirmed")) == 1
    assert len(mailoutbox) == 7 and Mail.objects.filter(status="sent").count() == 7  # the seven above, none twice


@pytest.mark.parametrize("size", list(SIZES))
def test_checkout_submits_over_the_hourly_limit_get_the_reason_and_order_nothing(live_server, page, mug, size, settings):
    settings.ORDERS_CHECKOUTS_PER_HOUR = 1
    add_two_mugs(page, live_server.url, mug)
    page.locator("#guest-checkout").click()
    page.wait_for_url(f"{live_server.url}/checkout/")
    page.get_by_role("button", name=re.compile("^Place order")).click()  # nothing filled in: the form's errors
    assert page.get_by_text("Enter your e-mail address.").is_visible()

    fill_guest_checkout(page, card=GOOD)
    with page.expect_response(f"{live_server.url}/checkout/") as answer:
        page.get_by_role("button", name=re.compile("^Place order")).click()
    assert answer.value.status == 429
    assert "Too many checkout attempts" in page.get_by_role("alert").first.inner_text()
    assert page.get_by_label("Card number").input_value() == ""
    shot(page, f"guest_checkout_limit_{size}")
    assert not Order.objects.exists() and not SandboxCharge.objects.exists()
