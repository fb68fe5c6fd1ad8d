"""Lookups by id or code: the row, or the app's NotFound with the code the API answers."""

import pytest

from commerce.errors import NotFound
from promotions import selectors
from promotions.errors import CampaignNotFound, CouponBatchNotFound, CouponNotFound, SegmentNotFound
from tests.factories import CustomerFactory
from tests.promotions.factories import (
    CampaignFactory,
    CouponBatchFactory,
    CouponFactory,
    PromotionFactory,
    SegmentFactory,
)

pytestmark = pytest.mark.django_db


def test_campaign_get_counts_its_promotions():
    campaign = CampaignFactory()
    PromotionFactory.create_batch(2, campaign=campaign)

    found = selectors.campaign_get(campaign_id=campaign.pk)

    assert (found, found.promotion_count) == (campaign, 2)


def test_coupon_lookups_match_the_code_case_insensitively():
    coupon = CouponFactory(code="SPRING10")

    assert selectors.coupon_get(code="  spring10 ") == coupon


def test_customer_coupon_get_finds_only_the_customers_own_coupon(django_assert_num_queries):
    mine, theirs = CustomerFactory(), CustomerFactory()
    coupon = CouponFactory(code="MINE1", assigned_to=mine)
    CouponFactory(code="THEIRS1", assigned_to=theirs)

    with django_assert_num_queries(1):  # with its promotion and campaign, for coupon_state
        found = selectors.customer_coupon_get(customer=mine, code="mine1")
        assert selectors.coupon_state(coupon=found).status == "usable"
    assert found == coupon
    with pytest.raises(CouponNotFound):
        selectors.customer_coupon_get(customer=mine, code="THEIRS1")


@pytest.mark.parametrize(
    ("lookup", "kwargs", "error", "code"),
    [
        (selectors.campaign_get, {"campaign_id": 999999}, CampaignNotFound, "campaign_not_found"),
        (selectors.segment_get, {"segment_id": 999999}, SegmentNotFound, "segment_not_found"),
        (selectors.coupon_batch_get, {"batch_id": 999999}, CouponBatchNotFound, "coupon_batch_not_found"),
        (selectors.coupon_get, {"code": "NOPE"}, CouponNotFound, "coupon_unknown"),
        (selectors.customer_get, {"customer_id": 999999}, NotFound, "customer_not_found"),
    ],
)
def test_a_missing_row_is_the_apps_not_found_with_its_code(lookup, kwargs, error, code):
    SegmentFactory(), CouponBatchFactory(), CustomerFactory()  # other rows exist

    with pytest.raises(error) as raised:
        lookup(**kwargs)

    assert raised.value.code == code


def test_lookups_take_keywords_only():
    with pytest.raises(TypeError):
        selectors.campaign_get(1)
