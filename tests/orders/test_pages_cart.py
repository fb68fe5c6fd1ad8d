"""The cart page through the test client: anonymous and customer carts, every form, bad input, merge on log-in."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse

from commerce.audit.models import DomainEvent, JourneyStep
from commerce.catalog.services import product_update
from orders.context_processors import cart as cart_context
from orders.models import Cart, CartLine
from orders.signals_auth import CART_SESSION_KEY
from tests.factories import PASSWORD, CustomerFactory, messages_of
from tests.orders.factories import filled_cart, stock_drops, stocked_product

pytestmark = pytest.mark.django_db

CART = reverse("orders:cart")
ADD = reverse("orders:cart_add")
APPLY = reverse("orders:cart_coupon_apply")
REMOVE_COUPON = reverse("orders:cart_coupon_remove")
ACCEPT = reverse("orders:cart_accept_changes")


def lines_of(cart) -> list[tuple[int, int]]:
    return list(CartLine.objects.filter(cart=cart).order_by("id").values_list("product_id", "quantity"))


@pytest.fixture
def shopper(client, customer):
    client.force_login(customer)
    return client


# --- adding -------------------------------------------------------------------------------------------
def test_cart_add_anonymous_creates_a_session_cart_and_shows_it(client):
    product = stocked_product(price="12.50", name="Blue Mug")

    response = client.post(ADD, {"product_id": product.pk, "quantity": "2"})

    assert response.status_code == 302 and response.url == CART
    cart = Cart.objects.get()
    assert cart.customer is None and cart.session_key == client.session[CART_SESSION_KEY]
    assert cart.session_key != client.session.session_key  # the cookie's key never names the cart
    assert lines_of(cart) == [(product.pk, 2)]
    page = client.get(CART)
    html = page.content.decode()
    assert "Blue Mug" in html and "25.00 EUR" in html
    assert '<span class="cart-count" id="cart-count">2<' in html
    assert "Check out as a guest" in html  # or log in (ORDERS_GUEST_CHECKOUT)
    added = JourneyStep.objects.get(action="add_to_cart")
    viewed = JourneyStep.objects.get(action="view_cart")
    assert (added.product_id, added.payload, added.customer_id) == (product.pk, {"quantity": 2}, None)
    assert added.session_id == viewed.session_id != ""
    assert not DomainEvent.objects.filter(session_id=client.session.session_key).exists()
    assert not DomainEvent.objects.filter(payload__session_id=client.session.session_key).exists()
    assert not JourneyStep.objects.filter(session_id=client.session.session_key).exists()
    assert viewed.payload["lines"] == 1


def test_cart_add_customer_uses_the_persistent_cart_and_sums_a_repeated_product(shopper, customer):
    product = stocked_product()

    shopper.post(ADD, {"product_id": product.pk, "quantity": "1"})
    response = shopper.post(ADD, {"product_id": product.pk, "quantity": "3", "next": product.get_absolute_url()})

    assert response.url == product.get_absolute_url()
    cart = Cart.objects.get(customer=customer, status=Cart.Status.OPEN)
    assert lines_of(cart) == [(product.pk, 4)]
    assert any("Added 3 × " in m for m in messages_of(response))
    assert JourneyStep.objects.filter(action="add_to_cart", customer_id=customer.pk).count() == 2


def test_cart_add_ignores_a_foreign_next(shopper):
    product = stocked_product()
    response = shopper.post(ADD, {"product_id": product.pk, "quantity": "1", "next": "https://evil.example.com/"})
    assert response.url == CART


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("0", "Must be at least 1."), ("-2", "Must be at least 1."), ("10001", "Must be at most 10000."),
     ("99999999999999999999", "Must be at most 10000."), ("abc", "Enter a whole number."), ("", "Enter a quantity."),
     ("1.5", "Enter a whole number.")],
)
def test_cart_add_bad_quantity_changes_nothing(shopper, quantity, message):
    product = stocked_product()

    response = shopper.post(ADD, {"product_id": product.pk, "quantity": quantity})

    assert response.status_code == 302
    assert CartLine.objects.count() == 0
    assert any(message in m for m in messages_of(response))
    assert not JourneyStep.objects.filter(action="add_to_cart").exists()
    assert not DomainEvent.objects.filter(event_type="orders.cart.item_added").exists()


@pytest.mark.parametrize("product_id", ["999999", "x", "", "-1"])
def test_cart_add_unknown_product_changes_nothing(shopper, product_id):
    response = shopper.post(ADD, {"product_id": product_id, "quantity": "1"})

    assert response.status_code == 302 and response.url == CART
    assert CartLine.objects.count() == 0
    assert any(m.startswith("Nothing was added to your cart.") for m in messages_of(response))


def test_cart_add_inactive_product_is_refused(shopper):
    product = stocked_product(name="Old Mug", is_active=False)
    response = shopper.post(ADD, {"product_id": product.pk, "quantity": "1"})
    assert CartLine.objects.count() == 0
    assert any("Old Mug is not for sale." in m for m in messages_of(response))


def test_cart_add_needs_post(client):
    assert client.get(ADD).status_code == 405


def test_cart_forms_need_a_csrf_token(customer):
    product = stocked_product()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(customer)

    assert strict.post(ADD, {"product_id": product.pk, "quantity": "1"}).status_code == 403
    assert strict.post(reverse("orders:checkout"), {}).status_code == 403
    assert CartLine.objects.count() == 0
    page = strict.get(product.get_absolute_url()).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page and f'action="{ADD}"' in page


# --- changing quantities and removing --------------------------------------------------------------------
def test_cart_update_changes_the_quantity(shopper, customer):
    product = stocked_product()
    cart = filled_cart(customer, [(product, 1)])
    line = CartLine.objects.get(cart=cart)

    response = shopper.post(reverse("orders:cart_update", args=[line.pk]), {"quantity": "5"})

    assert response.status_code == 302 and response.url == CART
    assert lines_of(cart) == [(product.pk, 5)]


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("-1", "Must be at least 0."), ("10001", "Must be at most 10000."), ("lots", "Enter a whole number.")],
)
def test_cart_update_bad_quantity_shows_the_error_on_the_line_and_changes_nothing(shopper, customer, quantity, message):
    product = stocked_product()
    cart = filled_cart(customer, [(product, 2)])
    line = CartLine.objects.get(cart=cart)

    response = shopper.post(reverse("orders:cart_update", args=[line.pk]), {"quantity": quantity})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert lines_of(cart) == [(product.pk, 2)]


def test_cart_update_and_remove_of_someone_elses_line_change_nothing(shopper, customer):
    other = CustomerFactory()
    product = stocked_product()
    filled_cart(customer, [(product, 1)])
    theirs = filled_cart(other, [(product, 3)])
    their_line = CartLine.objects.get(cart=theirs)

    updated = shopper.post(reverse("orders:cart_update", args=[their_line.pk]), {"quantity": "7"})
    removed = shopper.post(reverse("orders:cart_remove", args=[their_line.pk]))

    assert lines_of(theirs) == [(product.pk, 3)]
    assert updated.status_code == removed.status_code == 302
    assert "That item is not in your cart." in messages_of(updated)
    assert "That item is not in your cart." in messages_of(removed)


def test_cart_update_of_an_anonymous_shopper_cannot_touch_a_customers_line(client, customer):
    product = stocked_product()
    theirs = filled_cart(customer, [(product, 3)])
    line = CartLine.objects.get(cart=theirs)
    client.post(ADD, {"product_id": stocked_product().pk, "quantity": "1"})

    client.post(reverse("orders:cart_update", args=[line.pk]), {"quantity": "1"})
    client.post(reverse("orders:cart_remove", args=[line.pk]))

    assert lines_of(theirs) == [(product.pk, 3)]


def test_cart_remove_takes_the_line_out_and_records_the_step(shopper, customer):
    keep, drop = stocked_product(), stocked_product()
    cart = filled_cart(customer, [(keep, 1), (drop, 2)])
    line = CartLine.objects.get(cart=cart, product=drop)

    response = shopper.post(reverse("orders:cart_remove", args=[line.pk]))

    assert response.url == CART
    assert lines_of(cart) == [(keep.pk, 1)]
    event = JourneyStep.objects.get(action="remove_from_cart")
    assert (event.product_id, event.customer_id) == (drop.pk, customer.pk)


# --- coupons -------------------------------------------------------------------------------------------
def test_cart_coupon_unknown_code_is_shown_on_the_form_and_changes_nothing(shopper, customer):
    cart = filled_cart(customer, [(stocked_product(), 1)])

    response = shopper.post(APPLY, {"code": " save10 "})

    assert response.status_code == 200
    assert "The code SAVE10 is not known." in response.content.decode()
    cart.refresh_from_db()
    assert cart.coupon_codes == []
    event = JourneyStep.objects.get(action="apply_coupon")
    assert event.payload == {"code": "SAVE10", "accepted": False}
    assert not DomainEvent.objects.filter(event_type="orders.cart.coupon_applied").exists()


@pytest.mark.parametrize(("code", "message"), [("", "This field is required."), ("X" * 41, "at most 40 characters")])
def test_cart_coupon_bad_input_is_shown_on_the_form(shopper, customer, code, message):
    filled_cart(customer, [(stocked_product(), 1)])
    response = shopper.post(APPLY, {"code": code})
    assert response.status_code == 200 and message in response.content.decode()
    assert not JourneyStep.objects.filter(action="apply_coupon").exists()


def test_cart_coupon_on_an_empty_cart_asks_for_items_first(client):
    response = client.post(APPLY, {"code": "HELLO"})
    assert response.url == CART
    assert "Add something to your cart before entering a code." in messages_of(response)
    assert Cart.objects.count() == 0


def test_cart_coupon_remove_of_a_code_not_in_the_cart_changes_nothing(shopper, customer):
    cart = filled_cart(customer, [(stocked_product(), 1)])
    response = shopper.post(REMOVE_COUPON, {"code": "NOPE"})
    assert response.url == CART
    assert not DomainEvent.objects.filter(event_type="orders.cart.coupon_removed", stream_id=str(cart.pk)).exists()


# --- flags on lines ----------------------------------------------------------------------------------------
def test_cart_price_change_is_flagged_until_the_shopper_accepts_it(shopper, customer):
    product = stocked_product(price="10.00", name="Teapot")
    cart = filled_cart(customer, [(product, 2)])
    product_update(product=product, data={"price_amount": Decimal("12.00")})

    page = shopper.get(CART).content.decode()
    assert "Price changed from <s>10.00 EUR</s> to <strong>12.00 EUR</strong>" in page
    assert "Accept new prices" in page
    assert '<button type="button" class="btn btn-primary btn-block" disabled>Checkout</button>' in page

    response = shopper.post(ACCEPT)

    assert response.url == CART
    assert CartLine.objects.get(cart=cart).seen_unit_price == Decimal("12.00")
    page = shopper.get(CART).content.decode()
    assert "Price changed" not in page and "24.00 EUR" in page
    assert f'href="{reverse("orders:checkout")}">Checkout</a>' in page


def test_cart_flags_short_stock_out_of_stock_and_products_no_longer_sold(shopper, customer):
    short = stocked_product(quantity=3, name="Short Stock Kettle")
    gone = stocked_product(quantity=1, name="Gone Grinder")
    retired = stocked_product(quantity=5, name="Retired Press")
    filled_cart(customer, [(short, 3), (gone, 1), (retired, 1)])
    stock_drops(short, to=2)
    stock_drops(gone, to=0)
    product_update(product=retired, data={"is_active": False})

    page = shopper.get(CART).content.decode()

    assert "Only 2 left." in page and "Take 2" in page
    assert "Out of stock: please remove it to check out." in page
    assert "No longer for sale: please remove it to check out." in page
    assert "Sort out the flagged items first." in page


def test_cart_empty_page_invites_to_shop(client):
    response = client.get(CART)
    assert response.status_code == 200
    assert "Your cart is empty" in response.content.decode()
    assert Cart.objects.count() == 0  # looking at an empty cart creates none


def test_cart_page_queries_do_not_grow_with_the_number_of_lines(shopper, customer, django_assert_max_num_queries):
    # session, user, cart, lines, products with stock, journey event (3), header count, categories
    ceiling = 11
    products = [stocked_product() for _ in range(10)]
    cart = filled_cart(customer, [(products[0], 1)])
    shopper.get(CART)  # warm the promotions rules cache: the first pricing compiles them (1 query)

    with django_assert_max_num_queries(ceiling) as one:
        assert shopper.get(CART).status_code == 200
    filled_cart(customer, [(product, 2) for product in products[1:]])
    assert CartLine.objects.filter(cart=cart).count() == 10
    shopper.get(CART)  # the "goes well with your cart" shelf of the new contents: computed once, then cached
    with django_assert_max_num_queries(ceiling) as ten:
        response = shopper.get(CART)

    assert response.content.decode().count('<li class="cart-line') == 10
    assert len(ten.captured_queries) == len(one.captured_queries)


# --- the header's count ------------------------------------------------------------------------------------
def test_cart_count_costs_no_query_for_admin_api_or_a_session_without_cart(customer, django_assert_num_queries):
    factory = RequestFactory()
    for path in ("/admin/orders/", "/api/v1/cart/"):
        request = factory.get(path)
        request.user = customer
        assert cart_context(request) == {}
    request = factory.get("/")
    request.user, request.session = AnonymousUser(), {}
    with django_assert_num_queries(0):
        assert cart_context(request)["cart_item_count"]() == 0


def test_cart_count_is_one_query_for_a_customer(customer, django_assert_num_queries):
    filled_cart(customer, [(stocked_product(), 2), (stocked_product(), 3)])
    request = RequestFactory().get("/")
    request.user = customer
    count = cart_context(request)["cart_item_count"]
    with django_assert_num_queries(1):
        assert count() == 5
        assert count() == 5  # computed once per page


# --- log-in merges the session cart ----------------------------------------------------------------------
def test_login_merges_the_session_cart_into_the_customers_cart(client, customer):
    mug, tea = stocked_product(name="Mug"), stocked_product(name="Tea")
    mine = filled_cart(customer, [(mug, 1), (tea, 1)])
    client.post(ADD, {"product_id": mug.pk, "quantity": "2"})
    guest = Cart.objects.get(customer__isnull=True)
    old_key = client.session.session_key

    response = client.post(reverse("accounts:login") + f"?next={reverse('orders:checkout')}",
                           {"username": customer.username, "password": PASSWORD, "next": reverse("orders:checkout")})

    assert response.status_code == 302 and response.url == reverse("orders:checkout")
    assert client.session.session_key != old_key  # Django rotated the key; the cart still followed
    assert lines_of(mine) == [(mug.pk, 3), (tea.pk, 1)]
    guest.refresh_from_db()
    assert guest.status == Cart.Status.MERGED
    assert CART_SESSION_KEY not in client.session
    assert "The items you added before logging in are in your cart." in messages_of(response)
    assert DomainEvent.objects.filter(event_type="orders.cart.merged", stream_id=str(mine.pk)).count() == 1


def test_login_merge_respects_stock_and_says_so(client, customer):
    scarce = stocked_product(quantity=3, name="Rare Tea")
    mine = filled_cart(customer, [(scarce, 2)])
    client.post(ADD, {"product_id": scarce.pk, "quantity": "2"})

    response = client.post(reverse("accounts:login"), {"username": customer.username, "password": PASSWORD})

    assert lines_of(mine) == [(scarce.pk, 3)]
    assert any("Rare Tea: 3 of 4" in m for m in messages_of(response))


def test_login_without_a_guest_cart_changes_nothing(client, customer):
    mine = filled_cart(customer, [(stocked_product(), 1)])
    client.force_login(customer)
    assert Cart.objects.count() == 1 and len(lines_of(mine)) == 1
    assert not DomainEvent.objects.filter(event_type="orders.cart.merged").exists()


def test_anonymous_checkout_goes_to_log_in_and_comes_back(client, settings):
    settings.ORDERS_GUEST_CHECKOUT = False  # guest checkout switched off (tests/orders/test_guest_checkout.py has it on)
    client.post(ADD, {"product_id": stocked_product().pk, "quantity": "1"})
    assert "Log in to check out" in client.get(CART).content.decode()
    response = client.get(reverse("orders:checkout"))
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={reverse('orders:checkout')}"
