"""A key outlives a crashed request: after its lease a repeat takes the key over and answers with
what the dead request made (its order, its payment), or runs again when it made nothing.

A worker killed mid-request is simulated in-process by a ``BaseException`` (like SystemExit from a
killed worker, it is not caught as an error): the record stays in progress, as it would. The
real SIGKILL of a server process is in ``tests/integration/test_idempotency_crash.py``.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import idempotency
from orders.gateways import SandboxCardGateway
from orders.models import IdempotencyRecord, Order, Payment, SandboxCharge
from tests.factories import CustomerFactory, token_client
from tests.orders.crashes import WorkerKilled, kill_once, lease_ends
from tests.orders.factories import (
    API_DECLINED_CARD,
    API_GOOD_CARD,
    checkout_body,
    checkout_form_data,
    customer_with_address,
    filled_cart,
    placed_order,
    stocked_product,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper():
    customer, address = customer_with_address()
    filled_cart(customer, [(stocked_product(quantity=5), 2)])
    return customer, address, token_client(customer)



@pytest.fixture(autouse=True)
def _trace_context_restored():
    """A simulated death (``WorkerKilled``, a BaseException) skips the tracing middleware's clean-up
    and leaves its request span current; a really dead process takes that along. Later tests must
    not run inside it."""
    from opentelemetry import context

    token = context.attach(context.get_current())
    yield
    context.detach(token)


def checkout(client, address, key="crash-1", card=API_GOOD_CARD):
    return client.post("/api/v1/checkout/", checkout_body(address, card=card), format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_key_is_leased_for_the_configured_time(settings):
    settings.ORDERS_IDEMPOTENCY_LEASE_SECONDS = 45
    before = timezone.now()

    idempotency.run_idempotent(user=CustomerFactory(), scope="t", key="k", payload={},
                               run=lambda: (200, {}), error_body=dict)

    record = IdempotencyRecord.objects.get()
    assert before + datetime.timedelta(seconds=45) <= record.lease_until <= timezone.now() + datetime.timedelta(seconds=45)


def test_a_repeat_within_the_lease_is_told_the_request_is_in_progress_and_runs_nothing():
    customer = CustomerFactory()
    runs = []
    with pytest.raises(WorkerKilled):
        idempotency.run_idempotent(user=customer, scope="t", key="k", payload={}, run=lambda: (_ for _ in ()).throw(WorkerKilled),
                                   error_body=dict)

    with pytest.raises(Exception) as busy:
        idempotency.run_idempotent(user=customer, scope="t", key="k", payload={}, run=lambda: runs.append(1) or (200, {}),
                                   error_body=dict)

    assert busy.value.code == "request_in_progress" and runs == []


def test_after_the_lease_a_repeat_of_a_request_that_made_nothing_runs_it():
    customer = CustomerFactory()
    with pytest.raises(WorkerKilled):
        idempotency.run_idempotent(user=customer, scope="t", key="k", payload={}, run=lambda: (_ for _ in ()).throw(WorkerKilled),
                                   error_body=dict)
    lease_ends()

    answer = idempotency.run_idempotent(user=customer, scope="t", key="k", payload={}, run=lambda: (201, {"ran": True}),
                                        error_body=dict)

    assert answer == (201, {"ran": True}, False)
    assert idempotency.run_idempotent(user=customer, scope="t", key="k", payload={}, run=lambda: (500, {}),
                                      error_body=dict) == (201, {"ran": True}, True)


def test_a_record_left_in_progress_before_leases_existed_is_taken_over():
    customer = CustomerFactory()
    IdempotencyRecord.objects.create(user=customer, scope="t", key="k", fingerprint=idempotency.fingerprint({}))

    answer = idempotency.run_idempotent(user=customer, scope="t", key="k", payload={}, run=lambda: (200, {"ok": 1}), error_body=dict)

    assert answer == (200, {"ok": 1}, False)


def test_a_checkout_killed_after_paying_answers_its_order_after_the_lease_charged_once(shopper, monkeypatch):
    customer, address, client = shopper
    kill_once(monkeypatch, idempotency, "_complete")
    with pytest.raises(WorkerKilled):
        checkout(client, address)
    order = Order.objects.get()
    assert (order.status, IdempotencyRecord.objects.get().order_id) == ("paid", order.pk)

    busy = checkout(client, address)
    lease_ends()
    retry = checkout(client, address)
    replay = checkout(client, address)

    assert (busy.status_code, busy.json()["code"]) == (409, "request_in_progress")
    assert (retry.status_code, retry.json()["number"], retry.json()["status"]) == (201, order.number, "paid")
    assert (replay.status_code, replay.headers["Idempotent-Replayed"], replay.json()) == (201, "true", retry.json())
    assert Order.objects.count() == 1 and SandboxCharge.objects.count() == 1
    assert Payment.objects.get().status == "captured"
    assert IdempotencyRecord.objects.get().status_code == 201


def test_a_checkout_killed_between_the_order_and_the_payment_pays_that_order_once_on_the_repeat(shopper, monkeypatch):
    from orders.services import checkout as checkout_services

    customer, address, client = shopper
    kill_once(monkeypatch, checkout_services, "order_pay")
    with pytest.raises(WorkerKilled):
        checkout(client, address)
    order = Order.objects.get()
    assert (order.status, Payment.objects.count()) == ("pending", 0)
    lease_ends()

    retry = checkout(client, address)

    assert (retry.status_code, retry.json()["number"], retry.json()["status"]) == (201, order.number, "paid")
    assert Order.objects.count() == 1 and SandboxCharge.objects.count() == 1 and Payment.objects.count() == 1


def test_a_checkout_killed_waiting_for_the_gateway_settles_the_charge_it_made_and_answers_with_it(shopper, monkeypatch):
    customer, address, client = shopper
    kill_once(monkeypatch, SandboxCardGateway, "charge", after_original=True)  # charged, answer never read
    with pytest.raises(WorkerKilled):
        checkout(client, address)
    assert (Payment.objects.get().status, SandboxCharge.objects.count()) == ("pending", 1)
    assert IdempotencyRecord.objects.get().payment_id == Payment.objects.get().pk
    lease_ends()

    retry = checkout(client, address)

    assert (retry.status_code, retry.json()["status"]) == (201, "paid")
    assert Payment.objects.get().status == "captured"
    assert Order.objects.count() == 1 and SandboxCharge.objects.count() == 1


def test_a_checkout_that_crashes_with_an_error_after_placing_its_order_keeps_the_key_for_a_repeat(shopper, monkeypatch):
    from orders.services import checkout as checkout_services

    customer, address, client = shopper
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(checkout_services, "order_pay", broken)
    assert checkout(client, address).status_code == 500  # logged, reveals nothing
    monkeypatch.undo()

    retry = checkout(client, address)  # no wait: the crash ended the lease at once

    order = Order.objects.get()
    assert (retry.status_code, retry.json()["number"], retry.json()["status"]) == (201, order.number, "paid")
    assert SandboxCharge.objects.count() == 1


def test_a_payment_request_killed_after_charging_replays_the_charge_after_the_lease(monkeypatch):
    order = placed_order([(stocked_product(), 1)])
    client = token_client(order.customer)
    kill_once(monkeypatch, idempotency, "_complete")
    url = f"/api/v1/orders/{order.number}/pay/"
    with pytest.raises(WorkerKilled):
        client.post(url, {"card": API_GOOD_CARD}, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    lease_ends()

    retry = client.post(url, {"card": API_GOOD_CARD}, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")

    assert (retry.status_code, retry.json()["status"]) == (200, "paid")
    assert SandboxCharge.objects.count() == 1 and Payment.objects.count() == 1


def test_a_declined_checkout_killed_before_its_answer_replays_the_decline_once(shopper, monkeypatch):
    customer, address, client = shopper
    kill_once(monkeypatch, idempotency, "_complete")
    with pytest.raises(WorkerKilled):
        checkout(client, address, card=API_DECLINED_CARD)
    lease_ends()

    retry = checkout(client, address, card=API_DECLINED_CARD)

    assert (retry.status_code, retry.json()["code"]) == (402, "payment_declined")
    assert Order.objects.count() == 1 and Payment.objects.count() == 1


def test_the_checkout_page_killed_after_paying_shows_its_order_on_the_repeat_after_the_lease(client, monkeypatch):
    customer, address = customer_with_address()
    filled_cart(customer, [(stocked_product(quantity=5), 2)])
    client.force_login(customer)
    client.customer, client.address = customer, address
    data = checkout_form_data(client)
    kill_once(monkeypatch, idempotency, "_complete")
    with pytest.raises(WorkerKilled):
        client.post(reverse("orders:checkout"), data)
    order = Order.objects.get()
    lease_ends()

    retry = client.post(reverse("orders:checkout"), data)  # the shopper presses the button again: the cart is checked out

    assert (retry.status_code, retry.url) == (302, reverse("orders:order_confirmation", args=[order.number]))
    assert Order.objects.count() == 1 and SandboxCharge.objects.count() == 1


@pytest.mark.parametrize(("lease", "expected"), [(0, ["orders.E001"]), (-5, ["orders.E001"]), ("60", ["orders.E001"]),
                                                 (20, ["orders.W001"]), (60, [])])
def test_the_lease_setting_is_checked_at_start(settings, lease, expected):
    from django.core import checks

    settings.ORDERS_IDEMPOTENCY_LEASE_SECONDS = lease

    found = [m.id for m in checks.run_checks() if m.id.startswith("orders.")]

    assert found == expected
