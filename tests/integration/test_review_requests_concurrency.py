"""Two review request runs at the same moment (two beat workers) queue one mail per order (MariaDB)."""

import datetime

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from commerce.mail.models import Mail
from recommendations.review_requests import review_requests_send
from tests.factories import customer_with_address
from tests.integration.concurrency import run_in_threads
from tests.orders.factories import stocked_product
from tests.recommendations.factories import delivered_order

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_racing_runs_send_one_request_per_order(celery_eager, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://shop.example.com"
    customer, address = customer_with_address()
    order = delivered_order(stocked_product(), customer, address)
    Mail.objects.all().delete()  # the order's own mails: this test counts the review requests
    django_mail.outbox = []
    when = timezone.now() + datetime.timedelta(days=8)

    outcomes = run_in_threads([lambda: review_requests_send(now=when)] * 4)

    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert Mail.objects.filter(key=f"recommendations.review_request:{order.number}").count() == 1
    assert len([m for m in django_mail.outbox if order.number in m.subject]) == 1
    assert review_requests_send(now=when) == []
