"""Guest checkout and claims on MariaDB: real threads, each with its own connection."""

from collections import Counter

import pytest

from commerce.audit.models import DomainEvent
from orders.errors import RequestInProgress
from orders.guests import Guest
from orders.idempotency import run_idempotent
from orders.models import IdempotencyRecord, Order, OrderSummary
from orders.services import cart as cart_services
from orders.services.checkout import checkout_place_and_pay
from orders.services.guests import guest_order_find, guest_orders_claim
from tests.factories import CustomerFactory
from tests.integration.concurrency import assert_counters_sane, run_in_threads
from tests.orders.factories import GOOD_CARD, stocked_product

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ADDRESS = {"recipient": "Ann Guest", "street": "3 Rue Neuve", "zip_code": "69001", "city": "Lyon", "country": "FR"}


def _guest_cart(token: str, product, quantity=1):
    cart = cart_services.cart_get_or_create(session_key=token)
    cart_services.cart_add_item(cart=cart, product_id=product.pk, quantity=quantity)
    return cart


def test_a_guests_double_submit_places_one_order_and_charges_once():
    product = stocked_product(quantity=5)
    cart = _guest_cart("guest-token-1", product)
    guest = Guest(email="ann@example.com", token="guest-token-1")

    def submit():
        def place():
            order = checkout_place_and_pay(guest=guest, cart=cart, guest_address=dict(ADDRESS), payment_method="card",
                                           idempotency_key="same-form", card=GOOD_CARD)
            return 201, {"order": order.number}
        return run_idempotent(guest=guest.token, scope="web_checkout", key="same-form", payload={"a": 1}, run=place,
                              error_body=lambda e: {"code": str(e.code)})

    outcomes = run_in_threads([submit for _ in range(6)])

    answers = {value[1]["order"] for kind, value in outcomes if kind == "ok" and value[0] == 201}
    others = Counter(type(value).__name__ for kind, value in outcomes if kind == "error")
    assert len(answers) == 1 and set(others) <= {RequestInProgress.__name__}, outcomes
    assert Order.objects.count() == 1 and Order.objects.get().customer_id is None
    assert IdempotencyRecord.objects.get().guest == "guest-token-1"
    assert_counters_sane()


def test_two_guests_with_the_same_key_do_not_share_an_answer():
    product = stocked_product(quantity=5)
    carts = {token: _guest_cart(token, product) for token in ("guest-a", "guest-b")}

    def submit(token, email):
        guest = Guest(email=email, token=token)

        def place():
            order = checkout_place_and_pay(guest=guest, cart=carts[token], guest_address=dict(ADDRESS), payment_method="cod")
            return 201, {"order": order.number}
        return lambda: run_idempotent(guest=token, scope="web_checkout", key="1", payload={}, run=place, error_body=dict)

    outcomes = run_in_threads([submit("guest-a", "a@example.com"), submit("guest-b", "b@example.com")])

    numbers = [value[1]["order"] for kind, value in outcomes if kind == "ok"]
    assert len(set(numbers)) == 2, outcomes
    assert {o.guest_email for o in Order.objects.all()} == {"a@example.com", "b@example.com"}


def test_racing_claims_attach_each_order_once():
    product = stocked_product(quantity=10)
    for index in range(3):
        token = f"claim-{index}"
        checkout_place_and_pay(guest=Guest(email="ann@example.com", token=token), cart=_guest_cart(token, product),
                               guest_address=dict(ADDRESS), payment_method="cod")
    ann = CustomerFactory(email="Ann@Example.com")

    outcomes = run_in_threads([lambda: len(guest_orders_claim(customer=ann, email="ann@example.com")) for _ in range(4)])

    assert sorted(value for _, value in outcomes) == [0, 0, 0, 3], outcomes
    assert Order.objects.filter(customer=ann).count() == 3
    assert DomainEvent.objects.filter(event_type="orders.order.claimed").count() == 3
    assert OrderSummary.objects.filter(customer_id=ann.pk).count() == 3


def test_the_look_up_matches_case_and_spaces_as_sqlite_does():
    product = stocked_product(quantity=2)
    order = checkout_place_and_pay(guest=Guest(email="ann@example.com", token="case-1"), cart=_guest_cart("case-1", product),
                                   guest_address=dict(ADDRESS), payment_method="cod")
    assert guest_order_find(number=order.number, email=" ANN@example.COM ") == order
    # the column compares bytes: MariaDB's default collation would equate these, SQLite does not
    for lookalike in ("ann@exämple.com", "anne@example.com"):
        assert guest_order_find(number=order.number, email=lookalike) is None
    assert Order.objects.filter(guest_email="ANN@example.com").count() == 0
