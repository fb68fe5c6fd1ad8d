"""Guest checkout: a shopper without an account checks out with an e-mail address, follows the order
by its signed link or the look-up, and claims it after signing up with that address (once proved)."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from commerce.accounts.services import customer_register
from commerce.audit.bus import paused
from commerce.audit.models import DomainEvent
from commerce.catalog.inventory import available_quantities
from commerce.mail.models import Mail
from orders.guests import Guest, claim_token, order_link_token
from orders.models import Cart, IdempotencyRecord, Order, OrderSummary
from orders.services.checkout import checkout_place_and_pay
from orders.services.guests import guest_order_find, guest_orders_claim
from orders.services.lifecycle import order_ship
from tests.factories import CustomerFactory, messages_of
from tests.orders.factories import hidden_input, stocked_product

pytestmark = pytest.mark.django_db

CHECKOUT = reverse("orders:checkout")
LOOKUP = reverse("orders:guest_lookup")
ADDRESS = {"recipient": "Ann Guest", "street": "3 Rue Neuve", "zip_code": "69001", "city": "Lyon", "state": "", "country": "fr"}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def guest_cart(client):
    """An anonymous shopper with 2 x 12.00 in their session cart."""
    mug = stocked_product(price="12.00", quantity=10, name="Stone Mug")
    client.post(reverse("orders:cart_add"), {"product_id": mug.pk, "quantity": 2})
    return mug


def guest_form(client, **overrides) -> dict:
    html = client.get(CHECKOUT).content.decode()
    data = {"email": "Ann.Guest@Example.COM ", **ADDRESS, "payment_method": "card", "card_number": "4242 4242 4242 4242",
            "exp_month": "12", "exp_year": str(2030), "cvc": "123",
            "idempotency_key": hidden_input(html, "idempotency_key"), "expected_total": hidden_input(html, "expected_total")}
    data.update(overrides)
    return data


def _service_guest(email="ann@example.com", token="t" * 32):
    return Guest(email=email, token=token)


def _guest_order(product, *, email="ann@example.com", token=None, quantity=1, **kwargs) -> Order:
    from orders.services import cart as cart_services

    token = token or f"tok{product.pk}{quantity}{email}"[:60]
    cart = cart_services.cart_get_or_create(session_key=token)
    cart_services.cart_add_item(cart=cart, product_id=product.pk, quantity=quantity)
    return checkout_place_and_pay(guest=Guest(email=email, token=token), guest_address=dict(ADDRESS), payment_method="cod",
                                  **kwargs)


# --- the page flow ----------------------------------------------------------------------------------------
def test_guest_checkout_page_asks_for_email_and_address_not_a_log_in(client, guest_cart):
    cart = client.get(reverse("orders:cart")).content.decode()
    assert 'id="guest-checkout"' in cart

    response = client.get(CHECKOUT)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="email"' in html and 'name="recipient"' in html and 'name="address"' not in html
    assert hidden_input(html, "expected_total") == "28.90"  # 24.00 + 4.90 shipping


def test_guest_places_an_order_gets_its_page_and_the_confirmation_mail(client, guest_cart, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHECKOUT, guest_form(client))

    order = Order.objects.get()
    assert order.customer_id is None and order.guest_email == "ann.guest@example.com"
    assert order.shipping_address["recipient"] == "Ann Guest" and order.shipping_address["country"] == "FR"
    assert order.status == Order.Status.PAID
    assert response.status_code == 302 and response.url.startswith(reverse("orders:guest_order", kwargs={"token": "x"})[:-2])
    page = client.get(response.url)
    assert page.status_code == 200 and 'id="guest-placed"' in page.content.decode() and order.number in page.content.decode()
    assert available_quantities([guest_cart.pk])[guest_cart.pk] == 8  # stock taken as for a customer
    assert Cart.objects.get(session_key__gt="", status=Cart.Status.CHECKED_OUT)
    created = DomainEvent.objects.get(event_type="orders.order.created")
    assert created.payload["customer_id"] is None
    assert OrderSummary.objects.get(order_id=order.pk).customer_id is None
    # The confirmation goes to the guest's address, its link opens the guest's page.
    confirmation = Mail.objects.get(key=f"orders.order.confirmed:{order.number}")
    assert confirmation.to == "ann.guest@example.com"
    sent = [m for m in mail.outbox if order.number in m.subject]
    assert sent and sent[0].to == ["ann.guest@example.com"]
    link = re.search(r"https?://\S+/orders/guest/\S+/", sent[0].body).group(0)
    assert client.get(link[link.index("/orders/"):]).status_code == 200
    assert "Hello Ann Guest" in sent[0].body


def test_guest_double_submit_places_one_order(client, guest_cart):
    data = guest_form(client)
    first, second = client.post(CHECKOUT, data), client.post(CHECKOUT, data)
    assert Order.objects.count() == 1
    number = Order.objects.get().number
    assert number in client.get(first.url).content.decode() and number in client.get(second.url).content.decode()
    record = IdempotencyRecord.objects.get()
    assert record.user_id is None and record.guest


def test_guest_checkout_bad_input_shows_the_form_and_changes_nothing(client, guest_cart):
    response = client.post(CHECKOUT, guest_form(client, email="not-an-address", street="", country="France"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid e-mail address." in html and "two-letter country code" in html
    assert not Order.objects.exists()


def test_guest_declined_card_voids_and_puts_the_items_back_in_the_session_cart(client, guest_cart):
    response = client.post(CHECKOUT, guest_form(client, card_number="4000 0000 0000 0002"))
    assert response.status_code == 200 and "Your card was not charged" in response.content.decode()
    assert Order.objects.get().status == Order.Status.VOIDED
    open_cart = Cart.objects.get(status=Cart.Status.OPEN, customer__isnull=True)
    assert [(line.product_id, line.quantity) for line in open_cart.lines.all()] == [(guest_cart.pk, 2)]
    assert available_quantities([guest_cart.pk])[guest_cart.pk] == 10


def test_guest_checkout_switched_off_sends_to_the_log_in(client, guest_cart, settings):
    settings.ORDERS_GUEST_CHECKOUT = False
    response = client.get(CHECKOUT)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


# --- promotions as for a guest's cart ----------------------------------------------------------------------
def test_a_customers_only_code_is_refused_to_a_guest_with_the_sign_in_message(client, guest_cart):
    from tests.promotions.factories import CouponFactory

    coupon = CouponFactory(assigned_to=CustomerFactory())
    response = client.post(reverse("orders:cart_coupon_apply"), {"code": coupon.code})
    assert "log in or sign up" in response.content.decode()


# --- the service --------------------------------------------------------------------------------------------
def test_guest_order_service_refuses_an_invalid_address_or_email_and_changes_nothing():
    from orders.errors import AddressInvalid, GuestEmailInvalid

    tea = stocked_product(price="5.00", quantity=5)
    with pytest.raises(AddressInvalid):
        from orders.services import cart as cart_services

        cart_services.cart_add_item(cart=cart_services.cart_get_or_create(session_key="s1"), product_id=tea.pk, quantity=1)
        checkout_place_and_pay(guest=Guest(email="ann@example.com", token="s1"), guest_address={**ADDRESS, "zip_code": ""},
                               payment_method="cod")
    with pytest.raises(GuestEmailInvalid):
        checkout_place_and_pay(guest=Guest(email="ann@", token="s1"), guest_address=dict(ADDRESS), payment_method="cod")
    assert not Order.objects.exists()
    assert available_quantities([tea.pk])[tea.pk] == 5


# --- look-up and the signed link -----------------------------------------------------------------------------
def test_lookup_finds_the_order_by_number_and_email_in_any_case(client):
    order = _guest_order(stocked_product(), email="ann@example.com")
    response = client.post(LOOKUP, {"number": order.number.lower(), "email": " ANN@Example.com"})
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200


def test_lookup_answers_the_same_for_a_wrong_email_and_an_unknown_number(client, django_assert_num_queries):
    order = _guest_order(stocked_product(), email="ann@example.com")
    wrong_email = client.post(LOOKUP, {"number": order.number, "email": "bob@example.com"})
    unknown = client.post(LOOKUP, {"number": "ZZZZZ-ZZZZZ", "email": "ann@example.com"})
    assert wrong_email.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"|value="[^"]*"', "", r.content.decode())  # noqa: E731
    assert strip(wrong_email) == strip(unknown)
    assert "could not find an order" in wrong_email.content.decode()
    with django_assert_num_queries(1):
        assert guest_order_find(number=order.number, email="bob@example.com") is None
    with django_assert_num_queries(1):
        assert guest_order_find(number="ZZZZZ-ZZZZZ", email="ann@example.com") is None


def test_lookup_is_throttled_per_client(client, settings):
    settings.ORDERS_GUEST_LOOKUPS_PER_HOUR = 3
    order = _guest_order(stocked_product(), email="ann@example.com")
    for _ in range(3):
        client.post(LOOKUP, {"number": "ZZZZZ-ZZZZZ", "email": "ann@example.com"})
    refused = client.post(LOOKUP, {"number": order.number, "email": "ann@example.com"})
    assert refused.status_code == 429 and "Too many" in refused.content.decode()


def test_a_forged_or_other_orders_link_is_a_404(client):
    mine = _guest_order(stocked_product(), email="ann@example.com")
    theirs = _guest_order(stocked_product(), email="bob@example.com")
    assert client.get(reverse("orders:guest_order", kwargs={"token": "forged"})).status_code == 404
    # a genuine link with the wrong address for that order
    wrong = order_link_token(number=theirs.number, email="ann@example.com")
    assert client.get(reverse("orders:guest_order", kwargs={"token": wrong})).status_code == 404
    page = client.get(reverse("orders:guest_order", kwargs={"token": order_link_token(number=mine.number, email="ann@example.com")}))
    assert mine.number in page.content.decode() and theirs.number not in page.content.decode()


def test_a_guest_cannot_read_a_customers_order(client):
    from tests.orders.factories import customer_with_address, placed_order

    customer, address = customer_with_address()
    order = placed_order([(stocked_product(), 1)], customer=customer, address=address)
    assert client.get(order.get_absolute_url()).status_code == 302  # the log-in
    email = customer.email or "x@example.com"
    assert client.post(LOOKUP, {"number": order.number, "email": email}).status_code == 200  # not found: not a guest order
    token = order_link_token(number=order.number, email=email)
    assert client.get(reverse("orders:guest_order", kwargs={"token": token})).status_code == 404


# --- the order mails go to the guest ---------------------------------------------------------------------
def test_the_shipped_mail_goes_to_the_guest_with_the_tracking_link(django_capture_on_commit_callbacks):
    from orders.services.lifecycle import order_allocate, order_mark_ready

    with paused():
        order = _guest_order(stocked_product(), email="ann@example.com")
        order_allocate(order=order)
        order_mark_ready(order=order)
    with django_capture_on_commit_callbacks(execute=True):
        order_ship(order=order, carrier="DHL", tracking_number="JD0001")
    shipped = Mail.objects.get(key=f"orders.order.shipped:{order.number}")
    assert shipped.to == "ann@example.com"
    assert "dhl.com" in shipped.body_html and "/orders/guest/" in shipped.body_text


# --- claiming after sign-up ------------------------------------------------------------------------------
def test_sign_up_with_the_address_mails_a_claim_link_and_attaches_nothing_by_itself(client, django_capture_on_commit_callbacks):
    first = _guest_order(stocked_product(), email="ann@example.com")
    second = _guest_order(stocked_product(), email="ann@example.com")
    other = _guest_order(stocked_product(), email="bob@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        user = customer_register(username="ann", password="a-long-Passw0rd!", email="Ann@Example.com")

    assert Order.objects.filter(customer=user).count() == 0  # an unproved claim attaches nothing
    claim = Mail.objects.get(key=f"orders.guest_claim:{user.pk}:ann@example.com")
    assert claim.to.lower() == "ann@example.com"
    url = re.search(r"https?://\S+/orders/claim/\S+/", claim.body_text).group(0)
    path = url[url.index("/orders/"):]

    client.force_login(user)
    assert "2 orders were placed" in client.get(path).content.decode()
    response = client.post(path)

    assert response.url == reverse("orders:order_list")
    assert "2 orders added" in messages_of(response)[0]
    assert set(Order.objects.filter(customer=user).values_list("number", flat=True)) == {first.number, second.number}
    assert Order.objects.get(pk=other.pk).customer_id is None
    claimed = DomainEvent.objects.filter(event_type="orders.order.claimed")
    assert claimed.count() == 2 and {e.payload["customer_id"] for e in claimed} == {user.pk}
    assert set(OrderSummary.objects.filter(customer_id=user.pk).values_list("number", flat=True)) == {first.number, second.number}
    history = client.get(reverse("orders:order_list")).content.decode()
    assert first.number in history and other.number not in history
    assert client.get(first.get_absolute_url()).status_code == 200


def test_a_claim_link_works_only_for_its_account_and_its_current_address(client):
    order = _guest_order(stocked_product(), email="ann@example.com")
    ann = CustomerFactory(email="ann@example.com")
    mallory = CustomerFactory(email="ann@example.com ")  # claims the same address, but has no link of her own
    client.force_login(mallory)
    token = claim_token(customer_id=ann.pk, email="ann@example.com")
    assert client.post(reverse("orders:guest_claim", kwargs={"token": token})).status_code == 404
    # an account whose address changed since the link was mailed
    from orders.errors import ClaimNotAllowed

    ann.email = "new@example.com"
    ann.save()
    with pytest.raises(ClaimNotAllowed):
        guest_orders_claim(customer=ann, email="ann@example.com")
    assert Order.objects.get(pk=order.pk).customer_id is None


def test_claiming_twice_attaches_each_order_once():
    _guest_order(stocked_product(), email="ann@example.com")
    ann = CustomerFactory(email="ann@example.com")
    assert len(guest_orders_claim(customer=ann, email="ann@example.com")) == 1
    assert guest_orders_claim(customer=ann, email="ann@example.com") == []
    assert DomainEvent.objects.filter(event_type="orders.order.claimed").count() == 1


def test_the_read_model_rebuild_keeps_the_claim():
    from orders.read_model import rebuild

    order = _guest_order(stocked_product(), email="ann@example.com")
    ann = CustomerFactory(email="ann@example.com")
    guest_orders_claim(customer=ann, email="ann@example.com")
    rebuild()
    assert OrderSummary.objects.get(order_id=order.pk).customer_id == ann.pk


def test_guest_checkout_totals_match_the_cart():
    order = _guest_order(stocked_product(price="12.00"), quantity=2)
    assert order.subtotal_amount == Decimal("24.00") and order.total_amount == Decimal("28.90")


# --- a guest cancels as a customer may ------------------------------------------------------------------------
def test_a_guest_cancels_their_order_from_its_page_before_it_is_prepared(client):
    from orders.services.lifecycle import order_allocate

    product = stocked_product(quantity=5)
    order = _guest_order(product, email="ann@example.com")
    token = order_link_token(number=order.number, email="ann@example.com")
    page = client.get(reverse("orders:guest_order", kwargs={"token": token})).content.decode()
    assert 'id="guest-cancel"' in page
    assert client.get(reverse("orders:guest_order_cancel", kwargs={"token": token})).status_code == 200

    response = client.post(reverse("orders:guest_order_cancel", kwargs={"token": token}), {"reason": "ordered twice"})

    assert response.url == reverse("orders:guest_order", kwargs={"token": token})
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert available_quantities([product.pk])[product.pk] == 5
    # an order being prepared is refused, as for a customer; a forged link is a 404
    prepared = _guest_order(product, email="ann@example.com")
    order_allocate(order=prepared)
    other = order_link_token(number=prepared.number, email="ann@example.com")
    refused = client.post(reverse("orders:guest_order_cancel", kwargs={"token": other}), {"reason": ""})
    assert any("already being prepared" in text for text in messages_of(refused))
    assert Order.objects.get(pk=prepared.pk).status == Order.Status.ALLOCATED
    assert client.post(reverse("orders:guest_order_cancel", kwargs={"token": "forged"}), {}).status_code == 404


# --- claiming after a change of e-mail address -------------------------------------------------------------
def test_changing_the_email_to_one_with_guest_orders_mails_a_claim_link_there_and_attaches_nothing(
    client, django_capture_on_commit_callbacks,
):
    order = _guest_order(stocked_product(), email="ann@example.com")
    ann = CustomerFactory(email="old@example.com", first_name="Ann")
    client.force_login(ann)
    form = {"first_name": "Ann", "last_name": "", "email": "Ann@Example.com", "phone": ""}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:profile"), form)

    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).customer_id is None  # the new address is not proved yet
    claim = Mail.objects.get(key=f"orders.guest_claim:{ann.pk}:ann@example.com")
    assert claim.to.lower() == "ann@example.com"
    assert "now uses this e-mail address" in claim.body_text and "welcome" not in claim.body_text
    path = re.search(r"https?://\S+(/orders/claim/\S+/)", claim.body_text).group(1)
    response = client.post(path)
    assert response.url == reverse("orders:order_list")
    assert Order.objects.get(pk=order.pk).customer_id == ann.pk
    assert DomainEvent.objects.filter(event_type="orders.order.claimed", payload__customer_id=ann.pk).count() == 1


def test_changing_the_email_through_the_api_offers_the_claim_once_and_other_changes_offer_nothing(
    django_capture_on_commit_callbacks,
):
    from rest_framework.test import APIClient

    _guest_order(stocked_product(), email="ann@example.com")
    ann = CustomerFactory(email="old@example.com")
    api = APIClient()
    api.force_authenticate(ann)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.patch("/api/v1/me/", {"phone": "+33 6 00 00 00 00"}, format="json").status_code == 200
    assert not Mail.objects.filter(key__startswith="orders.guest_claim:").exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert api.patch("/api/v1/me/", {"email": "ann@example.com"}, format="json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert api.patch("/api/v1/me/", {"email": "old@example.com"}, format="json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert api.patch("/api/v1/me/", {"email": "ANN@example.com"}, format="json").status_code == 200
    # one mail to the address with orders however often the account comes back to it; none to the old one
    assert list(Mail.objects.filter(key__startswith="orders.guest_claim:").values_list("to", flat=True)) == ["ann@example.com"]


def test_a_claim_offer_for_an_address_changed_again_before_the_reaction_ran_mails_nobody():
    from commerce.accounts.services import profile_update
    from orders.services.guests import guest_claim_offer_on_email_change

    _guest_order(stocked_product(), email="ann@example.com")
    ann = CustomerFactory(email="old@example.com")
    with paused():
        profile_update(user=ann, email="ann@example.com")
        profile_update(user=ann, email="other@example.com")
    first = DomainEvent.objects.filter(event_type="accounts.customer.profile_updated").order_by("id").first()
    guest_claim_offer_on_email_change(first)
    assert not Mail.objects.filter(key__startswith="orders.guest_claim:").exists()
