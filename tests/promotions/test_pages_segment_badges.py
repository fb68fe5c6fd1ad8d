"""A customer's segment-only conditional offers ("3 for 2" for members) show their badge on the cards and the
product page, as their prices count their segment's discounts; a guest and a non-member see only what is
open to everyone; and the badges cost the same statements whatever the page size."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from commerce.catalog import badges
from promotions import selectors, services
from tests.factories import CustomerFactory, category
from tests.orders.factories import stocked_product
from tests.promotions.factories import PromotionFactory, SegmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def members_offer(settings):
    settings.PROMOTIONS_RULES_CACHE = True
    already = selectors.product_badges in badges.registered()
    badges.register(selectors.product_badges)
    food = category("Food")
    segment = SegmentFactory()
    PromotionFactory(name="Members 3 for 2", buy_x_get_y=True, badge="Members 3 for 2", categories=[food], segments=[segment])
    PromotionFactory(name="Everyone 5%", discount_class="product", percent=Decimal("5"), badge="-5%", categories=[food])
    food.members = segment
    yield food
    if not already:
        badges.unregister(selectors.product_badges)


def test_selector_counts_the_customers_segments_only_for_them(members_offer):
    milk = stocked_product(name="Milk", category=members_offer)
    member, stranger = CustomerFactory(), CustomerFactory()
    services.segment_members_set(segment=members_offer.members, customers=[member])

    assert selectors.product_badges(products=[milk], customer=member) == {milk.pk: ["Members 3 for 2", "-5%"]}
    assert selectors.product_badges(products=[milk], customer=stranger) == {milk.pk: ["-5%"]}
    assert selectors.product_badges(products=[milk]) == {milk.pk: ["-5%"]}


def test_a_member_sees_the_badge_on_cards_and_the_product_page_a_guest_does_not(shopper, members_offer):
    milk = stocked_product(name="Milk", category=members_offer)
    stocked_product(name="Cheese", category=members_offer)
    services.segment_members_set(segment=members_offer.members, customers=[shopper.customer])
    path = members_offer.get_absolute_url() if hasattr(members_offer, "get_absolute_url") else f"/c/{members_offer.slug}/"

    member_list, member_product = shopper.get(path).content.decode(), shopper.get(milk.get_absolute_url()).content.decode()
    guest = Client()
    guest_list, guest_product = guest.get(path).content.decode(), guest.get(milk.get_absolute_url()).content.decode()

    assert member_list.count("Members 3 for 2") == 2 and "Members 3 for 2" in member_product
    assert "Members 3 for 2" not in guest_list and "Members 3 for 2" not in guest_product
    assert guest_list.count("-5%") >= 2  # what everyone gets still shows


def test_a_members_badges_cost_the_same_statements_at_any_page_size(shopper, members_offer):
    for i in range(30):
        stocked_product(name=f"Item {i:02d}", category=members_offer)
    services.segment_members_set(segment=members_offer.members, customers=[shopper.customer])
    path = members_offer.get_absolute_url() if hasattr(members_offer, "get_absolute_url") else f"/c/{members_offer.slug}/"
    shopper.get(path)

    with CaptureQueriesContext(connection) as small:
        assert shopper.get(path, {"per_page": "12"}).content.decode().count("Members 3 for 2") == 12
    with CaptureQueriesContext(connection) as large:
        assert shopper.get(path, {"per_page": "48"}).content.decode().count("Members 3 for 2") == 30

    assert len(large.captured_queries) == len(small.captured_queries)
    segments = [q for q in large.captured_queries if "promotions_segmentmembership" in q["sql"]]
    assert len(segments) == 1  # the customer's segments, read once for the badges and the prices
