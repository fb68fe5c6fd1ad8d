"""Training, storing and activating recommender models from the shop's own interactions."""

import datetime

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.utils import timezone

from commerce.audit.journey import JourneyAction, journey_record
from recommendations import engine
from recommendations.models import ModelVersion, TrainingRun
from recommendations.selectors import engine as engine_selectors
from recommendations.selectors.interactions import customer_interactions, interaction_matrix
from recommendations.services import training
from tests.factories import ProductFactory, customer_with_address, events
from tests.orders.factories import placed_order, stocked_product
from tests.recommendations.factories import review

pytestmark = pytest.mark.django_db

CONFIG = {"weights": {"order": 5.0, "add_to_cart": 3.0, "product_view": 1.0, "rating": 4.0}, "rating_min_score": 3,
          "half_life_days": 30, "lookback_days": 365}


@pytest.fixture(autouse=True)
def _small_training(settings):
    settings.RECOMMENDATIONS_INTERACTIONS = CONFIG
    settings.RECOMMENDATIONS_TRAINING = {
        "candidates": {"for_you": {"als": {"factors": 4, "iterations": 3, "num_threads": 1},
                                   "item_knn": {"neighbours": 5, "num_threads": 1}},
                       "similar": {"item_knn": {"neighbours": 5, "num_threads": 1}}},
        "holdout": {"fraction": 0.2, "seed": 42, "min_items": 3, "k": 5},
        "min_interactions": 5,
    }
    engine_selectors.forget_loaded()
    yield
    engine_selectors.forget_loaded()


def view(customer, product, action=JourneyAction.PRODUCT_VIEW):
    journey_record(action=action, session_id="s", customer_id=customer.pk, product_id=product.pk)


@pytest.fixture
def shop():
    """Six customers, each having viewed four of eight products (two groups of taste)."""
    products = [ProductFactory() for _ in range(8)]
    customers = [customer_with_address()[0] for _ in range(6)]
    for number, customer in enumerate(customers):
        group = products[:4] if number % 2 else products[4:]
        for product in group:
            view(customer, product)
    return customers, products


def test_interaction_matrix_weighs_orders_carts_views_and_ratings():
    # given one customer who viewed, put in the cart, ordered and rated products
    customer, address = customer_with_address()
    viewed, carted, ordered, rated = (stocked_product() for _ in range(4))
    view(customer, viewed)
    view(customer, carted, JourneyAction.ADD_TO_CART)
    placed_order([(ordered, 2)], customer=customer, address=address)
    review(rated, customer, overall=5, quality=5, price=5, utility=5, delivery=5)
    anonymous_product = ProductFactory()
    journey_record(action=JourneyAction.PRODUCT_VIEW, session_id="anon", product_id=anonymous_product.pk)
    # when the matrix is read
    data = interaction_matrix()
    row = data.row_of(customer.pk)
    # then each interaction has its kind's weight (just now: no decay); anonymous steps are left out
    assert row[viewed.pk] == pytest.approx(1.0, rel=1e-3)
    assert row[carted.pk] == pytest.approx(3.0, rel=1e-3)
    assert row[ordered.pk] == pytest.approx(5.0, rel=1e-3)
    assert row[rated.pk] == pytest.approx(4.0, rel=1e-3)
    assert anonymous_product.pk not in data.item_ids
    assert customer_interactions(customer_id=customer.pk) == pytest.approx(row, rel=1e-5)


def test_serving_reads_one_customer_or_one_session_in_few_queries(django_assert_num_queries):
    from recommendations.selectors.interactions import session_interactions

    customer, _ = customer_with_address()
    product, other = ProductFactory(), ProductFactory()
    view(customer, product)
    journey_record(action=JourneyAction.ADD_TO_CART, session_id="anon", product_id=other.pk)
    journey_record(action=JourneyAction.PRODUCT_VIEW, session_id="anon", product_id=other.pk)
    with django_assert_num_queries(3):  # orders, journey steps, ratings of that customer
        assert customer_interactions(customer_id=customer.pk) == pytest.approx({product.pk: 1.0}, rel=1e-3)
    with django_assert_num_queries(1):
        assert session_interactions(session_id="anon") == pytest.approx({other.pk: 4.0}, rel=1e-3)
    assert session_interactions(session_id="") == {}


def test_interaction_matrix_halves_a_weight_every_half_life(frozen_clock):
    customer, _ = customer_with_address()
    product = ProductFactory()
    view(customer, product)
    later = timezone.now() + datetime.timedelta(days=30)
    assert interaction_matrix(now=later).row_of(customer.pk)[product.pk] == pytest.approx(0.5, rel=1e-3)


def test_interaction_matrix_reads_in_a_fixed_number_of_queries(django_assert_num_queries, shop):
    with django_assert_num_queries(3):  # orders, journey steps, ratings: streamed, never model instances
        data = interaction_matrix()
    assert data.nnz == 24


def test_training_weighs_candidates_stores_the_file_and_activates(shop):
    customers, products = shop
    # when a run of "for you" is executed
    run = training.train_now(purpose="for_you", trigger="test")
    # then it is done, with the candidates' figures, and one active version whose file is in the storage
    assert run.status == TrainingRun.Status.DONE, run.error
    assert set(run.metrics["candidates"]) == {"als", "item_knn", "popularity"}
    version = ModelVersion.objects.get(purpose="for_you")
    assert version.state == ModelVersion.State.ACTIVE and version.algorithm == run.metrics["chosen"]
    assert version.interactions == 24 and version.users == 6 and version.items == 8
    assert default_storage.exists(version.file.name)
    assert [e.payload["version_id"] for e in events("recommendations.model.trained")] == [version.pk]
    assert [e.payload["version_id"] for e in events("recommendations.model.activated")] == [version.pk]
    # and the model serves: someone who viewed a product of the first group gets the rest of it
    model = engine_selectors.active_recommender("for_you")
    answer = [pid for pid, _ in model.recommend({products[0].pk: 1.0}, 3)]
    assert set(answer) == {p.pk for p in products[1:4]}


def test_active_recommender_reads_nothing_while_the_version_is_unchanged(shop, django_assert_num_queries):
    training.train_now(purpose="similar", trigger="test")
    first = engine_selectors.active_recommender("similar")
    with django_assert_num_queries(0):
        assert engine_selectors.active_recommender("similar") is first


def test_a_new_version_is_served_once_activated_elsewhere(shop, django_capture_on_commit_callbacks):
    # given a version serving, loaded by this process
    training.train_now(purpose="similar", trigger="test")
    old = engine_selectors.active_recommender("similar")
    # when another process trains and activates a new one (the stamp in the shared cache changes)
    with django_capture_on_commit_callbacks(execute=True):
        run = training.train_now(purpose="similar", algorithm="als", trigger="test")
    new_version = run.versions.get()
    # then this process loads the new one on its next call, and the old version is retired
    model = engine_selectors.active_recommender("similar")
    assert model is not old and model.algorithm == "als"
    assert ModelVersion.objects.filter(state="active").get() == new_version
    assert ModelVersion.objects.filter(state="retired").count() == 1


def test_a_lost_stamp_is_read_again_from_the_database(shop):
    run = training.train_now(purpose="similar", trigger="test")
    cache.clear()
    engine_selectors.forget_loaded()
    assert engine_selectors.active_recommender("similar").algorithm == run.versions.get().algorithm


def test_a_failed_training_changes_nothing(shop, monkeypatch):
    # given a version serving
    training.train_now(purpose="for_you", algorithm="item_knn", trigger="test")
    serving = engine_selectors.active_recommender("for_you")
    files = default_storage.listdir("recommendations/models/for_you")[1]

    def broken(*args, **kwargs):
        raise RuntimeError("the trainer fell over")

    monkeypatch.setattr(engine, "fit", broken)
    # when the next training fails
    run = training.train_now(purpose="for_you", trigger="test")
    # then the run says why, no version or file was added, and the previous model still serves
    assert run.status == TrainingRun.Status.FAILED and "fell over" in run.error
    assert ModelVersion.objects.count() == 1
    assert default_storage.listdir("recommendations/models/for_you")[1] == files
    assert engine_selectors.active_recommender("for_you") is serving
    assert events("recommendations.training.failed")[0].payload["run_id"] == run.pk


def test_a_failure_while_writing_the_version_removes_its_file(shop, monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(training, "_activate", refuse)
    run = training.train_now(purpose="similar", trigger="test")
    assert run.status == TrainingRun.Status.FAILED
    assert ModelVersion.objects.count() == 0
    assert default_storage.listdir("recommendations/models/similar")[1] == []


def test_too_few_interactions_fail_with_a_reason():
    run = training.train_now(purpose="for_you", trigger="test")
    assert run.status == TrainingRun.Status.FAILED and "at least 5" in run.error
    assert engine_selectors.active_recommender("for_you") is None


def test_activate_brings_back_a_retired_version(shop, django_capture_on_commit_callbacks):
    first = training.train_now(purpose="similar", trigger="test").versions.get()
    training.train_now(purpose="similar", algorithm="als", trigger="test")
    assert engine_selectors.active_recommender("similar").algorithm == "als"
    with django_capture_on_commit_callbacks(execute=True):
        training.model_version_activate(version=first)
    first.refresh_from_db()
    assert first.state == ModelVersion.State.ACTIVE
    assert engine_selectors.active_recommender("similar").algorithm == first.algorithm
    assert events("recommendations.model.activated")[-1].payload["previous_version_id"] != first.pk


def test_activate_refuses_a_version_whose_file_is_gone(shop):
    from recommendations.errors import ModelFileUnreadable

    version = training.train_now(purpose="similar", activate=False, trigger="test").versions.get()
    default_storage.delete(version.file.name)
    with pytest.raises(ModelFileUnreadable):
        training.model_version_activate(version=version)
    version.refresh_from_db()
    assert version.state == ModelVersion.State.READY


def test_request_refuses_an_unknown_purpose_or_algorithm():
    from recommendations.errors import TrainingInvalid

    with pytest.raises(TrainingInvalid) as refused:
        training.training_run_request(purpose="everything", algorithm="deep")
    assert set(refused.value.fields) == {"purpose", "algorithm"}
    assert TrainingRun.objects.count() == 0


def test_the_task_trains_a_queued_run(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = training.training_run_queue(purpose="similar", trigger="test")
    run.refresh_from_db()
    assert run.status == TrainingRun.Status.DONE and run.progress_done == run.progress_total


def test_a_run_done_is_not_run_again(shop):
    run = training.train_now(purpose="similar", trigger="test")
    again = training.training_run_execute(run_id=run.pk)
    assert again.status == TrainingRun.Status.DONE and ModelVersion.objects.count() == 1


def test_a_run_whose_worker_died_is_run_again(shop, settings):
    run = training.training_run_request(purpose="similar")
    long_ago = timezone.now() - datetime.timedelta(seconds=training.stale_after() + 1)
    TrainingRun.objects.filter(pk=run.pk).update(status="running", started_at=long_ago)
    assert training.training_run_execute(run_id=run.pk).status == TrainingRun.Status.DONE
    fresh = training.training_run_request(purpose="similar")
    TrainingRun.objects.filter(pk=fresh.pk).update(status="running", started_at=timezone.now())
    assert training.training_run_execute(run_id=fresh.pk).status == TrainingRun.Status.RUNNING
