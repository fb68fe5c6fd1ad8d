"""The logistics KPIs: read models projected from the events, the six queries, the REST API, the admin panels."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from logistics.kpi_models import DeliveryRatingFact, RouteFact, StopFact
from logistics.kpis import projection, queries
from logistics.models import Delivery
from logistics.services import execution
from orders.models import OrderLine
from recommendations.services import reviews
from tests.logistics.driver_factories import todays_route

pytestmark = pytest.mark.django_db

API = "/api/v1/logistics/kpis"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def _worked_day():
    """A route of today: stop 1 delivered on time, stop 2 delivered late (its window closed at 00:01),
    stop 3 failed (nobody home); the route completed."""
    route, courier = todays_route(count=3, start=True)
    first, second, third = route.stops.order_by("sequence")
    Delivery.objects.filter(pk__in=[first.delivery_id, third.delivery_id]).update(window_start=datetime.time(0, 0),
                                                                                  window_end=datetime.time(23, 59))
    Delivery.objects.filter(pk=second.delivery_id).update(window_start=datetime.time(0, 0), window_end=datetime.time(0, 1))
    execution.stop_complete(driver=courier, stop_id=first.pk, recipient_name="Camille")
    execution.stop_complete(driver=courier, stop_id=second.pk, recipient_name="Louis")
    execution.stop_fail(driver=courier, stop_id=third.pk, code="not_at_home")
    execution.driver_route_complete(driver=courier, route_id=route.pk)
    return route, courier, (first, second, third)


def _today() -> queries.Period:
    today = timezone.localdate()
    return queries.Period(date_from=today, date_to=today)


def test_the_facts_are_projected_from_the_events_and_a_rebuild_gives_the_same_rows():
    route, _, stops = _worked_day()

    facts = {f.stop_id: f for f in StopFact.objects.all()}
    assert set(facts) == {s.pk for s in stops}
    assert [facts[s.pk].outcome for s in stops] == ["delivered", "delivered", "failed"]
    assert (facts[stops[0].pk].on_time, facts[stops[1].pk].on_time) == (True, False)
    assert facts[stops[1].pk].lateness_minutes > 0 and facts[stops[0].pk].lateness_minutes == 0
    route_fact = RouteFact.objects.get(route_id=route.pk)
    assert (route_fact.stops, route_fact.delivered, route_fact.failed) == (3, 2, 1)
    assert route_fact.nearest_distance_km > 0 and route_fact.capacity_parcels == 120 and route_fact.shift_minutes == 16 * 60

    def snapshot():
        return (sorted(StopFact.objects.values_list("stop_id", "outcome", "on_time", "lateness_minutes", "delay_minutes")),
                sorted(RouteFact.objects.values_list("route_id", "driven_distance_km", "nearest_cost_amount", "cost_amount")))

    before = snapshot()
    assert projection.rebuild() == {"stops": 3, "routes": 1, "days": 0, "ratings": 0}
    assert snapshot() == before


def test_delivery_performance_time_analytics_efficiency_capacity_and_cost(django_assert_max_num_queries):
    route, _, _ = _worked_day()

    with django_assert_max_num_queries(3):
        performance = queries.delivery_performance(_today())
    assert (performance["attempts"], performance["delivered"], performance["failed"]) == (3, 2, 1)
    assert str(performance["on_time_rate"]) == "0.6667" and str(performance["failed_rate"]) == "0.3333"
    assert performance["late"] == 1 and performance["average_lateness_minutes"] > 0
    reasons = {r["reason"]: r["count"] for r in performance["failed_by_reason"]}
    assert reasons["not_at_home"] == 1 and reasons["refused"] == 0

    times = queries.delivery_time_analytics(_today())
    assert times["attempts"] == 3 and sum(h["attempts"] for h in times["by_hour"]) == 3
    efficiency = queries.route_efficiency(_today())
    assert efficiency["routes"] == 1 and efficiency["stops"] == 3 and efficiency["planned_km_per_stop"] > 0
    capacity = queries.capacity_utilization(_today())
    assert capacity["vehicle_days"] == 1 and 0 < capacity["vehicles"][0]["load_utilization"] < 1
    with django_assert_max_num_queries(4):  # routes listed and summed, planned days listed and summed
        analysis = queries.logistics_cost_analysis(_today())
    [cost] = analysis["currencies"]
    route.refresh_from_db()
    assert cost["cost"] == route.cost_amount and cost["deliveries"] == 2
    assert cost["cost_per_delivery"] == (route.cost_amount / 2).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert cost["saving"] == cost["nearest_neighbour_cost"] - cost["cost"]
    # the saving of each route: its cost against nearest-neighbour dispatch of its own stops
    fact = RouteFact.objects.get(route_id=route.pk)
    [per_route] = analysis["routes"]
    assert (per_route["route_id"], per_route["cost"], per_route["nearest_neighbour_cost"]) == (
        route.pk, route.cost_amount, fact.nearest_cost_amount)
    assert per_route["saving"] == fact.nearest_cost_amount - route.cost_amount and per_route["stops"] == 3
    assert sum(r["saving"] for r in analysis["routes"]) == cost["saving"]
    assert queries.delivery_performance(queries.Period(date_from=_today().date_from, date_to=_today().date_to,
                                                       centre_id=route.centre_id + 1000))["attempts"] == 0


def test_the_delivery_stars_of_a_review_are_tied_to_the_delivery_that_brought_it(committed):
    _, _, stops = _worked_day()
    late = stops[1]
    delivery = Delivery.objects.get(pk=late.delivery_id)
    product_id = OrderLine.objects.filter(order_id=delivery.order_id).values_list("product_id", flat=True).first()

    review = committed(lambda: reviews.review_submit(customer=delivery.customer, product_id=product_id,
                                                     ratings={"overall": 4, "quality": 4, "price": 4, "utility": 4, "delivery": 2}))

    fact = DeliveryRatingFact.objects.get(review_id=review.pk)
    assert (fact.stars, fact.stop_id, fact.on_time) == (2, late.pk, False)
    satisfaction = queries.customer_satisfaction(_today())
    assert satisfaction["ratings"] == 1 and str(satisfaction["average_stars"]) == "2.00"
    assert str(satisfaction["average_when_late"]) == "2.00" and satisfaction["average_when_on_time"] is None
    committed(lambda: reviews.review_delete(review_id=review.pk, customer=delivery.customer))
    assert not DeliveryRatingFact.objects.filter(review_id=review.pk).exists()


def test_each_kpi_over_rest_for_dispatchers_only(dispatcher, customer_client):
    _worked_day()
    today = timezone.localdate().isoformat()

    for name in ("delivery-performance", "route-efficiency", "capacity-utilization", "delivery-time-analytics",
                 "customer-satisfaction", "cost-analysis"):
        answer = dispatcher.get(f"{API}/{name}/", {"date_from": today, "date_to": today})
        assert answer.status_code == 200, (name, answer.json())
        assert answer.json()["date_from"] == today
        assert customer_client.get(f"{API}/{name}/").status_code == 403
    assert dispatcher.get(f"{API}/delivery-performance/").json()["attempts"] == 3  # the last 30 days by default
    too_long = dispatcher.get(f"{API}/delivery-performance/", {"date_from": "2020-01-01", "date_to": today})
    assert too_long.status_code == 400 and "date_from" in too_long.json()["fields"]
    routes = dispatcher.get(f"{API}/cost-analysis/", {"date_from": today, "date_to": today}).json()["routes"]
    assert len(routes) == 1 and set(routes[0]) >= {"route_id", "saving", "saving_rate", "nearest_neighbour_cost"}
    backwards = dispatcher.get(f"{API}/cost-analysis/", {"date_from": today, "date_to": "2020-01-01"})
    assert backwards.status_code == 400


def test_the_admin_home_shows_the_kpi_panels_with_their_charts(client, admin_dispatcher):
    _worked_day()

    page = client.get(reverse("admin:index")).content.decode()

    assert "Deliveries: on time and failed" in page and "Failed deliveries by reason" in page
    assert "Routes: efficiency, load and cost" in page and "Saved vs nearest-neighbour" in page
    assert "Each completed route against nearest-neighbour dispatch of its stops" in page
    assert "vendor/chartjs/chart.umd.min.js" in page and "Nobody at home" in page
