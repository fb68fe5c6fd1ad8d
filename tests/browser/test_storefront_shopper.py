"""The shopper's points of issue 15, each proved through the pages in Chromium at desktop (1366 x 900)
and phone (390 x 844) size: product pictures, honest prices, a cart that explains itself, the
merchandised home, recently viewed products, add to cart from a card, notify me, internal details
hidden, and a phone header of one row. Screenshots go to test-artifacts/ (git-ignored).

One browser for the module; each test builds its small shop through the services (the live server
needs a transactional database, flushed after every test) and opens a fresh context per size.
Pictures are written by the storage under a temporary MEDIA_ROOT and served to the browser from it
(``serve_media``): Django serves /media/ only with DEBUG on; in production the web server does.
"""

import mimetypes
import re
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from commerce.catalog.models import StockAlert
from commerce.catalog.services import category_update, product_update
from promotions import services as promotion_services
from tests.browser.pages import ARTIFACTS, shot
from tests.catalog.factories import add_picture
from tests.factories import ProductFactory, category, customer_with_address
from tests.orders.factories import paid_order, stocked_product
from tests.promotions.factories import CouponFactory, PromotionFactory, SegmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
MINUS = "\N{MINUS SIGN}"


@pytest.fixture(scope="module")
def chromium(module_browser):
    ARTIFACTS.mkdir(exist_ok=True)
    return module_browser


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def serve_media(route) -> None:
    """Answer /media/<name> from the storage the pictures were written to, as the web server would."""
    name = route.request.url.split("/media/", 1)[1].split("?", 1)[0]
    if not default_storage.exists(name):
        route.fulfill(status=404)
        return
    with default_storage.open(name) as file:
        route.fulfill(status=200, body=file.read(), content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")


@contextmanager
def opened(chromium, live_server, size: str, *, as_user=None, javascript: bool = True):
    """A fresh page (own cookies: own cart and session) at ``size``; logged in as ``as_user`` if given."""
    context = chromium.new_context(viewport=SIZES[size], base_url=live_server.url, java_script_enabled=javascript)
    context.route("**/media/**", serve_media)
    if as_user is not None:
        client = Client()
        client.force_login(as_user)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def said(locator) -> str:
    """A locator's text as one line (the visually hidden words included: what a screen reader says)."""
    return re.sub(r"\s+", " ", locator.inner_text()).strip()


def messages(page) -> list[str]:
    return [text.strip() for text in page.locator("ul.messages li").all_inner_texts()]


def card(scope, name: str):
    """The product card titled ``name`` in ``scope`` (a page or a part of it)."""
    page = getattr(scope, "page", scope)  # a locator's ``has`` is written from the page
    return scope.locator("li.card").filter(has=page.locator(".card-title", has_text=re.compile(f"^{re.escape(name)}$"))).first


def picture_loaded(page, img) -> dict:
    """The picture scrolled into view (it is lazy), waited for, and what the browser made of it."""
    img.scroll_into_view_if_needed()
    img.evaluate(
        "img => img.complete && img.naturalWidth > 0 ? null : new Promise(done => img.addEventListener('load', done, {once: true}))"
    )
    return img.evaluate("""img => ({src: img.currentSrc, srcset: img.srcset, loading: img.loading, alt: img.alt,
                                    naturalWidth: img.naturalWidth, sizes: img.sizes})""")


# --- product pictures -----------------------------------------------------------------------------


def test_cards_and_the_product_page_show_responsive_lazy_described_pictures_that_load(live_server, chromium, media):
    mugs = category("Mugs")
    mug = stocked_product(name="Red Mug", category=mugs)
    add_picture(mug, width=1200, height=900, alt_text="A red mug on a table")
    add_picture(mug, width=800, height=800, alt_text="The red mug from above", colour=(30, 90, 160))
    for size in SIZES:
        with opened(chromium, live_server, size) as page:
            page.goto(reverse("catalog:category", args=[mugs.slug]))
            on_card = picture_loaded(page, card(page, "Red Mug").locator("img"))
            assert on_card["naturalWidth"] > 0 and "/media/products/" in on_card["src"], on_card
            assert on_card["loading"] == "lazy" and on_card["alt"] == "A red mug on a table"
            assert [part.rsplit(" ", 1)[1] for part in on_card["srcset"].split(", ")] == ["160w", "320w", "640w", "1024w"]
            shot(page, f"shopper_pictures_card_{size}")

            page.goto(mug.get_absolute_url())
            slides = page.locator(".gallery-slide img")
            assert slides.count() == 2
            first, second = picture_loaded(page, slides.nth(0)), picture_loaded(page, slides.nth(1))
            # the first picture is the page's largest content: fetched at once, the next one lazily
            assert (first["loading"], second["loading"]) == ("eager", "lazy")
            assert (first["alt"], second["alt"]) == ("A red mug on a table", "The red mug from above")
            assert first["naturalWidth"] > 0 and second["naturalWidth"] > 0 and first["srcset"] and second["srcset"]
            shot(page, f"shopper_pictures_product_{size}")


# --- honest prices ----------------------------------------------------------------------------------


def test_prices_show_what_the_shopper_pays_struck_regular_price_or_the_offers_condition(live_server, chromium):
    tea, pots = category("Tea"), category("Teapots")
    sencha = stocked_product(name="Sencha", price="8.50", category=tea)
    teapot = stocked_product(name="Teapot", price="40.00", category=pots)
    PromotionFactory(name="Teapot week", discount_class="product", percent=Decimal("10"), targets=[teapot], badge="-10%")
    PromotionFactory(name="Tea 3 for 2", buy_x_get_y=True, categories=[tea], badge="3 for 2")
    for size in SIZES:
        with opened(chromium, live_server, size) as page:
            page.goto(reverse("catalog:category", args=[pots.slug]))
            price = card(page, "Teapot").locator(".card-price")
            # as a screen reader says it (the words are visually hidden): the price paid, the regular one struck
            assert said(price) == "Now 36.00 EUR was 40.00 EUR"
            assert price.locator("s.price-was").count() == 1
            page.goto(teapot.get_absolute_url())
            assert said(page.locator("#product-price")) == "Now 36.00 EUR"
            assert said(page.locator(".price-box s.price-was")) == "was 40.00 EUR"
            shot(page, f"shopper_prices_unconditional_{size}")

            page.goto(reverse("catalog:category", args=[tea.slug]))
            tea_card = card(page, "Sencha")
            assert tea_card.locator(".card-price").inner_text().strip() == "8.50 EUR"  # nothing off one tea
            assert tea_card.locator("s.price-was").count() == 0
            assert tea_card.locator(".promo-badge").inner_text() == "3 for 2"
            page.goto(sencha.get_absolute_url())
            assert page.locator("#product-price").inner_text() == "8.50 EUR"
            assert page.get_by_role("list", name="Offers on this product").inner_text().strip() == "3 for 2"
            shot(page, f"shopper_prices_conditional_{size}")


# --- the cart explains itself -------------------------------------------------------------------------


def set_quantity(page, name: str, quantity: int) -> None:
    line = page.locator("li.cart-line").filter(has_text=name)
    line.get_by_label(f"Quantity of {name}").fill(str(quantity))
    line.get_by_role("button", name="Update").click()
    page.wait_for_url("**/cart/")


def test_the_cart_caps_removes_and_says_what_changed_about_its_offers_and_codes(live_server, chromium):
    cheese = stocked_product(name="Blue Cheese", quantity=9, price="6.00")
    members = SegmentFactory(name="Members")
    CouponFactory(code="MEMBERS5", promotion=PromotionFactory(name="Members only", requires_coupon=True, segments=[members]))
    for size in SIZES:
        with opened(chromium, live_server, size) as page:
            page.goto(cheese.get_absolute_url())
            page.get_by_role("button", name="Add to cart", exact=True).click()
            page.wait_for_url("**/cart/")

            # 5,000 with 9 in stock: capped, said, and the badge and total stay in their boxes
            set_quantity(page, "Blue Cheese", 5000)
            assert messages(page) == ["Only 9 × Blue Cheese are available: the quantity is 9, not 5000."]
            assert page.get_by_label("Quantity of Blue Cheese").input_value() == "9"
            assert said(page.locator("#cart-count")) == "9 items"
            line = page.locator("li.cart-line").filter(has_text="Blue Cheese")
            total, box = line.locator(".cart-line-total").bounding_box(), line.bounding_box()
            assert box["x"] <= total["x"] and total["x"] + total["width"] <= box["x"] + box["width"]
            shot(page, f"shopper_cart_capped_{size}")

            # a guest's customers-only code: told to log in or sign up
            page.get_by_label("Coupon code").fill("members5")
            page.get_by_role("button", name="Apply", exact=True).click()
            page.wait_for_load_state()
            assert said(page.locator(".coupon-form .field-error")) == (
                "The code MEMBERS5 is for customers with an account: log in or sign up to use it."
            )
            coupon_form = page.locator(".coupon-form")
            assert coupon_form.get_by_role("link", name="Log in").get_attribute("href") == "/accounts/login/?next=/cart/"
            assert coupon_form.get_by_role("link", name="sign up").get_attribute("href") == "/accounts/signup/?next=/cart/"
            shot(page, f"shopper_cart_customers_only_code_{size}")

            # an offer the shopper saw stops applying (another gives more): said once
            ten = PromotionFactory(name=f"Ten off ({size})", percent=Decimal("10"), combines_with=[])
            page.goto(reverse("orders:cart"))
            assert messages(page) == []
            twenty = PromotionFactory(name=f"Twenty off ({size})", percent=Decimal("20"), combines_with=[])
            page.reload()
            assert messages(page) == [f"Ten off ({size}) no longer applies: cannot be combined with Twenty off ({size})."]
            assert f"Twenty off ({size})" in page.locator("dl.totals").inner_text()
            shot(page, f"shopper_cart_offer_stopped_{size}")
            page.reload()
            assert messages(page) == []

            # 0 removes the line
            set_quantity(page, "Blue Cheese", 0)
            assert messages(page) == ["The item was removed from your cart."]
            assert page.get_by_role("heading", name="Your cart is empty").is_visible()
            assert page.locator("#cart-count").count() == 0
            for promotion in (ten, twenty):
                promotion_services.promotion_deactivate(promotion=promotion)


# --- the merchandised home, recently viewed, add from a card, notify me ---------------------------------


def test_the_home_shows_featured_categories_and_products_offers_and_new_arrivals(live_server, chromium):
    dairy = category("Dairy")
    category_update(category=dairy, data={"is_featured": True})
    category("Back Room")
    old = stocked_product(name="Old Faithful")
    star = stocked_product(name="Star Cheese", category=dairy)
    product_update(product=star, data={"is_featured": True})
    fresh = stocked_product(name="Fresh Arrival", price="20.00")
    PromotionFactory(name="Spring sale", discount_class="product", targets=[fresh], badge="-10%")
    for size in SIZES:
        with opened(chromium, live_server, size) as page:
            page.goto("/")
            categories = page.get_by_role("region", name="Shop by category")
            assert categories.get_by_role("link").all_inner_texts() == ["Dairy"]
            featured = page.get_by_role("region", name="Featured")
            assert featured.get_by_role("heading", level=2).all_inner_texts()[1:] == ["Star Cheese"]
            offers = page.get_by_role("region", name="On offer now")
            assert said(offers.locator(".offer-list")) == "-10% Spring sale"
            assert said(card(offers, "Fresh Arrival").locator(".card-price")) == "Now 18.00 EUR was 20.00 EUR"
            new = page.get_by_role("region", name="New in")
            names = new.locator(".card-title").all_inner_texts()
            assert names.index("Fresh Arrival") < names.index("Star Cheese") < names.index("Old Faithful")
            assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
            shot(page, f"shopper_home_{size}")
            categories.get_by_role("link", name="Dairy").click()
            page.wait_for_url(f"**{reverse('catalog:category', args=[dairy.slug])}")
            assert page.locator(".card-title").all_inner_texts() == ["Star Cheese"]
    assert old.is_featured is False


def test_the_home_lists_what_the_shopper_viewed_lately(live_server, chromium):
    beans, grinder, kettle = (stocked_product(name=name) for name in ("Espresso Beans", "Hand Grinder", "Gooseneck Kettle"))
    for size in SIZES:
        with opened(chromium, live_server, size) as page:
            page.goto("/")
            assert page.locator("#rec-home_recently_viewed").count() == 0  # nothing viewed yet
            for product in (beans, grinder):
                page.goto(product.get_absolute_url())
            page.goto("/")
            shelf = page.get_by_role("region", name="Recently viewed")
            assert shelf.locator(".card-title").all_inner_texts() == ["Hand Grinder", "Espresso Beans"]
            assert "Gooseneck Kettle" not in shelf.inner_text()
            shelf.scroll_into_view_if_needed()
            shot(page, f"shopper_recently_viewed_{size}")
            shelf.get_by_role("link", name=re.compile("Espresso Beans")).click()
            page.wait_for_url(f"**{beans.get_absolute_url()}")
    assert kettle.pk


def test_a_card_adds_to_the_cart_and_an_out_of_stock_card_offers_notify_me(live_server, chromium):
    tea = category("Tea")
    stocked_product(name="Sencha", category=tea, price="8.50")
    gone = ProductFactory(name="Gyokuro", category=tea)  # never stocked
    listing = reverse("catalog:category", args=[tea.slug])
    for number, size in enumerate(SIZES):
        with opened(chromium, live_server, size) as page:
            page.goto(listing)
            card(page, "Sencha").get_by_role("button", name=re.compile(r"^Add to cart\W+Sencha$")).click()
            page.wait_for_url(f"**{listing}")  # back on the list, with the cart's word
            assert any("Sencha" in message for message in messages(page)), messages(page)
            assert said(page.locator("#cart-count")) == "1 item"
            out = card(page, "Gyokuro")
            assert out.get_by_role("button", name=re.compile("Add to cart")).count() == 0
            assert said(out.locator(".stock")) == "Out of stock"
            shot(page, f"shopper_card_added_{size}")

            out.get_by_role("link", name="Notify me when Gyokuro is back").click()
            page.wait_for_url(f"**{gone.get_absolute_url()}#notify")
            notify = page.get_by_role("region", name="Notify me when it is back")
            notify.get_by_label("Your e-mail address").fill(f"ann{number}@example.com")
            notify.get_by_role("button", name="Notify me").click()
            page.wait_for_url(f"**{gone.get_absolute_url()}")
            assert messages(page) == [
                f"Check your mailbox: confirm ann{number}@example.com and we will mail you when Gyokuro is back."
            ]
            shot(page, f"shopper_notify_me_{size}")
    alerts = StockAlert.objects.filter(product=gone).order_by("email").values_list("email", "status")
    assert list(alerts) == [("ann0@example.com", "pending"), ("ann1@example.com", "pending")]


# --- internal details ------------------------------------------------------------------------------


def test_shoppers_see_neither_batches_nor_exact_stock_counts(live_server, chromium):
    plenty = stocked_product(name="Rice", quantity=126)
    scarce = stocked_product(name="Saffron", quantity=3)
    customer, address = customer_with_address(first_name="Ada")
    order = paid_order([(plenty, 2)], customer=customer, address=address)
    batch_numbers = list(plenty.batches.values_list("batch_number", flat=True))
    assert batch_numbers
    for size in SIZES:
        with opened(chromium, live_server, size, as_user=customer) as page:
            page.goto(reverse("orders:order_detail", args=[order.number]))
            assert page.get_by_role("heading", level=1).inner_text().strip().endswith(order.number)
            text = page.locator("main").inner_text()
            assert "Rice" in text and not any(number in text for number in batch_numbers)
            assert "batch" not in text.lower()
            shot(page, f"shopper_order_no_batches_{size}")

            page.goto(plenty.get_absolute_url())
            availability = said(page.locator(".availability"))
            assert availability == "In stock" and "124" not in page.locator("main").inner_text()
            page.goto(scarce.get_absolute_url())
            assert said(page.locator(".availability")) == "Only 3 left"
            shot(page, f"shopper_only_n_left_{size}")


# --- the phone header -------------------------------------------------------------------------------


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_the_header_is_one_row_on_a_phone_with_its_menus_working_without_javascript(live_server, chromium):
    for name in (
        "Fresh Fruit and Vegetables",
        "Bakery and Patisserie",
        "Dairy Eggs and Cheese",
        "Household Cleaning",
        "Baby and Toddler",
        "Frozen Food",
        "Drinks and Spirits",
    ):
        stocked_product(name=f"Best of {name}", category=category(name))
    for size in SIZES:
        with opened(chromium, live_server, size, javascript=False) as page:
            page.goto("/")
            row = box(page, ".header-row")
            parts = [
                box(page, selector)
                for selector in (".brand", ".search", ".account-nav", ".cart-link")
                if page.locator(selector).first.is_visible()
            ]
            # everything in the row sits on one line: each part's middle inside the row, the row one line high
            assert all(row["y"] <= part["y"] + part["height"] / 2 <= row["y"] + row["height"] for part in parts)
            assert row["height"] <= {"desktop": 72, "phone": 60}[size], row
            header = box(page, ".site-header")
            first_card = box(page, "li.card")
            assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
            # the categories scroll sideways: the last one is reached, not cut off
            bar = page.locator(".category-bar ul")
            last = page.locator(".category-bar li").last
            overflows = bar.evaluate("ul => ul.scrollWidth > ul.clientWidth")
            assert overflows or size == "desktop"  # seven long names do not fit 390 px
            if overflows:
                assert bar.evaluate("ul => getComputedStyle(ul).overflowX") == "auto"
                last.scroll_into_view_if_needed()
            last_box = last.bounding_box()
            assert 0 <= last_box["x"] and last_box["x"] + last_box["width"] <= SIZES[size]["width"]
            shot(page, f"shopper_header_{size}")

            if size == "desktop":
                assert len(parts) == 4  # brand, search, account links, cart: all in the row
                assert page.get_by_role("link", name="Log in").is_visible()
                assert not page.locator(".header-toggle").first.is_visible()
                continue
            # three rows before (header 200 px, first card at y 257), one now (104 px, 161)
            assert len(parts) == 2 and header["height"] <= 110 and first_card["y"] < 200
            assert page.get_by_role("link", name="Search", exact=True).is_visible()
            # the search toggle opens the form under the row; a search from there
            page.get_by_role("link", name="Search", exact=True).click()
            assert page.get_by_role("searchbox", name="Search products").is_visible()
            shot(page, "shopper_header_search_open_phone")
            page.get_by_role("searchbox", name="Search products").fill("bakery")
            page.get_by_role("button", name="Search", exact=True).click()
            page.wait_for_url("**/?q=bakery")
            assert page.locator(".card-title").first.inner_text() == "Best of Bakery and Patisserie"
            assert not page.get_by_role("searchbox", name="Search products").is_visible()
            # the account toggle opens the account links, its close link hides them again
            page.get_by_role("link", name="Log in or sign up").click()
            menu = page.get_by_role("navigation", name="Account")
            assert menu.get_by_role("link", name="Log in").is_visible() and menu.get_by_role("link", name="Sign up").is_visible()
            shot(page, "shopper_header_account_open_phone")
            menu.get_by_role("link", name="Close the account menu").click()
            assert not menu.get_by_role("link", name="Log in").is_visible()
            page.get_by_role("link", name="Log in or sign up").click()
            menu.get_by_role("link", name="Log in").click()
            page.wait_for_url("**/accounts/login/")
