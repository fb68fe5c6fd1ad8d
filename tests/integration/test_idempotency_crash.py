"""A key outlives a crashed request, with a real process killed mid-request on MariaDB.

A WSGI server subprocess (``crash_server``) serves the checkout on the test database and is
SIGKILLed while it holds the key, at a point a signal file reports (no timing luck): after the
order was placed and paid but before the idempotency record completed, or after the card was
charged but before the gateway's answer was read. A repeat within the lease is told the request
is in progress; a repeat after the lease answers with the order the dead process made, charged
once. And repeats racing, with real threads, for the key of a dead run: one runs it.
"""

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from orders.models import IdempotencyRecord, Order, Payment, SandboxCharge
from tests.integration.concurrency import ROOT, worker_database_url
from tests.orders.factories import checkout_body, customer_with_address, filled_cart, stocked_product

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 5  # the server's lease: long enough for the in-progress repeat, short for the test


def _wait_for(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def crash_server(request):
    """Start the server with a pause point; yield (base url, signal file, process); kill it at the end."""
    pause = request.param
    signal_file = Path(tempfile.mkdtemp(prefix="crash-")) / "paused"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "commerce.settings", "DATABASE_URL": worker_database_url(),
           "REDIS_URL": settings.REDIS_URL, "ORDERS_IDEMPOTENCY_LEASE_SECONDS": str(LEASE_SECONDS)}
    env.pop("DATABASE_REPLICA_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "tests.integration.crash_server", pause, str(signal_file)],  # noqa: S603
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}", signal_file, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        process.stdout.close()
        signal_file.unlink(missing_ok=True)
        signal_file.parent.rmdir()


def _post_in_background(url: str, body: dict, headers: dict) -> threading.Thread:
    """The shopper's first request: its answer never comes (the server dies), so nobody waits on it."""
    data = json.dumps(body).encode()

    def send():
        # the connection dies with the server: no answer to read
        with contextlib.suppress(OSError, http.client.HTTPException):
            urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers, method="POST"), timeout=60)  # noqa: S310

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("crash_server", ["answer", "gateway"], indirect=True)
def test_a_checkout_whose_server_was_killed_is_answered_after_the_lease_with_its_order_charged_once(crash_server):
    base, signal_file, process = crash_server
    customer, address = customer_with_address()
    filled_cart(customer, [(stocked_product(quantity=5), 2)])
    token = Token.objects.create(user=customer).key
    body, key = checkout_body(address), "crash-checkout-1"

    first = _post_in_background(f"{base}/api/v1/checkout/", body, {
        "Content-Type": "application/json", "Authorization": f"Token {token}", "Idempotency-Key": key})
    _wait_for(signal_file.exists, timeout=60, what="the server to reach its pause point")
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    first.join(timeout=10)

    order = Order.objects.get(customer=customer)  # what the dead process made
    record = IdempotencyRecord.objects.get(user=customer, key=key)
    assert (record.status_code, record.order_id) == (None, order.pk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    busy = client.post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (busy.status_code, busy.json()["code"]) == (409, "request_in_progress")

    _wait_for(lambda: timezone.now() > record.lease_until, timeout=LEASE_SECONDS + 5, what="the lease to end")
    retry = client.post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert retry.status_code == 201, retry.json()
    assert (retry.json()["number"], retry.json()["status"]) == (order.number, "paid")
    assert Order.objects.filter(customer=customer).count() == 1
    assert SandboxCharge.objects.count() == 1
    assert list(Payment.objects.values_list("status", flat=True)) == ["captured"]
    again = client.post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (again.status_code, again.headers["Idempotent-Replayed"], again.json()) == (201, "true", retry.json())



def test_repeats_racing_for_an_ended_lease_run_the_request_once(monkeypatch):
    """Eight repeats of a checkout whose first run died after placing its order (its record in
    progress, lease ended): one takes the key over and pays the order; the others are told it is
    in progress or get its answer replayed. One order, one charge."""
    from orders.services import checkout as checkout_services
    from tests.integration.concurrency import run_in_threads
    from tests.orders.crashes import WorkerKilled, lease_ends

    customer, address = customer_with_address()
    filled_cart(customer, [(stocked_product(quantity=5), 1)])
    token = Token.objects.create(user=customer).key
    body, key = checkout_body(address), "race-1"

    def client():
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return api

    def dies(**kwargs):
        raise WorkerKilled

    monkeypatch.setattr(checkout_services, "order_pay", dies)  # the first run dies after placing the order
    with pytest.raises(WorkerKilled):
        client().post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    monkeypatch.undo()
    order = Order.objects.get(customer=customer)
    lease_ends()

    def repeat():
        response = client().post("/api/v1/checkout/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        data = response.json()
        return response.status_code, data.get("code") or data.get("number"), response.headers.get("Idempotent-Replayed")

    outcomes = run_in_threads([repeat for _ in range(8)])

    answers = [value for kind, value in outcomes if kind == "ok"]
    assert len(answers) == 8, outcomes
    ran = [a for a in answers if a[0] == 201 and a[2] is None]
    assert ran == [(201, order.number, None)], answers
    assert all(a in ((409, "request_in_progress", None), (201, order.number, "true")) for a in answers if a not in ran), answers
    assert Order.objects.filter(customer=customer).count() == 1
    assert SandboxCharge.objects.count() == 1
    assert list(Payment.objects.values_list("status", flat=True)) == ["captured"]
