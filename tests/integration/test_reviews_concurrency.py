"""Reviews under concurrent writes on MariaDB: real threads, each with its own connection."""

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from recommendations import rating_summary
from recommendations.models import ProductRatingSummary, Review, ReviewVote
from recommendations.services import review_moderation as moderation
from recommendations.services import reviews as services
from tests.factories import CustomerFactory
from tests.integration.concurrency import run_in_threads
from tests.recommendations.factories import moderator, ratings, review, stocked_product

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_double_submitted_review_makes_one_review():
    assert connection.vendor == "mysql"
    product, customer = stocked_product(), CustomerFactory()

    outcomes = run_in_threads([
        (lambda i=i: services.review_submit(customer=customer, product_id=product.pk, title=f"Take {i}",
                                            text="Same customer, same product.", ratings=ratings(overall=1 + i % 5)).pk)
        for i in range(6)
    ])

    assert all(kind == "ok" for kind, _ in outcomes), [v for k, v in outcomes if k != "ok"]
    assert Review.objects.filter(customer=customer, product=product).count() == 1
    assert len({value for _, value in outcomes}) == 1


def test_concurrent_helpful_votes_count_exactly():
    made = review()
    voters = [CustomerFactory() for _ in range(12)]

    outcomes = run_in_threads([
        (lambda v=v, i=i: services.review_vote(review_id=made.pk, customer=v, helpful=i % 3 != 0)) for i, v in enumerate(voters)
    ] + [(lambda v=voters[0]: services.review_vote(review_id=made.pk, customer=v, helpful=True))])

    assert all(kind == "ok" for kind, _ in outcomes), [v for k, v in outcomes if k != "ok"]
    made.refresh_from_db()
    assert made.helpful_count == ReviewVote.objects.filter(review=made, helpful=True).count()
    assert made.not_helpful_count == ReviewVote.objects.filter(review=made, helpful=False).count()
    assert made.helpful_count + made.not_helpful_count == 12


def _summary_rows():
    return [model_to_dict(s) | {"updated_at": s.updated_at} for s in ProductRatingSummary.objects.order_by("product_id")]


def test_the_summary_equals_a_recomputation_under_concurrent_writes():
    product = stocked_product()
    staff = moderator()
    pending = [review(product, approve=False, overall=1 + i % 5, title=f"Pending {i}") for i in range(6)]
    approved = [review(product, overall=1 + i % 5, title=f"Approved {i}") for i in range(4)]
    authors = [CustomerFactory() for _ in range(4)]

    jobs = [lambda r=r: moderation.review_approve(review_id=r.pk, moderator=staff) for r in pending]
    jobs += [lambda r=r: moderation.review_reject(review_id=r.pk, moderator=staff, reason="Spam") for r in approved[:2]]
    jobs += [lambda c=c, i=i: services.review_submit(customer=c, product_id=product.pk, ratings=ratings(overall=5 - i))
             for i, c in enumerate(authors)]
    jobs += [lambda r=approved[2]: services.review_submit(customer=r.customer, product_id=product.pk, text="Edited text here.",
                                                           ratings=ratings(overall=2))]
    outcomes = run_in_threads(jobs)

    assert all(kind == "ok" for kind, _ in outcomes), [v for k, v in outcomes if k != "ok"]
    live = _summary_rows()
    approved_now = list(Review.objects.filter(product=product, status="approved"))
    [summary] = ProductRatingSummary.objects.all()
    assert summary.review_count == len(approved_now) == 6 + 1  # the six approved, and the untouched fourth
    distribution = [0] * 5
    for r in approved_now:
        distribution[r.rating_overall - 1] += 1
    assert summary.distribution["overall"] == distribution
    rating_summary.rebuild()
    assert _summary_rows() == live


def test_first_ratings_of_a_product_arriving_together_neither_deadlock_nor_duplicate():
    product = stocked_product()
    staff = moderator()
    pending = [review(product, approve=False, overall=1 + i % 5, title=f"First {i}") for i in range(8)]
    assert not ProductRatingSummary.objects.exists()

    outcomes = run_in_threads([lambda r=r: moderation.review_approve(review_id=r.pk, moderator=staff) for r in pending])

    assert all(kind == "ok" for kind, _ in outcomes), [v for k, v in outcomes if k != "ok"]
    [summary] = ProductRatingSummary.objects.all()
    assert summary.review_count == 8 and sum(summary.distribution["overall"]) == 8
