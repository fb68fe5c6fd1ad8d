"""OptimizeRoute: one route's stops in the best order, through the service and REST."""

import pytest

from commerce.audit.models import DomainEvent
from logistics import services
from logistics.errors import PlanningInvalid, RouteTransitionInvalid
from logistics.models import Route
from tests.logistics import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/logistics"


def _zigzag_route():
    """An assigned route through five deliveries on a line north of the centre, driven in a zigzag."""
    centre = f.centre()
    made = f.scheduled_deliveries(5)  # 1.1, 2.2, 3.3, 4.4 and 5.5 km north
    order = [made[i].pk for i in (3, 0, 4, 1, 2)]
    route = services.route_create(centre=centre, date=f.tomorrow(), delivery_ids=order)
    route = services.route_assign(route=route, driver=f.driver(centre, date=f.tomorrow()), vehicle=f.vehicle(centre))
    return route, made


def _order(route):
    return list(route.stops.order_by("sequence").values_list("delivery_id", flat=True))


def test_a_route_is_put_in_its_best_order_with_its_figures():
    route, made = _zigzag_route()
    before, zigzag = Route.objects.get(pk=route.pk), _order(route)

    optimised = services.route_optimise(route=route, time_limit=1)

    assert set(_order(optimised)) == {d.pk for d in made} and _order(optimised) != zigzag
    assert _order(optimised) in ([d.pk for d in made], [d.pk for d in reversed(made)])  # straight out along the line
    assert optimised.distance_km < before.distance_km and optimised.cost_amount < before.cost_amount
    assert optimised.state == Route.State.ASSIGNED and optimised.driver_id == before.driver_id
    stops = list(optimised.stops.order_by("sequence"))
    assert [s.sequence for s in stops] == [1, 2, 3, 4, 5]
    assert all(a.planned_arrival <= b.planned_arrival for a, b in zip(stops, stops[1:], strict=False))  # in order
    assert sum(s.distance_from_previous_km for s in stops) <= optimised.distance_km
    event = DomainEvent.objects.get(event_type="logistics.route.optimised")
    assert event.payload["delivery_ids"] == _order(optimised) and event.payload["previous_distance_km"] == str(before.distance_km)
    # Already the best order: nothing written again.
    again = services.route_optimise(route=route, time_limit=0.5)
    assert _order(again) == _order(optimised) and DomainEvent.objects.filter(event_type="logistics.route.optimised").count() == 1


def test_a_started_route_or_a_bad_limit_is_refused_and_nothing_changes():
    route, _ = _zigzag_route()
    with pytest.raises(PlanningInvalid):
        services.route_optimise(route=route, time_limit=10_000)
    services.route_start(route=route)
    order = _order(route)
    with pytest.raises(RouteTransitionInvalid):
        services.route_optimise(route=route, time_limit=0.5)
    assert _order(route) == order and not DomainEvent.objects.filter(event_type="logistics.route.optimised").exists()


def test_a_dispatcher_optimises_a_route_through_the_api(dispatcher, customer_client):
    route, made = _zigzag_route()
    url = f"{API}/routes/{route.pk}/optimise/"

    assert customer_client.post(url, {}, format="json").status_code == 403
    assert dispatcher.post(url, {"time_limit": 10_000}, format="json").json()["code"] == "planning_invalid"
    assert dispatcher.post(url, {"fast": True}, format="json").status_code == 400
    assert dispatcher.post(f"{API}/routes/999999/optimise/", {}, format="json").status_code == 404
    answer = dispatcher.post(url, {"time_limit": 1}, format="json")

    assert answer.status_code == 200, answer.json()
    assert [s["delivery_id"] for s in answer.json()["stops"]] == _order(route) != [made[i].pk for i in (3, 0, 4, 1, 2)]
