"""Recommendations over REST: the queries, the tracking commands, bad input, and the SQL a warm list costs."""

import uuid

import pytest
from django.urls import reverse

from recommendations.models import RecommendationClick, RecommendationList
from tests.factories import category
from tests.orders.factories import filled_cart, stocked_product
from tests.recommendations.serving_factories import pairs_rebuilt, view

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"recommendations_api:{name}", kwargs=kwargs or None)


def test_bought_together_answers_a_list_with_its_id(api_client):
    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b], [a, b, c], times=2)
    response = api_client.get(url("recommendations_bought_together", product_id=a.pk))
    assert response.status_code == 200, response.content
    body = response.json()
    assert [p["id"] for p in body["products"]] == [b.pk, c.pk]
    assert body["intent"] == "bought_together" and body["placement"] == "product_bought_together"
    row = RecommendationList.objects.get(pk=body["list_id"])
    assert row.impressed_at is None and row.channel == "api"  # the client reports its impressions
    assert body["products"][0]["price"] == {"amount": str(b.price_amount), "currency": b.price_currency}


def test_the_customers_cart_list_leaves_out_what_is_in_it(customer_client, customer):
    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b, c], times=2)
    filled_cart(customer, [(a, 1), (b, 1)])
    body = customer_client.get(url("recommendations_cart")).json()
    assert [p["id"] for p in body["products"]] == [c.pk]
    assert RecommendationList.objects.get(pk=body["list_id"]).customer_id == customer.pk


def test_recently_viewed_and_for_you_of_the_customer(customer_client, customer):
    a, b = stocked_product(quantity=50), stocked_product(quantity=50)
    pairs_rebuilt([a, b], times=2)
    view(a, customer=customer)
    assert [p["id"] for p in customer_client.get(url("recommendations_recently_viewed")).json()["products"]] == [a.pk]
    assert [p["id"] for p in customer_client.get(url("recommendations_for_you")).json()["products"]][0] == b.pk


def test_popular_in_a_category_and_an_unknown_category(api_client):
    shoes = category("Shoes")
    boot = stocked_product(category=shoes)
    stocked_product()
    body = api_client.get(url("recommendations_popular"), {"category": shoes.slug}).json()
    assert [p["id"] for p in body["products"]] == [boot.pk]
    response = api_client.get(url("recommendations_popular"), {"category": "nope"})
    assert response.status_code == 404 and response.json()["code"] == "category_not_found"


@pytest.mark.parametrize("params, field", [({"limit": "0"}, "limit"), ({"limit": "x"}, "limit"),
                                           ({"placement": "bad slug!"}, "placement")])
def test_bad_query_parameters_are_refused(api_client, params, field):
    response = api_client.get(url("recommendations_trending"), params)
    assert response.status_code == 400 and field in response.json()["fields"]


def test_a_placement_of_another_intent_is_not_found(api_client):
    response = api_client.get(url("recommendations_trending"), {"placement": "product_similar"})
    assert response.status_code == 404 and response.json()["code"] == "placement_not_found"


def test_an_unknown_product_is_not_found(api_client):
    assert api_client.get(url("recommendations_similar", product_id=10**12)).status_code == 404


def test_impressions_and_clicks_of_the_customers_own_lists(customer_client, api_client):
    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b, c], times=2)
    body = customer_client.get(url("recommendations_bought_together", product_id=a.pk)).json()
    list_id = body["list_id"]
    marked = customer_client.post(url("recommendations_impressions"), {"list_ids": [list_id, str(uuid.uuid4())]}, format="json")
    assert marked.status_code == 200 and marked.json() == {"marked": 1}
    again = customer_client.post(url("recommendations_impressions"), {"list_ids": [list_id]}, format="json")
    assert again.json() == {"marked": 0}  # idempotent
    clicked = customer_client.post(url("recommendations_clicks"), {"list_id": list_id, "product_id": c.pk}, format="json")
    assert clicked.status_code == 201 and clicked.json()["position"] == 2
    # someone else cannot click on it, and a product not in it is refused
    stranger = api_client.post(url("recommendations_clicks"), {"list_id": list_id, "product_id": c.pk}, format="json")
    assert stranger.status_code == 404 and stranger.json()["code"] == "recommendation_list_not_found"
    wrong = customer_client.post(url("recommendations_clicks"), {"list_id": list_id, "product_id": a.pk}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "recommendation_not_in_list"
    assert RecommendationClick.objects.count() == 1


@pytest.mark.parametrize("body", [{}, {"list_ids": []}, {"list_ids": ["nope"]}, {"list_ids": [], "extra": 1}])
def test_bad_impressions_are_refused(customer_client, body):
    assert customer_client.post(url("recommendations_impressions"), body, format="json").status_code == 400


def test_a_warm_list_costs_one_query_and_its_insert(customer_client, customer, django_assert_num_queries):
    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b, c], times=2)
    view(a, customer=customer)
    customer_client.get(url("recommendations_for_you"))  # cold: computed and cached
    # warm: the token's user, the products, the list's INSERT
    with django_assert_num_queries(3):
        body = customer_client.get(url("recommendations_for_you")).json()
    assert body["products"]


def test_performance_per_placement_for_staff_only(customer_client, merchandiser, django_assert_max_num_queries):
    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b, c], times=2)
    first = customer_client.get(url("recommendations_bought_together", product_id=a.pk)).json()
    customer_client.get(url("recommendations_bought_together", product_id=b.pk))  # served, never seen
    customer_client.post(url("recommendations_impressions"), {"list_ids": [first["list_id"]]}, format="json")
    customer_client.post(url("recommendations_clicks"), {"list_id": first["list_id"], "product_id": b.pk}, format="json")
    assert customer_client.get(url("recommendations_performance")).status_code == 403
    # the token, the permissions (user, groups), the stored days, today's lists, clicks and conversions
    with django_assert_max_num_queries(7):
        response = merchandiser.get(url("recommendations_performance"), {"days": "7"})
    assert response.status_code == 200
    assert response.json() == [{"placement": "product_bought_together", "intent": "bought_together", "model_version": None,
                                "lists": 2, "impressions": 1, "clicks": 1, "add_to_carts": 0, "purchases": 0,
                                "revenue": [], "ctr": 1.0, "add_to_cart_rate": 0.0, "conversion_rate": 0.0}]
    assert merchandiser.get(url("recommendations_performance"), {"days": "0"}).status_code == 400
