"""The rating read model: projected in the command's transaction, rebuilt identically from the audit table."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from recommendations.models import ProductRatingSummary
from recommendations.services import review_moderation as moderation
from recommendations.services import reviews as services
from tests.factories import CustomerFactory
from tests.recommendations.factories import moderator, ratings, review, stocked_product, verified_buyer

pytestmark = pytest.mark.django_db


def _rows():
    return [model_to_dict(s) | {"updated_at": s.updated_at} for s in ProductRatingSummary.objects.order_by("product_id")]


def test_the_summary_averages_and_distributes_every_axis():
    product = stocked_product()
    review(product, overall=5, quality=5)
    review(product, overall=4, quality=3)
    review(product, overall=2, quality=2)

    summary = ProductRatingSummary.objects.get(product=product)

    assert summary.review_count == 3 and summary.verified_count == 0 and summary.verified_share == 0
    assert summary.distribution["overall"] == [0, 1, 0, 1, 1]
    assert summary.average_overall == Decimal("3.67") and summary.average_quality == Decimal("3.33")
    assert summary.average_price == Decimal("3.00")


def test_rebuild_yields_identical_rows_after_a_busy_history():
    staff = moderator()
    products = [stocked_product() for _ in range(3)]
    made = [review(products[i % 3], overall=1 + i % 5) for i in range(7)]
    services.review_submit(customer=verified_buyer(products[0]), product_id=products[0].pk, ratings=ratings(overall=3))
    moderation.review_reject(review_id=made[0].pk, moderator=staff, reason="Spam")
    services.review_submit(customer=made[1].customer, product_id=made[1].product_id, text="Changed my mind entirely.",
                           ratings=ratings(overall=1))
    moderation.review_approve(review_id=made[1].pk, moderator=staff)
    services.review_delete(review_id=made[2].pk, customer=made[2].customer)
    for _ in range(3):
        services.review_flag(review_id=made[3].pk, customer=CustomerFactory(), reason="spam")
    live = _rows()
    assert len(live) == 3

    call_command("rebuild_rating_summaries", stdout=open("/dev/null", "w"))

    assert _rows() == live


def test_the_summary_equals_a_recomputation_from_the_reviews():
    product = stocked_product()
    for i in range(6):
        review(product, overall=1 + i % 5, price=1 + (i * 2) % 5)
    summary = ProductRatingSummary.objects.get(product=product)
    approved = list(product.reviews.filter(status="approved"))
    assert summary.review_count == len(approved)
    assert summary.average_price == (Decimal(sum(r.rating_price for r in approved)) / len(approved)).quantize(Decimal("0.01"))
    assert summary.average_score == (sum(r.score for r in approved) / len(approved)).quantize(Decimal("0.01"))
