"""The back office as support and a merchandiser use it, in a real browser (Debian's Chromium), at
desktop (1,366 px) and phone (390 px) width, with screenshots in test-artifacts/ (git-ignored).

What test_admin_dashboard.py (each role's figures and charts), test_accessibility.py (axe, lists at
1,366 px, the benefit's fields without JavaScript) and test_promotions.py (the shopper's side) prove
is not repeated here. Here: an order's page (its timeline in words, notes, packing slip, invoice,
the customer's contact and history), the audit trail (newest first, its actor named, each event in
words, its data readable), a batch recall's history in words; statuses in colour, the near-expiry
view soonest first, the promotion editor's preview and a refusal on its field, a segment's members
and a coupon batch's codes.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commerce.catalog import inventory
from commerce.catalog.models import StockBatch
from orders.services.lifecycle import order_allocate, order_mark_ready
from promotions import services as promotion_services
from promotions.models import Promotion
from tests.browser.pages import ARTIFACTS, admin_logged_in, shot
from tests.factories import ProductFactory, StaffFactory, customer_with_address
from tests.orders.factories import paid_order, stocked_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# The page runs past the screen sideways.
WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth > window.innerWidth + 1"


def both_widths(page, name: str) -> None:
    """A screenshot at desktop and at phone width (the admin's own media queries lay it out again)."""
    shot(page, f"back_office_{name}_desktop")
    page.set_viewport_size(PHONE)
    shot(page, f"back_office_{name}_phone")
    page.set_viewport_size(DESKTOP)


@pytest.fixture
def context(browser):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=DESKTOP)
    yield context
    context.close()


def test_support_reads_an_order_its_customer_the_audit_trail_and_a_recall_in_words(live_server, context):
    base = live_server.url
    customer, address = customer_with_address(username="ada", first_name="Ada", last_name="Martin", email="ada@example.org")
    brie = stocked_product(quantity=20, price="8.50", name="Raw-milk Brie")
    earlier = paid_order([(brie, 1)], customer=customer, address=address)
    order = order_mark_ready(order=order_allocate(order=paid_order([(brie, 2)], customer=customer, address=address)))
    batch_number = StockBatch.objects.get(product=brie).batch_number
    StaffFactory(username="sophie", first_name="Sophie", groups=["Support"])
    page = admin_logged_in(context, base, "sophie")

    # The order: its timeline in words, the customer's contact and other orders, a note added.
    page.goto(f"{base}{reverse('admin:orders_order_change', args=[order.pk])}")
    timeline = page.locator("#order-timeline .sentence").all_inner_texts()
    assert any(text.startswith(f"Paid {order.total_amount} EUR by card") for text in timeline), timeline
    assert any(text.startswith("Packed and ready to ship") for text in timeline), timeline
    assert not any("{" in text or "orders.order" in text for text in timeline)
    customer_box = page.locator("#order-customer")
    assert customer_box.get_by_role("link", name="ada@example.org").is_visible()
    assert customer_box.get_by_role("link", name=earlier.number).is_visible()  # the history, a click away
    page.get_by_label("Add a note").fill("Ada asked to leave it with the neighbour.")
    with page.expect_navigation():
        page.get_by_role("button", name="Add note").click()
    assert "Ada asked to leave it with the neighbour." in page.locator("#order-notes").inner_text()
    assert not page.evaluate(WIDER_THAN_SCREEN)
    both_widths(page, "order")

    # The packing slip and the invoice, printable pages of this order.
    for tool in ("Packing slip", "Invoice"):
        with page.expect_navigation():
            page.get_by_role("link", name=tool, exact=True).click()
        assert order.number in page.content() and "Raw-milk Brie" in page.content(), tool
        shot(page, f"back_office_{tool.lower().replace(' ', '_')}")
        page.go_back()

    # The audit trail: newest first, each event in words, the actor named, the data readable.
    page.goto(f"{base}{reverse('admin:audit_domainevent_changelist')}")
    headers = [h.strip().lower() for h in page.locator("#result_list thead th").all_inner_texts()]  # shown in capitals
    assert "actor" in headers and "what happened" in headers and not any("repr" in h for h in headers)
    first = page.locator("#result_list tbody tr").first
    assert "Order" in first.inner_text() and "note added" in first.inner_text()  # the note was the last thing done
    assert "sophie" in first.inner_text()
    sentences = page.locator("#result_list td.field-what_happened").all_inner_texts()
    assert f"Order {order.number}: Packed and ready to ship" in sentences
    assert not any("{" in s for s in sentences)
    both_widths(page, "audit_trail")
    with page.expect_navigation():
        first.locator("th a").click()
    assert page.locator(".field-what_happened").get_by_text("note added").is_visible()
    assert page.locator(".field-who").get_by_text("sophie").is_visible()
    assert "{" not in page.locator(".event-data").inner_text()
    shot(page, "back_office_audit_event")

    # The batch recall: who got the batch, and what happened to it, in words.
    page.goto(f"{base}{reverse('admin:catalog_stockbatch_recall')}?batch_number={batch_number}")
    history = page.locator("#recall-history .sentence").all_inner_texts()
    assert history[0].startswith(f"Batch {batch_number} of product {brie.pk}: 20 units received"), history
    assert f"Order {order.number} reserved 2 units of product {brie.pk}: batch {batch_number} × 2" in history
    statuses = page.locator("#recall-references tbody td:nth-child(2)").all_inner_texts()
    assert set(statuses) <= {"shipped", "reserved"} and statuses
    both_widths(page, "recall")


def test_a_merchandiser_sees_statuses_near_expiry_the_promotion_preview_members_and_codes(live_server, context):
    base = live_server.url
    today = timezone.localdate()
    cheese = ProductFactory(name="Aged Comté", is_perishable=True)
    # Received in the opposite order of their expiry: the list's own order (newest received first) would be wrong.
    for number, days in (("CMT-LATE", 6), ("CMT-SOON", 2), ("CMT-MID", 4)):
        inventory.stock_receive(product=cheese, batch_number=number, quantity=5, expires_on=today + datetime.timedelta(days=days),
                                received_at=today - datetime.timedelta(days=10 - days))
    customers = [customer_with_address(username=name)[0] for name in ("ada", "bruno")]
    regulars = promotion_services.segment_create(code="regulars", name="Regulars", kind="manual")
    promotion_services.segment_members_set(segment=regulars, customers=customers)
    live = promotion_services.promotion_create(name="Cheese week", discount_class="product", benefit_type="percentage",
                                               percent=Decimal(10), requires_coupon=True)
    promotion_services.promotion_activate(promotion=live)
    promotion_services.promotion_create(name="Draft idea", discount_class="order", benefit_type="fixed_amount",
                                        amount=Decimal(5))
    batch = promotion_services.coupon_generate(promotion=live, quantity=3, prefix="CHEESE", max_uses=1)
    codes = sorted(batch.coupons.values_list("code", flat=True))
    StaffFactory(username="marie", groups=["Merchandisers"])
    page = admin_logged_in(context, base, "marie")

    # Statuses in colour: a live promotion and a draft differ at a glance, and say it in words too.
    page.goto(f"{base}{reverse('admin:promotions_promotion_changelist')}")
    active = page.locator("#result_list .status", has_text="Active")
    draft = page.locator("#result_list .status", has_text="Draft")
    colour = "el => getComputedStyle(el).backgroundColor + ' ' + getComputedStyle(el).color"
    assert active.evaluate(colour) != draft.evaluate(colour)
    assert "rgba(0, 0, 0, 0)" not in active.evaluate("el => getComputedStyle(el).backgroundColor")
    both_widths(page, "promotion_statuses")

    # The near-expiry view, soonest first.
    page.goto(f"{base}{reverse('admin:catalog_stockbatch_changelist')}?expiry=near")
    rows = page.locator("#result_list tbody tr").all_inner_texts()
    assert [next(n for n in ("CMT-SOON", "CMT-MID", "CMT-LATE") if n in row) for row in rows] == ["CMT-SOON", "CMT-MID", "CMT-LATE"]
    both_widths(page, "near_expiry")

    # The promotion editor: only the chosen benefit's fields, a preview in words, saving nothing.
    page.goto(f"{base}{reverse('admin:promotions_promotion_add')}")
    page.locator("#id_name").fill("Regulars' ten")
    page.get_by_label("Percentage off").check()
    assert page.locator("#id_percent").is_visible() and not page.locator("#id_buy_quantity").is_visible()
    page.locator("#id_percent").fill("10")
    page.locator("#id_discount_class").select_option("order")
    with page.expect_navigation():
        page.get_by_role("button", name="Preview in words").click()
    preview = page.locator("#promotion-preview")
    assert preview.get_by_text("10 % off the order.").is_visible()
    assert page.locator("#id_name").input_value() == "Regulars' ten"  # still as entered
    both_widths(page, "promotion_preview")

    # A refusal sits on its field: a buy-x-get-y is a product discount.
    page.get_by_label("Buy X get Y").check()
    page.locator("#id_buy_quantity").fill("2")
    page.locator("#id_get_quantity").fill("1")
    with page.expect_navigation():
        page.get_by_role("button", name="Preview in words").click()
    field_error = page.locator(".field-discount_class .errorlist")
    assert field_error.get_by_text("A buy x get y promotion is a product discount.").is_visible()
    assert not page.locator("#promotion-preview").count()
    both_widths(page, "promotion_field_error")
    assert list(Promotion.objects.values_list("name", flat=True).order_by("name")) == ["Cheese week", "Draft idea"]

    # A segment's members and a coupon batch's codes.
    page.goto(f"{base}{reverse('admin:promotions_segment_change', args=[regulars.pk])}")
    for name in ("ada", "bruno"):
        assert page.locator("#content-main").get_by_text(name, exact=False).first.is_visible()
    both_widths(page, "segment_members")
    page.goto(f"{base}{reverse('admin:promotions_couponbatch_change', args=[batch.pk])}")
    for code in codes:
        assert page.get_by_text(code, exact=True).is_visible()
    both_widths(page, "coupon_batch_codes")
