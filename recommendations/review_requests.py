"""Asking a customer to review what they received: one mail per delivered order, with a signed link.

``review_requests_send`` (the hourly ``recommendations.review_requests_send`` beat task) finds the
orders delivered at least ``REVIEW_REQUEST_DELAY_DAYS`` ago (and less than the link's life,
``REVIEW_REQUEST_LINK_MAX_AGE_DAYS``) that have no request yet, and queues one mail each through the
outbox under the key ``recommendations.review_request:<order number>``: a second run, or two at
once, find the key and send nothing more. The mail lists the order's products the customer has not
reviewed; an order whose products are all reviewed gets none.

The link carries a ``TimestampSigner`` token of the order number and the customer id (salted, so no
other signed value of the site passes for one). It is the authority of the page
``/reviews/request/<token>/``: it lets whoever holds it review that order's products as that
customer, nothing else, without logging in.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from commerce.mail.errors import MailInvalid
from commerce.mail.rendering import absolute_url
from commerce.mail.selectors import mail_keys_recorded
from commerce.mail.services import mail_send_once
from orders.selectors import DeliveredOrder, delivered_order_of, orders_delivered_between
from recommendations.models import Review

logger = logging.getLogger(__name__)
SALT = "recommendations.review_request"
KEY_PREFIX = "recommendations.review_request:"


class ReviewRequestTokenInvalid(Exception):
    """A token that was tampered with, has expired or names no delivered order of its customer."""

    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class ReviewRequest:
    order: DeliveredOrder
    customer_id: int
    to_review: tuple[tuple[int, str], ...]  # (product id, name) of the order not reviewed by the customer yet


def make_token(*, number: str, customer_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"o": number, "c": customer_id})


def request_url(*, number: str, customer_id: int) -> str:
    return absolute_url(reverse("recommendations:review_request", kwargs={"token": make_token(number=number, customer_id=customer_id)}))


def _reviewed_pairs(orders) -> set[tuple[int, int]]:
    """(customer id, product id) of the reviews these orders' customers wrote of these orders' products: one query."""
    customers = {order.customer_id for order in orders}
    products = {pk for order in orders for pk, _ in order.products}
    if not customers or not products:
        return set()
    return set(Review.objects.filter(customer_id__in=customers, product_id__in=products).order_by()
               .values_list("customer_id", "product_id"))


def _not_reviewed(customer_id: int, products, reviewed: set[tuple[int, int]]) -> tuple[tuple[int, str], ...]:
    return tuple((pk, name) for pk, name in products if (customer_id, pk) not in reviewed)


def read_token(token: str) -> ReviewRequest:
    """The order and customer a link names, with the products still to review. Raises
    ``ReviewRequestTokenInvalid`` for a bad signature, an expired link or an order not delivered to that customer."""
    max_age = datetime.timedelta(days=settings.REVIEW_REQUEST_LINK_MAX_AGE_DAYS)
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        raise ReviewRequestTokenInvalid("This review link has expired.", expired=True) from None
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise ReviewRequestTokenInvalid("This review link is not valid.") from None
    number, customer_id = (data.get("o"), data.get("c")) if isinstance(data, dict) else (None, None)
    if not isinstance(number, str) or isinstance(customer_id, bool) or not isinstance(customer_id, int):
        raise ReviewRequestTokenInvalid("This review link is not valid.")
    order = delivered_order_of(number=number, customer_id=customer_id)
    if order is None:
        raise ReviewRequestTokenInvalid("This review link is not valid.")
    return ReviewRequest(order=order, customer_id=customer_id,
                         to_review=_not_reviewed(customer_id, order.products, _reviewed_pairs([order])))


def review_requests_send(*, now: datetime.datetime | None = None) -> list[str]:
    """Queue the review request of each order delivered long enough ago that has none: the numbers mailed.
    Reads a fixed number of queries whatever the number of orders; each mail is then one outbox command."""
    now = now or timezone.now()
    end = now - datetime.timedelta(days=settings.REVIEW_REQUEST_DELAY_DAYS)
    start = now - datetime.timedelta(days=settings.REVIEW_REQUEST_LINK_MAX_AGE_DAYS)
    if start >= end:
        return []
    orders = orders_delivered_between(start=start, end=end)
    done = mail_keys_recorded(keys=[KEY_PREFIX + order.number for order in orders])
    orders = [order for order in orders if KEY_PREFIX + order.number not in done]
    reviewed = _reviewed_pairs(orders)
    sent = []
    for order in orders:
        key = KEY_PREFIX + order.number
        if not order.email:
            logger.info("no review request for order %s: its customer has no e-mail address", order.number)
            continue
        products = _not_reviewed(order.customer_id, order.products, reviewed)
        if not products:
            continue
        try:
            mail_send_once(key=key, to=order.email, template="recommendations/mail/review_request", customer_id=order.customer_id,
                           context={"number": order.number, "greeting_name": order.greeting_name,
                                    "products": [name for _, name in products],
                                    "review_url": request_url(number=order.number, customer_id=order.customer_id)})
        except MailInvalid:  # an address the outbox refuses: this order gets none, the others theirs
            logger.warning("no review request for order %s: its customer's address is not one", order.number)
            continue
        sent.append(order.number)
    return sent
