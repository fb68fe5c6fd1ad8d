"""The sandbox gateway's webhook: signed notifications settle payments once; bad or stale signatures change nothing."""

import json
import time

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from orders.models import GatewayNotification, Order, Payment
from orders.services.payments import webhook_signature
from tests.factories import token_client
from tests.orders.factories import LOST_CARD, customer_with_address, filled_cart, stocked_product

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/webhooks/sandbox/"


def signed(body: bytes, *, secret: str | None = None, at: int | None = None) -> str:
    at = int(time.time()) if at is None else at
    return f"t={at},v1={webhook_signature(body, at, secret or settings.ORDERS_WEBHOOK_SECRET)}"


def send(body: bytes, header: str | None):
    client = APIClient(enforce_csrf_checks=True)
    extra = {"HTTP_X_SANDBOX_SIGNATURE": header} if header is not None else {}
    return client.post(URL, data=body, content_type="application/json", **extra)


def state():
    return (
        list(Order.objects.values_list("status", "payment_status", "paid_amount")),
        list(Payment.objects.values_list("status", "gateway_reference")),
        GatewayNotification.objects.count(),
    )


@pytest.fixture
def pending_payment():
    """A checkout whose gateway answer was lost: charged on the gateway's side, pending on ours."""
    customer, address = customer_with_address()
    filled_cart(customer, [(stocked_product(price="20.00"), 1)])
    client = token_client(customer)
    card = {"number": LOST_CARD.number, "exp_month": 12, "exp_year": LOST_CARD.exp_year, "cvc": "123"}
    response = client.post("/api/v1/checkout/", {"address_id": address.pk, "payment_method": "card", "card": card}, format="json")
    assert (response.status_code, response.json()["code"]) == (502, "payment_pending")
    payment = Payment.objects.get()
    assert payment.status == "pending"
    return payment


def notification(payment, *, event_id="evt_1", event_type="charge.succeeded", **data) -> bytes:
    body = {"id": event_id, "type": event_type, "data": {"idempotency_key": payment.idempotency_key, "reference": "ch_lost", **data}}
    return json.dumps(body).encode()


def test_a_signed_notification_settles_the_payment_and_a_replay_changes_nothing(pending_payment):
    body = notification(pending_payment, card_last4="0259")

    first = send(body, signed(body))

    assert first.status_code == 200
    assert first.json() == {"status": "processed"}
    payment = Payment.objects.get()
    assert (payment.status, payment.gateway_reference) == ("captured", "ch_lost")
    assert (payment.order.status, payment.order.payment_status) == ("paid", "paid")
    before = state()

    replay = send(body, signed(body))

    assert replay.status_code == 200
    assert replay.json() == {"status": "already_processed"}
    assert state() == before


def test_a_charge_failed_notification_declines_the_payment_and_the_order_stays_payable(pending_payment):
    body = notification(pending_payment, event_type="charge.failed", error_code="card_declined", message="Declined.")

    response = send(body, signed(body))

    assert response.json() == {"status": "processed"}
    payment = Payment.objects.get()
    assert (payment.status, payment.error_code) == ("declined", "card_declined")
    assert payment.order.status == "pending"


@pytest.mark.parametrize(
    ("make_header", "code"),
    [
        (lambda body: None, "webhook_signature_invalid"),
        (lambda body: "", "webhook_signature_invalid"),
        (lambda body: "garbage", "webhook_signature_invalid"),
        (lambda body: signed(body, secret="not-the-secret"), "webhook_signature_invalid"),
        (lambda body: signed(body + b" "), "webhook_signature_invalid"),
        (lambda body: signed(body, at=int(time.time()) - 3600), "webhook_stale"),
        # Hostile headers: each was a 500 (TypeError from hmac.compare_digest, OverflowError from the clock).
        (lambda body: f"t={int(time.time())},v1=\u00e9", "webhook_signature_invalid"),
        (lambda body: f"t={int(time.time())},v1={signed(body).split('v1=')[1][:-1]}\u00e9", "webhook_signature_invalid"),
        (lambda body: f"t={'9' * 400},v1={'0' * 64}", "webhook_signature_invalid"),
        (lambda body: f"t=-{'9' * 400},v1={'0' * 64}", "webhook_signature_invalid"),
        (lambda body: f"t={int(time.time())}\u0663,v1={'0' * 64}", "webhook_signature_invalid"),
        (lambda body: f"t=\u0661\u0662,v1={'0' * 64}", "webhook_signature_invalid"),
        (lambda body: f"t=1e9,v1={'0' * 64}", "webhook_signature_invalid"),
        (lambda body: "t=,v1=", "webhook_signature_invalid"),
        (lambda body: "t=1=2,v1", "webhook_signature_invalid"),
        (lambda body: "\x00", "webhook_signature_invalid"),
    ],
)
def test_a_bad_or_stale_signature_is_refused_and_changes_nothing(pending_payment, make_header, code):
    body = notification(pending_payment)
    before = state()

    response = send(body, make_header(body))

    assert response.status_code == 403
    assert response.json()["code"] == code
    assert state() == before


def test_a_signature_with_unicode_digits_for_its_time_is_refused_even_when_the_hmac_matches(pending_payment):
    """int("١٧...") reads Arabic-Indic digits; the signed time must be the ASCII digits the gateway sent."""
    body = notification(pending_payment)
    now = int(time.time())
    arabic = "".join(chr(0x0660 + int(d)) for d in str(now))
    header = f"t={arabic},v1={webhook_signature(body, now, settings.ORDERS_WEBHOOK_SECRET)}"
    before = state()

    response = send(body, header)

    assert (response.status_code, response.json()["code"]) == (403, "webhook_signature_invalid")
    assert state() == before


def test_the_webhook_is_throttled_per_client_after_its_limit(settings):
    """Unauthenticated, so throttled (scope ``webhook``): a flood of unsigned requests is turned away early."""
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "webhook": "3/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    body = b'{"id": "evt_1"}'

    statuses = [send(body, "garbage").status_code for _ in range(3)]
    throttled = send(body, signed(body))

    assert statuses == [403, 403, 403]
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    assert GatewayNotification.objects.count() == 0


def test_a_replayed_old_notification_is_refused_even_when_its_signature_was_good(pending_payment):
    body = notification(pending_payment)
    old = signed(body, at=int(time.time()) - 301)
    before = state()

    response = send(body, old)

    assert (response.status_code, response.json()["code"]) == (403, "webhook_stale")
    assert state() == before


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b'{"id": "evt_1", "type": ', 400, "malformed_request"),
        (b'{"id": "evt_1", "type": "charge.refunded", "data": {"idempotency_key": "k"}}', 400, "invalid"),
        (b'{"id": "evt_1", "type": "charge.succeeded", "data": {}}', 400, "invalid"),
    ],
)
def test_a_signed_but_invalid_body_is_refused_and_changes_nothing(pending_payment, body, status, code):
    before = state()

    response = send(body, signed(body))

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert state() == before


def test_a_notification_for_a_charge_that_is_not_ours_is_remembered_and_ignored():
    body = json.dumps({"id": "evt_9", "type": "charge.succeeded", "data": {"idempotency_key": "someone-else"}}).encode()

    response = send(body, signed(body))

    assert response.json() == {"status": "processed"}
    assert GatewayNotification.objects.filter(notification_id="evt_9").exists()
    assert not Payment.objects.exists()
