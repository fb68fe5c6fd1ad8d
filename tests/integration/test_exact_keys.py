"""Keys compared for identity are exact on MariaDB: byte for byte, not case- nor space-insensitive.

MariaDB's default collation (utf8mb4_unicode_ci, PAD SPACE) makes ``FZKEY-ABC`` equal to
``fzKey-abc`` and ``abc`` equal to ``abc `` in comparisons and unique indexes; SQLite compares bytes.
"""

import pytest
from django.apps import apps
from django.db import connection

from commerce.db_fields import ExactCharField
from orders.idempotency import run_idempotent
from orders.models import Order, Payment, SandboxCharge
from orders.services.payments import order_pay, payment_notification_process
from tests.factories import CustomerFactory, token_client
from tests.orders.factories import GOOD_CARD, checkout_body, customer_with_address, filled_cart, placed_order, stocked_product

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_every_exact_column_has_a_binary_no_pad_collation_on_mariadb():
    exact = [(model._meta.db_table, field.column) for model in apps.get_models() for field in model._meta.local_fields
             if isinstance(field, ExactCharField)]
    assert len(exact) >= 6
    with connection.cursor() as cursor:
        for table, column in exact:
            cursor.execute("SELECT collation_name FROM information_schema.columns "
                           "WHERE table_schema = DATABASE() AND table_name = %s AND column_name = %s", [table, column])
            assert cursor.fetchone() == ("utf8mb4_nopad_bin",), (table, column)


def test_an_idempotency_key_differing_in_case_or_a_trailing_space_is_another_request():
    customer = CustomerFactory()
    runs = []

    def run():
        runs.append(1)
        return 201, {"run": len(runs)}

    answers = [run_idempotent(user=customer, scope="checkout", key=key, payload={}, run=run, error_body=dict)
               for key in ("fzKey-abc", "FZKEY-ABC", "fzKey-abc ", "fzKey-abc")]

    assert answers == [(201, {"run": 1}, False), (201, {"run": 2}, False), (201, {"run": 3}, False), (201, {"run": 1}, True)]


def test_a_checkout_under_an_upper_case_key_is_not_a_replay_of_the_lower_case_one():
    customer, address = customer_with_address()
    client = token_client(customer)
    product = stocked_product()
    filled_cart(customer, [(product, 1)])
    first = client.post("/api/v1/checkout/", checkout_body(address), format="json", HTTP_IDEMPOTENCY_KEY="fzKey-abc")
    filled_cart(customer, [(product, 2)])

    second = client.post("/api/v1/checkout/", checkout_body(address), format="json", HTTP_IDEMPOTENCY_KEY="FZKEY-ABC")

    assert (first.status_code, second.status_code) == (201, 201), second.json()
    assert "Idempotent-Replayed" not in second.headers
    assert first.json()["number"] != second.json()["number"]
    assert Order.objects.filter(customer=customer).count() == 2
    assert SandboxCharge.objects.count() == 2


def test_payment_keys_differing_only_in_case_pay_two_orders():
    one, two = placed_order([(stocked_product(), 1)]), placed_order([(stocked_product(), 1)])

    order_pay(order=one.pk, customer=one.customer, card=GOOD_CARD, idempotency_key="pay-abc")
    order_pay(order=two.pk, customer=two.customer, card=GOOD_CARD, idempotency_key="PAY-ABC")

    assert Payment.objects.filter(status="captured").count() == 2
    assert SandboxCharge.objects.count() == 2


def test_gateway_notifications_differing_only_in_case_are_two_notifications():
    assert payment_notification_process(gateway="sandbox", notification_id="evt_a", event="charge.succeeded", data={})
    assert payment_notification_process(gateway="sandbox", notification_id="evt_A", event="charge.succeeded", data={})
    assert not payment_notification_process(gateway="sandbox", notification_id="evt_a", event="charge.succeeded", data={})
