"""The recommendations app's commands: seed_demo_reviews (run by seed_demo) and rebuild_rating_summaries."""

import io
import re

import pytest
from django.core.management import call_command

from commerce.audit.models import DomainEvent
from commerce.mail.models import Mail
from recommendations.models import BannedWord, ProductRatingSummary, Review, ReviewVote

pytestmark = pytest.mark.django_db


def run(name: str, *args) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_seed_demo_writes_demo_reviews_through_the_services_and_a_second_run_changes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = run("seed_demo", "--products", "20", "--customers", "4")

    reviews = Review.objects.all()
    assert reviews.count() >= 6
    statuses = set(reviews.values_list("status", flat=True))
    assert {"approved", "pending"} <= statuses
    assert reviews.filter(verified_purchase=True).exists() and reviews.filter(verified_purchase=False).exists()
    assert reviews.exclude(reply_text="").exists() and ReviewVote.objects.exists() and BannedWord.objects.count() == 2
    assert DomainEvent.objects.filter(event_type="recommendations.review.created").count() == reviews.count()
    assert ProductRatingSummary.objects.filter(review_count__gt=0).exists()
    assert re.search(r"Demo reviews written in \d+\.\d s: \d+ reviews \(", output)

    before = (Review.objects.count(), DomainEvent.objects.count())
    again = run("seed_demo_reviews")
    assert (Review.objects.count(), DomainEvent.objects.count()) == before
    assert "Demo reviews already present: nothing changed." in again

    # the review requests of the delivered demo orders were sent, as the hourly task will after the delay
    requests = Mail.objects.filter(key__startswith="recommendations.review_request:")
    assert requests.exists() and set(requests.values_list("status", flat=True)) == {"sent"}
    assert "/reviews/request/" in requests.first().body_text
    assert re.search(r"Review requests sent for \d+ delivered demo order", output)
    count = requests.count()
    assert "No review request to send" in run("seed_demo_review_requests") and requests.count() == count


def test_seed_demo_reviews_without_delivered_orders_writes_nothing_and_says_why():
    assert "no demo reviews written" in run("seed_demo_reviews")
    assert not Review.objects.exists()


def test_seed_demo_reviews_leaves_a_guests_delivered_order_alone():
    from orders.selectors import received_purchases
    from tests.orders.test_guest_checkout import _guest_order
    from tests.recommendations.factories import delivered_order, moderator, stocked_product
    from tests.recommendations.test_services_reviews import _delivered

    moderator()
    product = stocked_product()
    _delivered(_guest_order(product, email="ann@example.com"))
    buyer = delivered_order(product).customer

    run("seed_demo_reviews")  # a guest's line (no customer) beside a customer's: nothing to sort or review for it

    assert set(Review.objects.values_list("customer_id", flat=True)) <= {buyer.pk}
    assert received_purchases() == [(buyer.pk, product.pk)]
