"""Checkout through the test client: the review, card and cash payments, declines, double submits, bad input."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from commerce.audit.models import DomainEvent, JourneyStep
from commerce.catalog.inventory import available_quantities
from commerce.catalog.services import product_update
from orders.models import Cart, CartLine, Order, Payment, SandboxCharge
from tests.factories import AddressFactory, StaffFactory, messages_of
from tests.orders.factories import CARD_EXP_YEAR, checkout_form_data, filled_cart, hidden_input, placed_order, stocked_product

pytestmark = pytest.mark.django_db

CHECKOUT = reverse("orders:checkout")
CART = reverse("orders:cart")
GOOD = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
PROCESSING_ERROR = "4000000000000119"
LOST = "4000-0000-0000-0259"


def no_card_echoed(html: str) -> bool:
    """The card number and CVC inputs carry no value: what was typed is never rendered back."""
    inputs = re.findall(r'<input[^>]*name="(?:card_number|cvc)"[^>]*>', html)
    return len(inputs) == 2 and not any("value=" in tag for tag in inputs)


@pytest.fixture
def goods(shopper):
    """Two products in the shopper's cart: 2 x 12.00 and 1 x 7.50 = 31.50, plus 4.90 shipping."""
    mug, tea = stocked_product(price="12.00", quantity=10, name="Stone Mug"), stocked_product(price="7.50", quantity=10, name="Green Tea")
    filled_cart(shopper.customer, [(mug, 2), (tea, 1)])
    return mug, tea


def open_cart_lines(customer) -> list[tuple[int, int]]:
    cart = Cart.objects.get(customer=customer, status=Cart.Status.OPEN)
    return list(CartLine.objects.filter(cart=cart).order_by("product_id").values_list("product_id", "quantity"))


# --- the page ------------------------------------------------------------------------------------------------
def test_checkout_page_shows_addresses_payment_review_and_the_hidden_guards(shopper, goods):
    response = shopper.get(CHECKOUT)

    html = response.content.decode()
    assert response.status_code == 200
    assert "1 Rue" in html and "Lyon" in html
    assert 'value="card"' in html and 'value="cod"' in html
    assert "Stone Mug" in html and "Green Tea" in html
    assert "36.40 EUR" in html  # 31.50 + 4.90 shipping
    assert hidden_input(html, "expected_total") == "36.40"
    assert len(hidden_input(html, "idempotency_key")) >= 24
    assert "4242 4242 4242 4242" in html  # the sandbox hint
    event = JourneyStep.objects.get(action="start_checkout")
    assert event.customer_id == shopper.customer.pk


def test_checkout_mints_a_new_key_for_every_rendering(shopper, goods):
    first, second = (hidden_input(shopper.get(CHECKOUT).content.decode(), "idempotency_key") for _ in range(2))
    assert first != second


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(shopper):
    response = shopper.get(CHECKOUT)
    assert response.url == CART
    assert "Your cart is empty." in messages_of(response)


def test_checkout_with_flagged_lines_goes_back_to_the_cart(shopper, goods):
    product_update(product=goods[0], data={"price_amount": Decimal("13.00")})
    response = shopper.get(CHECKOUT)
    assert response.url == CART
    assert not JourneyStep.objects.filter(action="start_checkout").exists()


def test_checkout_without_addresses_links_to_the_address_book(client):
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    filled_cart(customer, [(stocked_product(), 1)])
    client.force_login(customer)
    html = client.get(CHECKOUT).content.decode()
    assert "You have no delivery address yet." in html
    assert reverse("accounts:address_add") in html


def test_checkout_refuses_an_account_that_cannot_place_orders(client):
    staff = StaffFactory()
    filled_cart(staff, [(stocked_product(), 1)])
    client.force_login(staff)

    response = client.get(CHECKOUT)
    posted = client.post(CHECKOUT, {"payment_method": "cod"})

    assert response.status_code == posted.status_code == 403
    assert "This account cannot place orders" in response.content.decode()
    assert Order.objects.count() == 0


# --- placing orders -------------------------------------------------------------------------------------------
def test_checkout_by_card_places_and_pays_the_order(shopper, goods):
    mug, tea = goods
    data = checkout_form_data(shopper)

    response = shopper.post(CHECKOUT, data)

    order = Order.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("orders:order_confirmation", args=[order.number])
    assert (order.status, order.payment_status, order.total_amount) == ("paid", "paid", Decimal("36.40"))
    assert order.customer == shopper.customer and order.shipping_address["city"] == "Lyon"
    assert SandboxCharge.objects.get().idempotency_key == data["idempotency_key"]
    assert Payment.objects.get().card_last4 == "4242"
    assert not Cart.objects.filter(customer=shopper.customer, status=Cart.Status.OPEN).exists()
    assert available_quantities([mug.pk, tea.pk]) == {mug.pk: 8, tea.pk: 9}
    complete = JourneyStep.objects.get(action="complete_order")
    assert complete.payload == {"order": order.number} and complete.customer_id == shopper.customer.pk

    page = shopper.get(response.url).content.decode()
    assert order.number in page and "Your payment of <strong>36.40 EUR</strong> was received." in page


def test_checkout_cash_on_delivery_confirms_without_a_card(shopper, goods):
    response = shopper.post(CHECKOUT, checkout_form_data(shopper, payment_method="cod", card_number="", exp_month="", exp_year="", cvc=""))

    order = Order.objects.get()
    assert response.url == reverse("orders:order_confirmation", args=[order.number])
    assert (order.status, order.payment_method) == ("confirmed", "cod")
    assert not SandboxCharge.objects.exists()
    page = shopper.get(response.url).content.decode()
    assert "in cash to the driver" in page


def test_checkout_double_submit_places_one_order_and_charges_once(shopper, goods):
    data = checkout_form_data(shopper)

    first = shopper.post(CHECKOUT, data)
    second = shopper.post(CHECKOUT, data)

    order = Order.objects.get()
    assert first.url == second.url == reverse("orders:order_confirmation", args=[order.number])
    assert SandboxCharge.objects.count() == 1 and Payment.objects.count() == 1
    assert DomainEvent.objects.filter(event_type="orders.order.created").count() == 1
    assert JourneyStep.objects.filter(action="complete_order").count() == 1


def test_checkout_declined_card_shows_the_error_and_keeps_the_cart(shopper, goods):
    mug, tea = goods
    data = checkout_form_data(shopper, card_number=DECLINED)

    response = shopper.post(CHECKOUT, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Your card was not charged: The card was declined." in html
    assert no_card_echoed(html)
    assert hidden_input(html, "idempotency_key") != data["idempotency_key"]  # a fresh key for the next attempt
    assert open_cart_lines(shopper.customer) == sorted([(mug.pk, 2), (tea.pk, 1)])
    assert available_quantities([mug.pk, tea.pk]) == {mug.pk: 10, tea.pk: 10}  # nothing held
    attempt = Order.objects.get()
    assert (attempt.status, attempt.cancel_reason) == ("voided", "payment declined")  # the API's outcome too
    history = shopper.get(reverse("orders:order_list")).content.decode()
    assert attempt.number not in history  # a declined checkout is no order of the shopper's
    assert Payment.objects.get().status == Payment.Status.DECLINED
    assert not SandboxCharge.objects.exists()
    assert not JourneyStep.objects.filter(action="complete_order").exists()

    # The same form again (a reload): the first answer, nothing new.
    again = shopper.post(CHECKOUT, data)
    assert "The card was declined." in again.content.decode()
    assert Order.objects.count() == 1 and Payment.objects.count() == 1

    # A good card on the fresh form: the order goes through.
    retry = shopper.post(CHECKOUT, checkout_form_data(shopper))
    assert retry.status_code == 302
    assert Order.objects.filter(status="paid").count() == 1


def test_checkout_gateway_error_charges_nothing_and_keeps_the_cart(shopper, goods):
    response = shopper.post(CHECKOUT, checkout_form_data(shopper, card_number=PROCESSING_ERROR))

    assert "nothing was charged" in response.content.decode()
    assert len(open_cart_lines(shopper.customer)) == 2
    assert (Order.objects.get().status, Order.objects.get().cancel_reason) == ("voided", "payment failed")
    assert not SandboxCharge.objects.exists()


def test_checkout_lost_gateway_answer_leaves_the_order_pending_and_says_so(shopper, goods):
    response = shopper.post(CHECKOUT, checkout_form_data(shopper, card_number=LOST))

    order = Order.objects.get()
    assert response.url == reverse("orders:order_confirmation", args=[order.number])
    assert order.status == "pending" and Payment.objects.get().status == Payment.Status.PENDING
    page = shopper.get(response.url).content.decode()
    assert "We are confirming your card payment" in page


def test_checkout_price_change_after_review_goes_back_to_the_cart(shopper, goods):
    data = checkout_form_data(shopper)
    product_update(product=goods[0], data={"price_amount": Decimal("15.00")})

    response = shopper.post(CHECKOUT, data)

    assert response.url == CART
    assert "Some items changed since you added them; please review your cart." in messages_of(response)
    assert Order.objects.count() == 0
    assert Cart.objects.get(customer=shopper.customer).status == Cart.Status.OPEN


def test_checkout_tampered_total_is_refused(shopper, goods):
    response = shopper.post(CHECKOUT, checkout_form_data(shopper, expected_total="0.01"))

    assert response.url == CART
    assert any("The total is 36.40 EUR, not 0.01" in m for m in messages_of(response))
    assert Order.objects.count() == 0


def test_checkout_out_of_stock_names_the_products_and_goes_back_to_the_cart(shopper, goods):
    mug, _ = goods
    data = checkout_form_data(shopper)
    placed_order([(mug, 9)])  # another shopper takes all but one mug meanwhile

    response = shopper.post(CHECKOUT, data)

    assert response.url == CART
    assert "Not enough stock: Stone Mug (only 1 left)." in messages_of(response)
    assert Order.objects.filter(customer=shopper.customer).count() == 0
    assert len(open_cart_lines(shopper.customer)) == 2


# --- bad input -------------------------------------------------------------------------------------------------
def test_checkout_someone_elses_address_is_refused(shopper, goods):
    theirs = AddressFactory()
    response = shopper.post(CHECKOUT, checkout_form_data(shopper, address=str(theirs.pk)))

    assert response.status_code == 200
    assert "Choose one of your addresses." in response.content.decode()
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"address": ""}, "Choose a delivery address."),
        ({"address": "abc"}, "Choose one of your addresses."),
        ({"payment_method": ""}, "Choose how to pay."),
        ({"payment_method": "bitcoin"}, "Select a valid choice."),
        ({"card_number": ""}, "Enter the card number."),
        ({"card_number": "4242 4242 4242 4241"}, "This is not a valid card number."),
        ({"card_number": "abcd"}, "This is not a valid card number."),
        # Unicode digits: superscripts ('¹'.isdigit() is true, int('¹') fails) and Arabic-Indic ones that
        # int() reads as 4242...: never a card number, never sent to the gateway nor stored as card_last4.
        ({"card_number": "\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u00b9\u00b2\u00b3\u2074\u2075\u2076"},
         "This is not a valid card number."),
        ({"card_number": "\u0664\u0662" * 8}, "This is not a valid card number."),
        ({"card_number": "\uff14\uff12" * 8}, "This is not a valid card number."),
        ({"exp_month": "13"}, "Select a valid choice."),
        ({"exp_month": "", "exp_year": ""}, "Choose the month."),
        ({"exp_month": "1", "exp_year": str(CARD_EXP_YEAR - 10)}, "Select a valid choice."),  # a past year is not offered
        ({"cvc": "12"}, "Enter the 3 or 4 digits on the back of the card."),
        ({"cvc": "abc"}, "Enter the 3 or 4 digits on the back of the card."),
        ({"cvc": "\u0661\u0662\u0663"}, "Enter the 3 or 4 digits on the back of the card."),
        ({"cvc": "\u00b9\u00b2\u00b3"}, "Enter the 3 or 4 digits on the back of the card."),
        ({"expected_total": "lots"}, "Please correct the errors below."),
        ({"idempotency_key": ""}, "Please correct the errors below."),
        ({"idempotency_key": "k" * 101}, "Please correct the errors below."),
    ],
)
def test_checkout_bad_input_shows_the_error_and_changes_nothing(shopper, goods, overrides, message):
    data = checkout_form_data(shopper, **overrides)

    response = shopper.post(CHECKOUT, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert Order.objects.count() == 0 and not SandboxCharge.objects.exists()
    assert Cart.objects.get(customer=shopper.customer).status == Cart.Status.OPEN
    assert no_card_echoed(html)


@pytest.fixture
def today(request, frozen_clock):
    """The clock pinned to a day (10:00 UTC), before the shopper logs in and fills the cart."""
    frozen_clock(datetime.datetime.combine(request.param, datetime.time(10), tzinfo=datetime.UTC))
    return request.param


@pytest.mark.parametrize(
    "today, expired, message",
    [
        # last month of this year: a year the form offers, so the expiry check itself refuses it
        (datetime.date(2031, 6, 15), (5, 2031), "This card has expired."),
        # in January last month is last December: a year the form no longer offers
        (datetime.date(2031, 1, 15), (12, 2030), "Select a valid choice."),
    ],
    indirect=["today"],
)
def test_checkout_expired_card_is_refused_in_every_month(today, shopper, goods, expired, message):
    month, year = expired

    response = shopper.post(CHECKOUT, checkout_form_data(shopper, exp_month=str(month), exp_year=str(year)))

    assert message in response.content.decode()
    assert Order.objects.count() == 0


@pytest.mark.parametrize("today", [datetime.date(2031, 1, 15)], indirect=True)
def test_checkout_card_expiring_this_month_is_accepted_in_january(today, shopper, goods):
    response = shopper.post(CHECKOUT, checkout_form_data(shopper, exp_month="1", exp_year="2031"))

    assert response.status_code == 302, response.content.decode()
    assert Order.objects.get().status == Order.Status.PAID


def test_checkout_reused_key_with_other_choices_is_refused(shopper, goods):
    data = checkout_form_data(shopper, payment_method="cod")
    shopper.post(CHECKOUT, data)
    filled_cart(shopper.customer, [(goods[1], 1)])

    response = shopper.post(CHECKOUT, {**data, "payment_method": "card", "expected_total": "12.40"})

    assert "This form was already sent with other choices." in response.content.decode()
    assert Order.objects.count() == 1
