"""Every storefront page and the back office's main pages in a real browser (Debian's Chromium):
axe-core (vendored, served as our own static file) finds no serious or critical violation; no page is
wider than the screen (a shopper's phone at 360 px; every back-office list at 1,366 px); a screenshot
of each page at desktop and phone width is kept in test-artifacts/ (git-ignored)."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from logistics import services as logistics_services
from orders.guests import Guest, order_link_token
from orders.services import cart as cart_services
from orders.services.checkout import checkout_place_and_pay
from orders.services.lifecycle import order_allocate, order_mark_ready, order_ship
from promotions import services as promotion_services
from tests.browser.pages import ARTIFACTS
from tests.factories import PASSWORD, StaffFactory, category, customer_with_address
from tests.orders.factories import GOOD_CARD, paid_order, stocked_product
from tests.recommendations.factories import review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 780}
AXE = "/static/vendor/axe-core/axe.min.js"
# axe's findings that a person would be stopped by; "moderate" and "minor" are advice.
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`);
}"""
# The page runs past the screen, or a list's table past its box (Django lets it scroll sideways there).
WIDER_THAN_SCREEN = """() => document.documentElement.scrollWidth > window.innerWidth
  || [...document.querySelectorAll("#changelist .results")].some(box => box.scrollWidth > box.clientWidth + 1)"""

# What runs past the screen's right edge: the innermost such elements, to say where to look.
OVERFLOWING = """() => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
          && ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 3).map(e => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." + String(e.className).split(" ").join(".") : ""}`
                      + ` ${Math.round(e.getBoundingClientRect().right)} px`).join(", ")"""


def shop():
    """A small shop with one of everything the pages show: categories, products with stock, a
    customer's order that has a delivery, a review, a promotion."""
    tea = category("Tea")
    sencha = stocked_product(quantity=20, price="8.50", name="Sencha Green Tea", category=tea)
    stocked_product(quantity=2, price="6.20", name="Assam Breakfast Tea", category=tea)
    # Names as long as real ones, so a list that fits here fits in the shop.
    long_tea = stocked_product(quantity=9, price="1234.50", category=tea,
                               name="Organic First Flush Darjeeling Single Estate Loose Leaf Tea, 250 g tin")
    customer, address = customer_with_address(first_name="Ada")
    customer.username = "ada"
    customer.save(update_fields=["username"])
    order = order_mark_ready(order=order_allocate(order=paid_order([(sencha, 2)], customer=customer, address=address)))
    wordy, wordy_address = customer_with_address(username="marie-christine.vandenberghe-dupont", email="marie-christine.vandenberghe-dupont@example.org")
    paid_order([(long_tea, 3)], customer=wordy, address=wordy_address)
    logistics_services.delivery_create_from_order(order_id=order.pk)
    review(sencha)
    promotion = promotion_services.promotion_create(
        name="Tea week", discount_class="product", benefit_type="percentage", percent=Decimal(10),
        target_categories=[tea], valid_to=None,
    )
    promotion_services.promotion_activate(promotion=promotion)
    StaffFactory(username="boss", is_superuser=True)
    return {"tea": tea, "sencha": sencha, "order": order, "promotion": promotion, "guest_order": shipped_guest_order(sencha)}


def shipped_guest_order(product):
    """A guest's order, paid and shipped: its page (opened by its signed link) shows the tracking link."""
    token = "a11y-guest-cart"
    cart_services.cart_add_item(cart=cart_services.cart_get_or_create(session_key=token), product_id=product.pk, quantity=1)
    order = checkout_place_and_pay(
        guest=Guest(email="ann.guest@example.com", token=token), payment_method="card", card=GOOD_CARD,
        guest_address={"recipient": "Ann Guest", "street": "3 Rue Neuve", "zip_code": "69001", "city": "Lyon", "state": "",
                       "country": "FR"},
    )
    order_ship(order=order_mark_ready(order=order_allocate(order=order)), carrier="Colissimo", tracking_number="6A12345678901")
    return order


def log_in(page, base, username, *, admin=False):
    page.goto(f"{base}{'/admin/login/' if admin else '/accounts/login/'}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def visit(page, base, name, path, *, width_checked: bool):
    """Open ``path`` at desktop and phone width: a screenshot of each, axe's findings, and whether the
    page is wider than the screen (where ``width_checked``: phone for the shop, desktop for lists)."""
    problems = []
    page.set_viewport_size(DESKTOP)
    response = page.goto(f"{base}{path}")
    assert response.status < 400, f"{name}: {response.status}"
    page.add_script_tag(url=f"{base}{AXE}")
    problems += [f"{name}: {finding}" for finding in page.evaluate(RUN_AXE)]
    # The same page, narrowed: the stylesheet's media queries lay it out again (no reload needed).
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(ARTIFACTS / f"a11y_{name}_{size}.png"), full_page=True)
        if width_checked == size and page.evaluate(WIDER_THAN_SCREEN):
            wide = page.evaluate("() => Math.max(document.documentElement.scrollWidth, "
                                 "...[...document.querySelectorAll('#changelist .results table')].map(t => t.scrollWidth))")
            problems.append(f"{name}: {wide} px wide at {viewport['width']} px ({page.evaluate(OVERFLOWING)})")
    return problems


@pytest.fixture
def made():
    ARTIFACTS.mkdir(exist_ok=True)
    return shop()


@pytest.fixture
def page(module_browser):
    context = module_browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_every_storefront_page_passes_axe_and_fits_a_phone(live_server, page, made):
    base, sencha, order, guest_order = live_server.url, made["sencha"], made["order"], made["guest_order"]
    problems = []
    # A guest: browsing, the cart, guest checkout, the look-up, signing in and up.
    guest_pages = {
        "home": "/", "category": reverse("catalog:category", args=[made["tea"].slug]),
        "product": sencha.get_absolute_url(), "search": "/?q=tea", "signup": reverse("accounts:signup"),
        "login": reverse("accounts:login"), "guest_lookup": reverse("orders:guest_lookup"),
        "guest_order": reverse("orders:guest_order", kwargs={"token": order_link_token(number=guest_order.number,
                                                                                       email=guest_order.guest_email)}),
    }
    for name, path in guest_pages.items():
        problems += visit(page, base, name, path, width_checked="phone")
    # The order's lines (a discount under a line's total) fit the phone without scrolling sideways.
    assert page.evaluate("() => [...document.querySelectorAll('.lines-table')].every("
                         "t => t.parentElement.scrollWidth <= t.parentElement.clientWidth)")

    # On a phone the filters wait in a drawer that their link opens and closes (no JavaScript).
    page.set_viewport_size(PHONE)
    page.goto(f"{base}{reverse('catalog:category', args=[made['tea'].slug])}")
    assert not page.locator("#filters").is_visible()
    page.get_by_role("link", name="Categories & filters").click()
    assert page.locator("#filters").is_visible() and page.get_by_role("button", name="Apply filters").is_visible()
    page.screenshot(path=str(ARTIFACTS / "a11y_filters_drawer_phone.png"))
    page.get_by_role("link", name="Close filters").click()
    assert not page.locator("#filters").is_visible()

    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}{sencha.get_absolute_url()}")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Add to cart", exact=True).click()
    page.wait_for_url("**/cart/")
    for name, path in {"cart": reverse("orders:cart"), "checkout_guest": reverse("orders:checkout")}.items():
        problems += visit(page, base, name, path, width_checked="phone")

    # On a phone the cart's total and its way on are on the first screen.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}{reverse('orders:cart')}")
    bar = page.locator(".sticky-checkout")
    assert bar.is_visible() and "20.20 EUR" in bar.inner_text()  # 2 x 8.50, 10 % off, 4.90 shipping
    box = bar.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box
    assert bar.get_by_role("link", name="Checkout").is_visible()

    # A customer: their checkout, orders and account.
    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    log_in(page, base, "ada")
    page.goto(f"{base}{sencha.get_absolute_url()}")
    page.get_by_role("button", name="Add to cart", exact=True).click()
    page.wait_for_url("**/cart/")
    customer_pages = {
        "checkout": reverse("orders:checkout"), "orders": reverse("orders:order_list"),
        "order": reverse("orders:order_detail", args=[order.number]),
        "confirmation": reverse("orders:order_confirmation", args=[order.number]), "profile": reverse("accounts:profile"),
        "addresses": reverse("accounts:address_list"), "address_add": reverse("accounts:address_add"),
        "my_coupons": reverse("promotions:my_coupons"), "my_reviews": reverse("recommendations:my_reviews"),
    }
    for name, path in customer_pages.items():
        problems += visit(page, base, name, path, width_checked="phone")
    assert problems == [], "\n".join(problems)


def test_the_back_office_main_pages_pass_axe_and_their_lists_fit_1366_px(live_server, page, made):
    base, order = live_server.url, made["order"]
    log_in(page, base, "boss", admin=True)
    admin_pages = {
        "admin_home": reverse("admin:index"),
        "admin_orders": reverse("admin:orders_order_changelist"),
        "admin_order": reverse("admin:orders_order_change", args=[order.pk]),
        "admin_products": reverse("admin:catalog_product_changelist"),
        "admin_promotions": reverse("admin:promotions_promotion_changelist"),
        "admin_promotion": reverse("admin:promotions_promotion_change", args=[made["promotion"].pk]),
        "admin_promotion_add": reverse("admin:promotions_promotion_add"),
        "admin_deliveries": reverse("admin:logistics_delivery_changelist"),
        "admin_reviews": reverse("admin:recommendations_review_changelist"),
    }
    problems = []
    for name, path in admin_pages.items():
        problems += visit(page, base, name, path, width_checked="desktop")
    assert problems == [], "\n".join(problems)



def test_the_promotion_screen_shows_the_chosen_benefits_fields_without_javascript(live_server, module_browser, made):
    context = module_browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "boss", admin=True)
    page.goto(f"{live_server.url}{reverse('admin:promotions_promotion_add')}")
    assert not page.get_by_label("Percent", exact=True).is_visible()
    page.get_by_label("Buy X get Y").check()
    assert page.get_by_label("Buy quantity").is_visible() and not page.get_by_label("Bundle quantity").is_visible()
    page.get_by_label("Fixed bundle price").check()
    assert page.get_by_label("Bundle quantity").is_visible() and not page.get_by_label("Buy quantity").is_visible()
    page.get_by_label("Quantity tiers (volume discount)").check()
    assert page.locator("#tiers-group").is_visible()
    context.close()


def test_every_back_office_list_fits_1366_px(live_server, page, made):
    log_in(page, live_server.url, "boss", admin=True)
    wide, seen = [], 0
    for model in admin.site._registry:
        try:
            path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        response = page.goto(f"{live_server.url}{path}")
        if response.status == 403:  # a list no one opens (changes only through another page)
            continue
        assert response.status == 200, path
        seen += 1
        if page.evaluate(WIDER_THAN_SCREEN):
            wide.append(path)
            page.screenshot(path=str(ARTIFACTS / f"wide_{model._meta.model_name}.png"))
    assert seen > 40 and wide == [], wide
