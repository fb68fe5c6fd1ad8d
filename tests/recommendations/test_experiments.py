"""A/B tests: drafted, started and stopped through the services (one event each, one running test per
placement), shoppers split stickily by a hash and stored once, served in their variant with the list
recording it, and the results with their intervals and sample sizes."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.audit.models import DomainEvent
from commerce.context import session_digest
from recommendations.errors import ExperimentInvalid, ExperimentState
from recommendations.models import Experiment, ExperimentAssignment, RecommendationList
from recommendations.selectors.experiments import experiment_results
from recommendations.services.experiments import (
    experiment_create,
    experiment_start,
    experiment_stop,
    experiment_variant_remove,
    experiment_variant_save,
)
from recommendations.serving import experiments
from recommendations.serving.serve import Context, recommendations_serve
from recommendations.serving.shopper import Shopper
from recommendations.serving.stats import day_bounds, stats_rebuild_day
from tests.factories import CustomerFactory
from tests.orders.factories import stocked_product
from tests.recommendations.experiment_factories import running_test
from tests.recommendations.serving_factories import pairs_rebuilt
from tests.recommendations.test_stats import served as tracked

pytestmark = pytest.mark.django_db


def test_a_test_is_drafted_started_and_stopped_with_its_events(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        experiment, control, other = running_test()
    assert experiment.status == "running" and experiment.running_for == "product_bought_together"
    with pytest.raises(ExperimentState):  # a running test's variants are fixed
        experiment_variant_save(experiment_id=experiment.pk, key="c", name="Another", size=2)
    with pytest.raises(ExperimentState):  # one running test per placement
        running_test()
    stopped = experiment_stop(experiment_id=experiment.pk, reason="enough data")
    assert stopped.status == "stopped" and stopped.running_for is None
    with pytest.raises(ExperimentState):
        experiment_stop(experiment_id=experiment.pk)
    running_test()  # the placement is free again
    types = list(DomainEvent.objects.filter(stream_type="recommendation_ab_test", stream_id=str(experiment.pk))
                 .values_list("event_type", flat=True))
    assert types == ["recommendations.ab_test.created", "recommendations.ab_test.variant_saved",
                     "recommendations.ab_test.variant_saved", "recommendations.ab_test.started",
                     "recommendations.ab_test.stopped"]


@pytest.mark.parametrize("values, field", [
    ({"key": "bad key!"}, "key"), ({"weight": 0}, "weight"), ({"intent": "nope"}, "intent"), ({"size": 30}, "size"),
    ({"is_control": True, "size": 3}, "is_control"), ({"model_version_id": 10**9}, "model_version"),
    ({"name": ""}, "name"),
])
def test_a_bad_variant_is_refused_and_changes_nothing(values, field):
    experiment = experiment_create(name="T", placement="home_for_you")
    with pytest.raises(ExperimentInvalid) as caught:
        experiment_variant_save(experiment_id=experiment.pk, **{"key": "b", "name": "B", **values})
    assert field in caught.value.fields
    assert not experiment.variants.exists()


def test_a_test_needs_a_control_and_a_treatment_and_a_known_placement():
    with pytest.raises(ExperimentInvalid):
        experiment_create(name="T", placement="nowhere")
    with pytest.raises(ExperimentInvalid):
        experiment_create(name="T", placement="home_for_you", minimum_effect="0")
    experiment = experiment_create(name="T", placement="home_for_you")
    only = experiment_variant_save(experiment_id=experiment.pk, key="b", name="B", size=2)
    with pytest.raises(ExperimentInvalid):
        experiment_start(experiment_id=experiment.pk)
    experiment_variant_remove(variant_id=only.pk)
    assert not experiment.variants.exists()
    assert Experiment.objects.get(pk=experiment.pk).status == "draft"


def test_assignment_is_sticky_weighted_and_independent_of_order():
    spec = experiments.ExperimentSpec(id=1, placement="p", salt="abc", variants=(
        experiments.VariantSpec(id=1, key="a", is_control=True, weight=1),
        experiments.VariantSpec(id=2, key="b", is_control=False, weight=3)))
    chosen = [experiments.choose(spec, f"c{n}").id for n in range(2000)]
    assert chosen == [experiments.choose(spec, f"c{n}").id for n in range(2000)]  # the same every time
    assert 0.70 < chosen.count(2) / 2000 < 0.80  # 3 to 1
    other = experiments.ExperimentSpec(id=2, placement="p", salt="xyz", variants=spec.variants)
    assert [experiments.choose(other, f"c{n}").id for n in range(2000)] != chosen  # each test splits anew


def test_serving_uses_the_variant_records_it_and_stores_the_assignment_once(django_capture_on_commit_callbacks,
                                                                            django_assert_num_queries):
    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b, c], times=2)
    with django_capture_on_commit_callbacks(execute=True):
        experiment, control, other = running_test(treatment={"size": 1})
    by_variant = {}
    while len(by_variant) < 2 or min(len(v) for v in by_variant.values()) < 3:  # until both have shoppers
        shopper = Shopper(customer_id=CustomerFactory().pk)
        first = recommendations_serve(placement="product_bought_together", shopper=shopper, context=Context(product_id=a.pk))
        again = recommendations_serve(placement="product_bought_together", shopper=shopper, context=Context(product_id=a.pk))
        assert first.variant_id == again.variant_id != 0
        by_variant.setdefault(first.variant_id, []).append(len(first.products))
    assert set(by_variant[other.pk]) == {1} and set(by_variant[control.pk]) == {2}  # the treatment's size
    assert ExperimentAssignment.objects.filter(experiment_id=experiment.pk).count() == sum(map(len, by_variant.values()))
    assert set(RecommendationList.objects.values_list("variant_id", flat=True)) == {control.pk, other.pk}
    # a visitor without a session is in no test; a session is
    anonymous = recommendations_serve(placement="product_bought_together", shopper=Shopper(), context=Context(product_id=a.pk))
    assert anonymous.variant_id == 0 and len(anonymous.products) == 2
    guest = Shopper(session_id=session_digest("guest"))
    assert recommendations_serve(placement="product_bought_together", shopper=guest,
                                 context=Context(product_id=a.pk)).variant_id in (control.pk, other.pk)
    assert ExperimentAssignment.objects.filter(subject=f"s{guest.session_id}").count() == 1


def test_a_warm_list_in_a_test_costs_no_query_for_the_test(django_capture_on_commit_callbacks, django_assert_num_queries):
    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b, c], times=2)
    shopper = Shopper(customer_id=CustomerFactory().pk)
    recommendations_serve(placement="product_bought_together", shopper=shopper, context=Context(product_id=a.pk))
    with django_assert_num_queries(2):  # without a test, warm: the products, the list's INSERT
        recommendations_serve(placement="product_bought_together", shopper=shopper, context=Context(product_id=a.pk))
    with django_capture_on_commit_callbacks(execute=True):
        running_test()
    recommendations_serve(placement="product_bought_together", shopper=shopper, context=Context(product_id=a.pk))
    with django_assert_num_queries(2):  # in a test, warm: the same two
        recommendations_serve(placement="product_bought_together", shopper=shopper, context=Context(product_id=a.pk))
    newcomer = Shopper(customer_id=CustomerFactory().pk)
    recommendations_serve(placement="product_bought_together", shopper=newcomer, context=Context(product_id=a.pk))
    assert ExperimentAssignment.objects.filter(customer_id=newcomer.customer_id).count() == 1
    other = Shopper(customer_id=CustomerFactory().pk)
    recommendations_serve(placement="product_bought_together", shopper=other, context=Context(product_id=a.pk),
                          track=False)  # warms their lists (the cache warming stores no assignment)
    assert not ExperimentAssignment.objects.filter(customer_id=other.customer_id).exists()
    with django_assert_num_queries(2 + 1):  # their first list shown: the products, the INSERT, and the assignment
        recommendations_serve(placement="product_bought_together", shopper=other, context=Context(product_id=a.pk))
    assert ExperimentAssignment.objects.filter(customer_id=other.customer_id).count() == 1


def test_a_variant_with_another_intent_serves_it():
    a, b, c = (stocked_product(quantity=50) for _ in range(3))
    pairs_rebuilt([a, b, c], times=2)
    experiment, control, other = running_test(treatment={"intent": "popular"}, control_weight=1)
    found = set()
    for _n in range(10):
        list_ = recommendations_serve(placement="product_bought_together", shopper=Shopper(customer_id=CustomerFactory().pk),
                                      context=Context(product_id=a.pk))
        found.add((list_.variant_id, list_.intent))
    assert (other.pk, "popular") in found
    assert RecommendationList.objects.filter(variant_id=other.pk, intent="popular").exists()


def test_results_per_variant_with_intervals_p_values_and_sample_sizes():
    experiment, control, other = running_test()
    Experiment.objects.filter(pk=experiment.pk).update(started_at=timezone.now() - datetime.timedelta(days=3))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    at = day_bounds(yesterday)[0] + datetime.timedelta(hours=1)
    for n in range(20):
        tracked(at, variant_id=control.pk, clicks=1 if n < 4 else 0, purchases=[("5.00", "EUR")] if n < 2 else ())
        tracked(at, variant_id=other.pk, clicks=1 if n < 10 else 0, purchases=[("5.00", "EUR")] if n < 5 else ())
    tracked(at, variant_id=0, clicks=1)  # outside the test
    stats_rebuild_day(day=yesterday)
    results = experiment_results(experiment_id=experiment.pk)
    first, second = results.variants
    assert first.variant == control and second.variant == other
    assert (first.clicked.successes, first.clicked.n, second.clicked.successes) == (4, 20, 10)
    assert first.clicked.value == 0.2 and second.clicked.value == 0.5
    low, high = second.clicked.interval
    assert low < 0.5 < high and 0.28 < low < 0.30  # Wilson, 10 of 20
    assert first.clicked.p_value is None and 0.04 < second.clicked.p_value < 0.06
    assert first.converted.needed == second.converted.needed > 1000  # from the control's 10 %, +10 %
    assert second.totals.revenue == {"EUR": Decimal("25.00")}


def test_a_variant_with_its_own_model_version_ranks_with_it(settings):
    from recommendations.selectors import engine as engine_selectors
    from recommendations.services import training
    from tests.recommendations.serving_factories import view
    from tests.recommendations.training_factories import small_training, two_taste_shop

    small_training(settings)
    products = two_taste_shop(products=6)
    old = training.train_now(purpose="for_you", trigger="test").versions.get()
    new = training.train_now(purpose="for_you", trigger="test").versions.get()
    assert new.state == "active" and old.pk != new.pk
    experiment, control, other = running_test("home_for_you", treatment={"model_version_id": old.pk}, control_weight=1)
    seen = {}
    for _n in range(8):
        customer = CustomerFactory()
        view(products[0], customer=customer)
        list_ = recommendations_serve(placement="home_for_you", shopper=Shopper(customer_id=customer.pk))
        seen[list_.variant_id] = list_.model_version
    assert seen[other.pk] == old.pk
    assert seen.get(control.pk, new.pk) == new.pk
    engine_selectors.forget_loaded()
