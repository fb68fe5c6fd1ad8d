"""One mail per key when the same event is handled at the same moment by several workers (MariaDB)."""

import pytest
from django.core import mail as django_mail

from commerce.mail.models import Mail
from commerce.mail.services import mail_send_once
from tests.integration.concurrency import run_in_threads

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_racing_handlers_of_one_event_record_one_mail_and_send_it_once(celery_eager, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    django_mail.outbox = []

    def handle():  # what each worker's reaction does, in its own transaction and connection
        return mail_send_once(key="orders.order.shipped:RACE1-TEST1", to="ada@example.com", template="orders/mail/cancelled",
                              context={"order": {"number": "RACE1-TEST1"}, "greeting_name": "Ada", "total": "1.00 EUR",
                                       "reason": "", "refund": "", "order_url": "https://shop.example.com/"}).pk

    outcomes = run_in_threads([handle] * 8)

    assert [kind for kind, _ in outcomes] == ["ok"] * 8, outcomes
    assert len({pk for _, pk in outcomes}) == 1
    assert Mail.objects.count() == 1 and Mail.objects.get().status == Mail.Status.SENT
    assert len(django_mail.outbox) == 1
