"""Serving: each intent, the business rules on every one, the placements' pins and exclusions."""

import pytest

from recommendations.errors import PlacementInvalid, PlacementNotFound
from recommendations.models import Placement, PlacementRule, ProductPair, RecommendationList
from recommendations.services.serving import placement_rule_set, placement_update
from recommendations.serving.serve import Context, recommendations_serve
from recommendations.serving.shopper import Shopper
from tests.factories import CustomerFactory, ManufacturerFactory, category, events
from tests.orders.factories import filled_cart, stock_drops, stocked_product
from tests.recommendations.serving_factories import pairs_rebuilt, shopper_of, view

pytestmark = pytest.mark.django_db
ANON = Shopper()


def ids(served):
    return [p.pk for p in served.products]


def test_bought_together_ranks_what_is_bought_with_the_product_above_the_threshold():
    a, b, c, d = (stocked_product(quantity=50) for _ in range(4))
    kept = pairs_rebuilt([a, b], [a, b, c], times=2)
    assert kept >= 2
    assert ProductPair.objects.filter(product_id=a.pk, other_id=b.pk, support=4).exists()
    served = recommendations_serve(placement="product_bought_together", shopper=ANON, context=Context(product_id=a.pk))
    assert ids(served)[:2] == [b.pk, c.pk]
    assert d.pk not in ids(served)
    assert served.list_id is not None
    assert RecommendationList.objects.get(pk=served.list_id).product_ids == ids(served)


def test_bought_together_needs_the_minimum_support(settings):
    settings.RECOMMENDATIONS_PAIR_MIN_SUPPORT = 3
    a, b = stocked_product(quantity=50), stocked_product(quantity=50)
    assert pairs_rebuilt([a, b], times=2) == 0


def test_never_out_of_stock_inactive_in_the_cart_or_just_bought_once():
    a, b, c, d, e = (stocked_product(quantity=50) for _ in range(5))
    pairs_rebuilt([a, b, c, d, e], times=2)
    customer = CustomerFactory()
    stock_drops(b, to=0)
    c.is_active = False
    c.save()
    filled_cart(customer, [(d, 1)])
    served = recommendations_serve(placement="product_bought_together", shopper=shopper_of(customer),
                                   context=Context(product_id=a.pk))
    assert ids(served) == [e.pk]


def test_a_one_off_purchase_just_made_is_not_recommended():
    from tests.factories import customer_with_address
    from tests.orders.factories import placed_order

    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b, c], times=2)
    customer, address = customer_with_address()
    placed_order([(b, 1)], customer=customer, address=address)
    served = recommendations_serve(placement="product_bought_together", shopper=shopper_of(customer),
                                   context=Context(product_id=a.pk))
    assert ids(served) == [c.pk]


def test_similar_falls_back_to_content_for_a_product_without_history():
    shoes, shirts = category("Shoes"), category("Shirts")
    maker = ManufacturerFactory()
    runner = stocked_product(name="Trail running shoe", category=shoes, manufacturer=maker)
    twin = stocked_product(name="Road running shoe", category=shoes)
    cousin = stocked_product(name="Leather boot", category=shoes)
    same_maker = stocked_product(name="Cotton shirt", category=shirts, manufacturer=maker)
    stranger = stocked_product(name="Linen shirt", category=shirts)
    served = recommendations_serve(placement="product_similar", shopper=ANON, context=Context(product_id=runner.pk))
    assert ids(served)[:2] == [twin.pk, cousin.pk]
    assert same_maker.pk in ids(served)
    assert stranger.pk not in ids(served) and runner.pk not in ids(served)


def test_recently_viewed_is_the_shoppers_own_newest_first():
    a, b, c = (stocked_product() for _ in range(3))
    customer, other = CustomerFactory(), CustomerFactory()
    for product in (a, b, a, c):
        view(product, customer=customer)
    view(b, customer=other)
    served = recommendations_serve(placement="home_recently_viewed", shopper=shopper_of(customer))
    assert ids(served) == [c.pk, a.pk, b.pk]
    anonymous = recommendations_serve(placement="home_recently_viewed", shopper=Shopper(session_id="s1"))
    assert anonymous.products == []
    view(a, session_id="s1")
    assert ids(recommendations_serve(placement="home_recently_viewed", shopper=Shopper(session_id="s1"))) == [a.pk]


def test_trending_is_recent_velocity():
    hot, steady = stocked_product(), stocked_product()
    for _ in range(4):
        view(hot, session_id="x")
    view(steady, session_id="y")  # one step is not a trend
    assert ids(recommendations_serve(placement="home_trending", shopper=ANON)) == [hot.pk]


def test_popular_in_a_category_for_an_empty_search():
    shoes, shirts = category("Shoes"), category("Shirts")
    boot, sandal = stocked_product(category=shoes), stocked_product(category=shoes)
    shirt = stocked_product(category=shirts)
    for _ in range(3):
        view(sandal, session_id="x")
    view(shirt, session_id="x")
    served = recommendations_serve(placement="search_popular", shopper=ANON, context=Context(category_id=shoes.pk))
    assert ids(served) == [sandal.pk, boot.pk]


def test_for_you_follows_history_and_falls_back_to_trending_for_a_new_customer():
    a, b, c, hot = (stocked_product(quantity=50) for _ in range(4))
    pairs_rebuilt([a, b], times=2)
    for _ in range(3):
        view(hot, session_id="crowd")
    newcomer = CustomerFactory()
    assert ids(recommendations_serve(placement="home_for_you", shopper=shopper_of(newcomer)))[0] == hot.pk
    regular = CustomerFactory()
    view(a, customer=regular)
    served = recommendations_serve(placement="home_for_you", shopper=shopper_of(regular))
    assert ids(served)[0] == b.pk
    assert a.pk not in ids(served)


def test_pins_take_their_place_and_exclusions_never_show():
    a, b, c, d, pinned = (stocked_product(quantity=50) for _ in range(5))
    pairs_rebuilt([a, b, c, d], times=2)
    placement = Placement.objects.get(key="product_bought_together")
    placement_rule_set(placement_id=placement.pk, product_id=pinned.pk, kind="pin", position=1)
    placement_rule_set(placement_id=placement.pk, product_id=c.pk, kind="exclude")
    served = recommendations_serve(placement="product_bought_together", shopper=ANON, context=Context(product_id=a.pk))
    assert ids(served)[0] == pinned.pk
    assert c.pk not in ids(served) and set(ids(served)) == {pinned.pk, b.pk, d.pk}


def test_a_boost_changes_the_order(django_capture_on_commit_callbacks):
    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b], [a, b, c], times=2)
    placement = Placement.objects.get(key="product_bought_together")
    before = recommendations_serve(placement="product_bought_together", shopper=ANON, context=Context(product_id=a.pk))
    assert ids(before) == [b.pk, c.pk]
    with django_capture_on_commit_callbacks(execute=True):  # the cached lists of the old rules are not read again
        placement_rule_set(placement_id=placement.pk, product_id=c.pk, kind="boost", boost="5")
    after = recommendations_serve(placement="product_bought_together", shopper=ANON, context=Context(product_id=a.pk))
    assert ids(after) == [c.pk, b.pk]


def test_an_inactive_placement_shows_nothing_and_an_unknown_one_is_refused():
    a, b = stocked_product(quantity=50), stocked_product(quantity=50)
    pairs_rebuilt([a, b], times=2)
    placement = Placement.objects.get(key="product_bought_together")
    placement_update(placement_id=placement.pk, data={"is_active": False})
    served = recommendations_serve(placement="product_bought_together", shopper=ANON, context=Context(product_id=a.pk))
    assert served.products == [] and served.list_id is None
    with pytest.raises(PlacementNotFound):
        recommendations_serve(placement="nowhere", shopper=ANON)


def _pins(placement):
    return list(PlacementRule.objects.filter(placement=placement, kind="pin").order_by("position")
                .values_list("position", "product_id"))


def test_a_pin_put_where_another_is_moves_it_and_those_right_behind_it_down():
    a, b, c, d, e = (stocked_product(quantity=50) for _ in range(5))
    placement = Placement.objects.get(key="home_trending")
    for product, position in ((a, 1), (b, 2), (c, 5)):
        placement_rule_set(placement_id=placement.pk, product_id=product.pk, kind="pin", position=position)
    placement_rule_set(placement_id=placement.pk, product_id=d.pk, kind="pin", position=1)
    assert _pins(placement) == [(1, d.pk), (2, a.pk), (3, b.pk), (5, c.pk)]  # c was not in the way
    assert events("recommendations.placement.rule_set")[-1].payload["moved"] == [a.pk, b.pk]
    # a pin moving up within the run: its own old place does not count as taken
    placement_rule_set(placement_id=placement.pk, product_id=b.pk, kind="pin", position=1)
    assert _pins(placement) == [(1, b.pk), (2, d.pk), (3, a.pk), (5, c.pk)]
    # a pin that becomes an exclusion leaves its place; another pin there moves nothing
    placement_rule_set(placement_id=placement.pk, product_id=b.pk, kind="exclude")
    placement_rule_set(placement_id=placement.pk, product_id=e.pk, kind="boost", boost="2")
    assert _pins(placement) == [(2, d.pk), (3, a.pk), (5, c.pk)]


def test_a_pin_with_no_place_left_behind_it_is_refused_and_changes_nothing():
    placement = Placement.objects.get(key="home_trending")
    last, newcomer = stocked_product(), stocked_product()
    placement_rule_set(placement_id=placement.pk, product_id=last.pk, kind="pin", position=24)
    with pytest.raises(PlacementInvalid) as refused:
        placement_rule_set(placement_id=placement.pk, product_id=newcomer.pk, kind="pin", position=24)
    assert "position" in refused.value.fields
    assert _pins(placement) == [(24, last.pk)]
    assert len(events("recommendations.placement.rule_set")) == 1


def test_placement_update_changes_only_the_fields_given():
    placement = Placement.objects.get(key="home_trending")
    placement_update(placement_id=placement.pk, data={"size": 5})
    placement_update(placement_id=placement.pk, data={"name": "Hot now"})
    placement.refresh_from_db()
    assert (placement.name, placement.size) == ("Hot now", 5)
