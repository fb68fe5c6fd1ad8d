"""Order mails through a real Celery worker, Redis and a real SMTP conversation.

The test places and pays an order (committed, on MariaDB); the audit bus sends the reaction to the
worker, which records the confirmation in the outbox and sends it over SMTP to a server run by the
test (``smtp_sink``). While that server is down the send fails and the worker retries with backoff
(shortened), until it is up.
"""

import socket
import time

import pytest

from commerce.mail.models import Mail
from tests.integration.smtp_sink import SmtpSink
from tests.integration.workers import start_worker, stop_worker, worker_log
from tests.orders.factories import paid_order, stocked_product

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, *, timeout: float, what: str, worker):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{worker_log(worker)}")


def test_a_worker_sends_the_confirmation_over_smtp_once_retrying_while_the_server_is_down(transactional_db, settings):
    # given: a worker whose SMTP server is not up yet, retrying after 1 s, 2 s, ...
    port = free_port()
    worker = start_worker(EMAIL_URL=f"smtp://127.0.0.1:{port}", MAIL_RETRY_SECONDS="1", SITE_URL="https://shop.example.com",
                          EMAIL_TIMEOUT="5")
    sink = None
    try:
        # when: a customer's order is placed and paid (committed: the bus hands the reaction to the worker)
        order = paid_order([(stocked_product(price="12.00"), 2)])

        # then: the worker records the confirmation and fails to send it while the server is down
        # (an attempt is counted when the worker claims the mail, its error written when it fails:
        # wait for the error, not the count)
        failed = wait_for(lambda: Mail.objects.filter(attempts__gte=1, status=Mail.Status.QUEUED).exclude(last_error="").first(),
                          timeout=90, what="a first, failed attempt", worker=worker)
        assert failed.key == f"orders.order.confirmed:{order.number}" and "Connection refused" in failed.last_error

        # and once the server is up, a retry delivers it: one mail, HTML and text, the row sent
        sink = SmtpSink(port)
        wait_for(lambda: sink.received, timeout=60, what="the mail at the SMTP server", worker=worker)
        mail = wait_for(lambda: Mail.objects.filter(status=Mail.Status.SENT).first(), timeout=30, what="the row sent", worker=worker)
        time.sleep(1.5)  # nothing more arrives
        [(recipients, message)] = sink.received
        assert recipients == [order.customer.email]
        assert message["Subject"] == f"Order {order.number} confirmed" and message["Message-ID"].endswith("@shop.example.com>")
        assert message.get_body(("plain",)).get_content().count(f"https://shop.example.com/orders/{order.number}/") == 1
        assert f'href="https://shop.example.com/orders/{order.number}/"' in message.get_body(("html",)).get_content()
        assert mail.attempts >= 2 and mail.sent_at is not None and mail.last_error == ""
    finally:
        stop_worker(worker)
        if sink is not None:
            sink.stop()
