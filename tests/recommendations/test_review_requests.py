"""The review request: one mail per delivered order after the delay, never twice, with a signed link
to a page where the customer rates the order's products without logging in."""

import datetime
import re

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from commerce.audit.models import JourneyStep
from commerce.mail.models import Mail
from recommendations import review_requests
from recommendations.models import Review
from recommendations.review_requests import make_token, review_requests_send
from tests.factories import customer_with_address, events
from tests.orders.factories import stocked_product
from tests.recommendations.factories import delivered_order, review

pytestmark = pytest.mark.django_db
KEY = "recommendations.review_request:"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://shop.example.com"
    settings.REVIEW_REQUEST_DELAY_DAYS = 7
    settings.REVIEW_REQUEST_LINK_MAX_AGE_DAYS = 60


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def later(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def link_in(text: str) -> str:
    return re.search(r"https://shop\.example\.com/reviews/request/[^/\s\"]+/", text).group(0)


def ratings_post(product, overall=5, **extra) -> dict:
    prefix = f"p{product.pk}"
    data = {"product": str(product.pk), **{f"{prefix}-rating_{axis}": str(overall) for axis in
                                           ("overall", "quality", "price", "utility", "delivery")}}
    return {**data, **{f"{prefix}-{k}": v for k, v in extra.items()}}


def test_the_request_goes_out_once_after_the_delay_in_html_and_text_with_the_absolute_signed_link(committed, mailoutbox):
    # given: an order of two products delivered now, one product already reviewed elsewhere not by this customer
    customer, address = customer_with_address()
    customer.email = "ada@example.com"
    customer.save()
    order = delivered_order(stocked_product(name="Comté 18 months"), customer, address)

    # when: the task runs before the delay, then after it, then again
    assert committed(lambda: review_requests_send(now=later(6.9))) == []
    first = committed(lambda: review_requests_send(now=later(7.1)))
    second = committed(lambda: review_requests_send(now=later(8)))

    # then: one mail, with the product, HTML and text, the same absolute link in both
    assert first == [order.number] and second == []
    assert Mail.objects.filter(key=KEY + order.number).count() == 1
    [mail] = [m for m in mailoutbox if m.to == ["ada@example.com"] and "Order " + order.number in m.subject]
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html"
    assert "Comté 18 months" in mail.body and "Comté 18 months" in html
    assert link_in(mail.body) == link_in(html)
    assert events("orders.order.delivered")


def test_no_request_for_an_order_whose_products_are_all_reviewed(committed, mailoutbox):
    customer, address = customer_with_address()
    product = stocked_product()
    order = delivered_order(product, customer, address)
    review(product, customer, approve=False)

    assert committed(lambda: review_requests_send(now=later(8))) == []
    assert not Mail.objects.filter(key=KEY + order.number).exists()


def test_no_request_once_the_link_would_have_expired(committed):
    order = delivered_order(stocked_product())
    assert review_requests_send(now=later(61)) == []
    assert not Mail.objects.filter(key=KEY + order.number).exists()


def test_the_page_rates_the_orders_products_anonymously_and_the_service_marks_the_purchase_verified(client):
    customer, address = customer_with_address()
    product = stocked_product(name="Beans <b>bold</b>")
    order = delivered_order(product, customer, address)
    url = reverse("recommendations:review_request", kwargs={"token": make_token(number=order.number, customer_id=customer.pk)})

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="radio"' in html and "Beans &lt;b&gt;bold&lt;/b&gt;" in html

    response = client.post(url, ratings_post(product, overall=4, title="Lovely"))
    assert response.status_code == 302
    made = Review.objects.get(customer=customer, product=product)
    assert made.verified_purchase and made.rating_overall == 4 and made.title == "Lovely"
    [created] = events("recommendations.review.created", channel="web")
    assert created.payload["customer_id"] == customer.pk and created.payload["verified_purchase"] is True
    step = JourneyStep.objects.get(customer=customer, action="review_product")
    assert step.channel == "web" and step.product_id == product.pk
    # the product is no longer offered
    assert product.name not in client.get(url).content.decode()


def test_tampered_expired_and_foreign_links_are_refused_and_change_nothing(client, settings):
    customer, address = customer_with_address()
    product = stocked_product()
    order = delivered_order(product, customer, address)
    other = delivered_order(stocked_product())
    token = make_token(number=order.number, customer_id=customer.pk)

    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert client.get(reverse("recommendations:review_request", kwargs={"token": tampered})).status_code == 404
    forged = signing.TimestampSigner(salt="another.salt").sign_object({"o": order.number, "c": customer.pk})
    assert client.post(reverse("recommendations:review_request", kwargs={"token": forged}), ratings_post(product)).status_code == 404
    # a token naming another customer's order
    wrong = make_token(number=other.number, customer_id=customer.pk)
    assert client.get(reverse("recommendations:review_request", kwargs={"token": wrong})).status_code == 404

    settings.REVIEW_REQUEST_LINK_MAX_AGE_DAYS = 1
    old = signing.TimestampSigner(salt=review_requests.SALT)
    old.timestamp = lambda: signing.b62_encode(int(timezone.now().timestamp()) - 2 * 86400)
    expired = old.sign_object({"o": order.number, "c": customer.pk})
    response = client.post(reverse("recommendations:review_request", kwargs={"token": expired}), ratings_post(product))
    assert response.status_code == 410 and b"expired" in response.content
    assert not Review.objects.exists()


def test_a_product_of_another_order_or_bad_stars_are_refused_and_change_nothing(client):
    customer, address = customer_with_address()
    product = stocked_product()
    order = delivered_order(product, customer, address)
    foreign = stocked_product()
    delivered_order(foreign, customer, address)  # the customer's other order: not this link's
    url = reverse("recommendations:review_request", kwargs={"token": make_token(number=order.number, customer_id=customer.pk)})

    assert client.post(url, ratings_post(foreign)).status_code == 400
    assert client.post(url, {**ratings_post(product), f"p{product.pk}-rating_overall": "٥"}).status_code == 400
    assert client.post(url, {**ratings_post(product), f"p{product.pk}-title": "x" * 100_000}).status_code == 400
    assert client.post(url, {"product": "9" * 40}).status_code == 400
    assert not Review.objects.exists()


def test_the_delivered_orders_are_read_in_a_fixed_number_of_queries(django_assert_num_queries):
    from orders.selectors import orders_delivered_between

    for _ in range(3):
        delivered_order(stocked_product())
    with django_assert_num_queries(3):
        found = orders_delivered_between(start=later(-1), end=later(1))
    assert len(found) == 3 and all(len(order.products) == 1 for order in found)


def test_the_beat_task_is_registered_and_sends(committed, settings):
    from commerce.celery import app
    from recommendations.tasks import review_requests_send_task

    assert "recommendations.review_requests_send" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "recommendations.review_requests_send" in app.tasks
    order = delivered_order(stocked_product())
    settings.REVIEW_REQUEST_DELAY_DAYS = 0
    assert committed(review_requests_send_task) == [order.number]


def test_a_customer_without_a_usable_address_gets_none_and_the_others_theirs(committed):
    silent, address = customer_with_address()
    silent.email = "not an address"
    silent.save()
    skipped = delivered_order(stocked_product(), silent, address)
    order = delivered_order(stocked_product())

    assert committed(lambda: review_requests_send(now=later(8))) == [order.number]
    assert not Mail.objects.filter(key=KEY + skipped.number).exists()


def test_the_run_costs_the_same_reads_at_any_number_of_orders_and_one_outbox_command_per_mail():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run_capturing():
        with CaptureQueriesContext(connection) as captured:
            sent = review_requests_send(now=later(8))
        # what is not the outbox's own command (its savepoint, the key check, the mail and its audit row)
        reads = [q["sql"] for q in captured if not any(t in q["sql"] for t in ("mail_mail", "audit_", "SAVEPOINT"))]
        return sent, len(captured), reads

    def new_orders(n):
        return [delivered_order(stocked_product()) for _ in range(n)]

    reviewed = stocked_product()
    first = new_orders(2)
    review(reviewed, first[0].customer)  # reviewed already: read in the same query as the others
    totals, reads = [], []
    for n in (2, 5, 8):
        if n > 2:
            new_orders(3)
        sent, total, read = run_capturing()
        assert len(sent) == (2 if n == 2 else 3)
        totals.append(total)
        reads.append(len(read))
    # reads: the delivered orders (events, orders, lines) and the reviews; the keys sent are the outbox's
    assert reads == [reads[0]] * 3 and reads[0] <= 4
    # three mails cost the same with 3 or 6 orders asked before: per mail, the outbox's one command
    assert totals[1] == totals[2]
    per_mail = totals[1] - totals[0]
    assert totals[0] - 2 * per_mail <= 6  # what is left is fixed: the reads and the keys already sent
    sent, total_none, _ = run_capturing()  # everything asked already: the events, orders, lines and keys, no mail
    assert sent == [] and total_none == 4
