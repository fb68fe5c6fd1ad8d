"""Merchandising over REST (placements, UpdateRecommendationScore) and a customer's recommendations
(GetRecommendationsForCustomer, GenerateRecommendations): who may, what it changes, bad input."""

import pytest
from django.urls import reverse

from recommendations.models import Placement, PlacementRule, RecommendationList
from recommendations.serving.serve import Context, recommendations_serve
from recommendations.serving.shopper import Shopper
from tests.factories import CustomerFactory, events
from tests.orders.factories import stocked_product
from tests.recommendations.serving_factories import pairs_rebuilt, view

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"recommendations_api:{name}", kwargs=kwargs or None)


def test_a_merchandiser_pins_excludes_and_removes_through_the_api(merchandiser, django_capture_on_commit_callbacks):
    a, b, c, star = (stocked_product(quantity=50) for _ in range(4))
    pairs_rebuilt([a, b, c], times=2)
    rules = url("recommendations_placement_rules", key="product_bought_together")
    with django_capture_on_commit_callbacks(execute=True):
        pinned = merchandiser.post(rules, {"product_id": star.pk, "kind": "pin", "position": 1}, format="json")
        excluded = merchandiser.post(rules, {"product_id": c.pk, "kind": "exclude"}, format="json")
    assert pinned.status_code == 200, pinned.content
    assert pinned.json() == {"id": pinned.json()["id"], "product_id": star.pk, "kind": "pin", "position": 1, "boost": "1.00"}
    served = recommendations_serve(placement="product_bought_together", shopper=Shopper(), context=Context(product_id=a.pk))
    assert [p.pk for p in served.products] == [star.pk, b.pk]
    assert [e.channel for e in events("recommendations.placement.rule_set")] == ["api", "api"]

    listed = {p["key"]: p for p in merchandiser.get(url("recommendations_placements")).json()}
    assert {(r["product_id"], r["kind"]) for r in listed["product_bought_together"]["rules"]} == {(star.pk, "pin"),
                                                                                                 (c.pk, "exclude")}
    with django_capture_on_commit_callbacks(execute=True):
        assert merchandiser.delete(url("recommendations_placement_rule", rule_id=excluded.json()["id"])).status_code == 204
    assert merchandiser.delete(url("recommendations_placement_rule", rule_id=excluded.json()["id"])).status_code == 404
    served = recommendations_serve(placement="product_bought_together", shopper=Shopper(), context=Context(product_id=a.pk))
    assert c.pk in [p.pk for p in served.products]


def test_a_placement_changes_only_in_the_fields_sent(merchandiser):
    response = merchandiser.patch(url("recommendations_placement", key="home_trending"), {"size": 4}, format="json")
    assert response.status_code == 200 and response.json()["size"] == 4
    placement = Placement.objects.get(key="home_trending")
    assert (placement.size, placement.name, placement.is_active) == (4, "Home: trending now", True)


@pytest.mark.parametrize("body, status, field", [
    ({"product_id": 1, "kind": "star"}, 400, "kind"),
    ({"product_id": 1, "kind": "pin", "position": 0}, 400, "position"),
    ({"product_id": 1, "kind": "pin", "position": 25}, 400, "position"),
    ({"product_id": 1, "kind": "boost", "boost": "50"}, 400, "boost"),
    ({"product_id": "x", "kind": "pin"}, 400, "product_id"),
    ({"product_id": 1, "kind": "pin", "score": 3}, 400, "score"),
    ({"product_id": 10**9, "kind": "pin"}, 404, "product"),
])
def test_a_bad_rule_is_refused_and_changes_nothing(merchandiser, body, status, field):
    response = merchandiser.post(url("recommendations_placement_rules", key="home_trending"), body, format="json")
    assert response.status_code == status and field in response.json()["fields"]
    assert not PlacementRule.objects.exists()


def test_unknown_placements_and_bad_placement_changes(merchandiser):
    product = stocked_product()
    assert merchandiser.post(url("recommendations_placement_rules", key="sidebar"), {"product_id": product.pk, "kind": "pin"},
                             format="json").status_code == 404
    assert merchandiser.patch(url("recommendations_placement", key="sidebar"), {"size": 3}, format="json").status_code == 404
    for body in ({"size": 0}, {"intent": "magic"}, {"key": "renamed"}, {"name": ""}):
        assert merchandiser.patch(url("recommendations_placement", key="home_trending"), body, format="json").status_code == 400
    assert Placement.objects.get(key="home_trending").size == 8


def test_merchandising_needs_the_placement_permissions(api_client, customer_client, dispatcher):
    product = stocked_product()
    calls = [("get", url("recommendations_placements"), None),
             ("patch", url("recommendations_placement", key="home_trending"), {"size": 3}),
             ("post", url("recommendations_placement_rules", key="home_trending"), {"product_id": product.pk, "kind": "pin"}),
             ("delete", url("recommendations_placement_rule", rule_id=1), None)]
    for method, address, body in calls:
        assert getattr(api_client, method)(address, body, format="json").status_code == 401, address
        assert getattr(customer_client, method)(address, body, format="json").status_code == 403, address
        assert getattr(dispatcher, method)(address, body, format="json").status_code == 403, address
    assert not PlacementRule.objects.exists() and Placement.objects.get(key="home_trending").size == 8


def test_a_customers_recommendations_for_them_and_for_staff_who_may_see_them(customer, customer_client, api_client,
                                                                            support, merchandiser):
    a, b = stocked_product(quantity=50), stocked_product(quantity=50)
    pairs_rebuilt([a, b], times=2)
    view(a, customer=customer)
    mine = customer_client.get(url("recommendations_customer", customer_id=customer.pk))
    assert mine.status_code == 200
    assert mine.json()["list_id"] is None and [p["id"] for p in mine.json()["products"]][0] == b.pk
    assert not RecommendationList.objects.exists()  # nobody was shown it
    recent = customer_client.get(url("recommendations_customer", customer_id=customer.pk), {"placement": "home_recently_viewed"})
    assert [p["id"] for p in recent.json()["products"]] == [a.pk]

    # staff who may see every customer: the same list; one who may not: refused; nobody: 404
    assert support.get(url("recommendations_customer", customer_id=customer.pk)).json()["products"] == mine.json()["products"]
    assert merchandiser.get(url("recommendations_customer", customer_id=customer.pk)).status_code == 403
    assert support.get(url("recommendations_customer", customer_id=10**9)).json()["code"] == "customer_not_found"

    # someone else's, a product placement, an anonymous client
    other = CustomerFactory()
    assert customer_client.get(url("recommendations_customer", customer_id=other.pk)).status_code == 403
    assert customer_client.get(url("recommendations_customer", customer_id=customer.pk),
                               {"placement": "product_similar"}).status_code == 404
    assert customer_client.get(url("recommendations_customer", customer_id=customer.pk),
                               {"placement": "no such"}).status_code == 400
    assert api_client.get(url("recommendations_customer", customer_id=customer.pk)).status_code == 401


def test_generate_computes_the_list_again_and_records_one_event(customer, customer_client):
    a, b = stocked_product(quantity=50), stocked_product(quantity=50)
    pairs_rebuilt([a, b], times=2)
    view(a, customer=customer)
    response = customer_client.post(url("recommendations_customer_generate", customer_id=customer.pk), {}, format="json")
    assert response.status_code == 200 and response.json() == {"placement": "home_for_you", "product_ids": [b.pk]}
    generated = events("recommendations.generated")
    assert len(generated) == 1 and generated[0].payload["trigger"] == "api"
    served = recommendations_serve(placement="home_for_you", shopper=Shopper(customer_id=customer.pk))
    assert served.source == "local"  # warm for their next page
    assert customer_client.post(url("recommendations_customer_generate", customer_id=customer.pk),
                                {"placement": "cart_bought_together"}, format="json").status_code == 404
    assert customer_client.post(url("recommendations_customer_generate", customer_id=customer.pk),
                                {"extra": 1}, format="json").status_code == 400
    assert len(events("recommendations.generated")) == 1
