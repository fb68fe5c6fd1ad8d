"""Merchandisers editing one placement's rules at once, on MariaDB: real threads, each with its own
connection. Every rule command locks the placement (``Kind.PLACEMENT``), so none is lost, pins keep
distinct positions, and a product's rule is never inserted twice."""

from collections import Counter

import pytest
from django.db import connection

from commerce.audit.models import DomainEvent
from recommendations.models import Placement, PlacementRule
from recommendations.services.serving import placement_rule_remove, placement_rule_set, placement_update
from recommendations.serving.placements import DEFAULTS
from tests.integration.concurrency import run_in_threads
from tests.orders.factories import stocked_product

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _placement(key: str) -> Placement:
    """The default placement (its migration's row is flushed by an earlier transactional test)."""
    name, intent, size = DEFAULTS[key]
    return Placement.objects.get_or_create(key=key, defaults={"name": name, "intent": intent, "size": size})[0]


def _pin(placement, product, position):
    return lambda: placement_rule_set(placement_id=placement.pk, product_id=product.pk, kind="pin", position=position).pk


def test_pins_put_at_one_position_at_once_each_get_a_place_of_their_own():
    assert connection.vendor == "mysql"
    # given: a placement with a pin at 2 and one at 3, and six products to pin
    placement = _placement("home_trending")
    held = [stocked_product() for _ in range(2)]
    for position, product in enumerate(held, start=2):
        placement_rule_set(placement_id=placement.pk, product_id=product.pk, kind="pin", position=position)
    newcomers = [stocked_product() for _ in range(6)]

    # when: six merchandisers pin their product at position 2 at the same moment
    outcomes = run_in_threads([_pin(placement, product, 2) for product in newcomers])

    # then: every pin is there, at distinct positions 2..9 (none lost, none sharing a place); the last
    # one saved holds 2 and the two pins there before kept their order behind the newcomers
    assert Counter(kind for kind, _ in outcomes) == {"ok": 6}, outcomes
    pins = list(PlacementRule.objects.filter(placement=placement, kind="pin").order_by("position")
                .values_list("position", "product_id"))
    assert [position for position, _ in pins] == list(range(2, 10))
    assert {product for _, product in pins} == {p.pk for p in held + newcomers}
    assert [product for _, product in pins][-2:] == [p.pk for p in held]
    assert DomainEvent.objects.filter(event_type="recommendations.placement.rule_set").count() == 8


def test_rules_for_one_product_set_at_once_leave_one_rule_and_every_event():
    placement = _placement("product_similar")
    product = stocked_product()
    jobs = [
        lambda: placement_rule_set(placement_id=placement.pk, product_id=product.pk, kind="pin", position=1).pk,
        lambda: placement_rule_set(placement_id=placement.pk, product_id=product.pk, kind="exclude").pk,
        lambda: placement_rule_set(placement_id=placement.pk, product_id=product.pk, kind="boost", boost="3").pk,
        lambda: placement_rule_set(placement_id=placement.pk, product_id=product.pk, kind="pin", position=4).pk,
        lambda: placement_update(placement_id=placement.pk, data={"size": 5}).pk,
    ]
    outcomes = run_in_threads(jobs)

    # no duplicate key, no deadlock: every command succeeded, one after the other
    assert Counter(kind for kind, _ in outcomes) == {"ok": 5}, outcomes
    rule = PlacementRule.objects.get(placement=placement, product=product)
    last = DomainEvent.objects.filter(event_type="recommendations.placement.rule_set").order_by("-id").first()
    assert rule.kind == last.payload["kind"]  # the row is the last command's
    assert DomainEvent.objects.filter(event_type="recommendations.placement.rule_set").count() == 4
    assert Placement.objects.get(pk=placement.pk).size == 5


def test_a_rule_removed_twice_at_once_is_removed_once():
    placement = _placement("home_for_you")
    rule = placement_rule_set(placement_id=placement.pk, product_id=stocked_product().pk, kind="exclude")
    outcomes = run_in_threads([lambda: placement_rule_remove(rule_id=rule.pk)] * 3)

    kinds = Counter(kind if kind == "ok" else getattr(value, "code", type(value).__name__) for kind, value in outcomes)
    assert kinds == {"ok": 1, "placement_not_found": 2}, outcomes
    assert not PlacementRule.objects.filter(placement=placement).exists()
    assert DomainEvent.objects.filter(event_type="recommendations.placement.rule_removed").count() == 1
