"""Serving with a trained model: "for you" from the model, with what the customer just did counted
(their factors recalculated from the item factors), similar products from the model's neighbours and
content similarity for a product it never saw; a newly activated model is served at once."""

import pytest

from recommendations.selectors import engine as engine_selectors
from recommendations.services import training
from recommendations.serving.serve import Context, recommendations_serve
from tests.factories import CustomerFactory
from tests.orders.factories import stocked_product
from tests.recommendations.serving_factories import shopper_of, view
from tests.recommendations.training_factories import small_training, two_taste_shop

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_training(settings):
    small_training(settings)
    yield
    engine_selectors.forget_loaded()


@pytest.fixture
def shop():
    """Eight products in stock in two groups of taste, six customers each having viewed one group."""
    return two_taste_shop()


def ids(served):
    return [p.pk for p in served.products]


def test_for_you_comes_from_the_model_and_follows_what_the_customer_just_did(shop):
    run = training.train_now(purpose="for_you", trigger="test")
    version = run.versions.get(state="active")
    customer = CustomerFactory()
    view(shop[0], customer=customer)
    served = recommendations_serve(placement="home_for_you", shopper=shopper_of(customer))
    assert served.model_version == version.pk
    assert set(ids(served)[:3]) == {p.pk for p in shop[1:4]}
    assert shop[0].pk not in ids(served)
    for product in shop[4:7]:  # the customer's taste moves: the next list shows it, no retraining
        view(product, customer=customer)
    moved = recommendations_serve(placement="home_for_you", shopper=shopper_of(customer))
    assert ids(moved)[0] == shop[7].pk


def test_similar_from_the_model_and_content_for_a_cold_product(shop):
    run = training.train_now(purpose="similar", trigger="test")
    version = run.versions.get(state="active")
    served = recommendations_serve(placement="product_similar", shopper=shopper_of(CustomerFactory()),
                                   context=Context(product_id=shop[0].pk))
    assert served.model_version == version.pk
    assert set(ids(served)[:3]) == {p.pk for p in shop[1:4]}
    cold = stocked_product(category=shop[5].category, name="Brand new thing")
    fallback = recommendations_serve(placement="product_similar", shopper=shopper_of(CustomerFactory()),
                                     context=Context(product_id=cold.pk))
    assert fallback.model_version is None and shop[5].pk in ids(fallback)


def test_a_model_activated_later_is_served_at_once(shop, django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    view(shop[0], customer=customer)
    before = recommendations_serve(placement="home_for_you", shopper=shopper_of(customer))
    assert before.model_version is None
    with django_capture_on_commit_callbacks(execute=True):  # the stamp is set after commit
        run = training.train_now(purpose="for_you", trigger="test")
    after = recommendations_serve(placement="home_for_you", shopper=shopper_of(customer))
    assert after.source == "computed" and after.model_version == run.versions.get().pk


def test_a_click_on_a_list_is_an_interaction_the_model_learns_from(settings):
    from recommendations.selectors.interactions import customer_interactions
    from recommendations.services.serving import recommendation_click_track
    from tests.recommendations.serving_factories import pairs_rebuilt

    settings.RECOMMENDATIONS_INTERACTIONS = {**settings.RECOMMENDATIONS_INTERACTIONS,
                                             "weights": {"product_view": 1.0, "recommendation_click": 2.0}}
    a, b = stocked_product(quantity=50), stocked_product(quantity=50)
    pairs_rebuilt([a, b], times=2)
    customer = CustomerFactory()
    served = recommendations_serve(placement="product_bought_together", shopper=shopper_of(customer),
                                   context=Context(product_id=a.pk))
    recommendation_click_track(list_id=served.list_id, product_id=b.pk, shopper=shopper_of(customer))
    assert customer_interactions(customer_id=customer.pk) == pytest.approx({b.pk: 2.0}, rel=1e-3)


def test_an_anonymous_session_gets_the_models_list_from_its_views(shop):
    from recommendations.serving.shopper import Shopper

    version = training.train_now(purpose="for_you", trigger="test").versions.get(state="active")
    view(shop[4], session_id="visitor")
    served = recommendations_serve(placement="home_for_you", shopper=Shopper(session_id="visitor"))
    assert served.model_version == version.pk
    assert set(ids(served)[:3]) == {p.pk for p in shop[5:8]}


def test_a_cold_list_from_the_model_costs_the_same_few_queries_whatever_the_history(shop, django_assert_num_queries):
    training.train_now(purpose="for_you", trigger="test")
    light, heavy = CustomerFactory(), CustomerFactory()
    view(shop[0], customer=light)
    for product in shop[:3] * 6:  # the fourth of their group is left for the model to recommend
        view(product, customer=heavy)
    recommendations_serve(placement="home_trending", shopper=shopper_of(light))  # the model and placements loaded
    for customer in (light, heavy):
        # cart, purchases (exclusions); orders, steps, ratings (the interactions: clicks weigh nothing
        # here); the products; the list's INSERT
        with django_assert_num_queries(7):
            served = recommendations_serve(placement="home_for_you", shopper=shopper_of(customer))
        assert served.source == "computed" and served.model_version is not None
