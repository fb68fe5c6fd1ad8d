"""The review list selector: a product's list knows its size from the rating summary, exactly."""

import pytest

from recommendations.selectors.reviews import review_list
from tests.recommendations.factories import review, stocked_product, verified_buyer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("filters, known", [
    ({}, True), ({"verified": True}, True), ({"verified": False}, True), ({"stars": 5}, True), ({"stars": 2}, True),
    ({"verified": True, "stars": 5}, False), ({"with_photos": True}, False), ({"query": "smooth"}, False),
    ({"sort": "helpful", "stars": 3}, True),
])
def test_a_products_list_size_comes_from_the_summary_and_equals_a_count(filters, known, django_assert_num_queries):
    product, other = stocked_product(), stocked_product()
    review(product, verified_buyer(product), overall=5)
    review(product, overall=5, text="Smooth and rich.")
    review(product, verified_buyer(product), overall=3)
    review(product, overall=2, approve=False)  # pending: in no list
    review(other, overall=5)

    listed = review_list(product_id=product.pk, **filters)

    with django_assert_num_queries(0 if known else 1):
        size = listed.count()
    assert size == len(list(listed))
    assert listed.filter(rating_overall=5).count() == len([r for r in listed if r.rating_overall == 5])  # a new filter counts


def test_the_known_size_is_not_taken_from_another_products_statistics(django_assert_num_queries):
    from recommendations.selectors.reviews import rating_statistics

    product, other = stocked_product(), stocked_product()
    review(product)
    others = rating_statistics(product_id=other.pk)
    with django_assert_num_queries(1):  # the product's own summary, not the one given
        listed = review_list(product_id=product.pk, statistics=others)
    assert listed.count() == 1
