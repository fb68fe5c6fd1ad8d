"""The logistics REST API: dispatchers run routes and deliveries; drivers read only their own routes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logistics import services
from logistics.models import Route
from tests.factories import token_client
from tests.logistics.factories import assigned_route, centre, driver, scheduled_deliveries, tomorrow, vehicle

pytestmark = pytest.mark.django_db

API = "/api/v1/logistics"


def test_a_dispatcher_creates_assigns_starts_and_completes_a_route(dispatcher):
    made = centre()
    deliveries = scheduled_deliveries(2)
    the_driver, van = driver(made, date=tomorrow()), vehicle(made)

    created = dispatcher.post(f"{API}/routes/", {"centre_id": made.pk, "date": tomorrow().isoformat(),
                                                  "delivery_ids": [deliveries[1].pk, deliveries[0].pk]}, format="json")
    assert created.status_code == 201, created.json()
    route = created.json()
    assert route["state"] == "planned" and [s["delivery_id"] for s in route["stops"]] == [deliveries[1].pk, deliveries[0].pk]
    assert route["stops"][0]["window_start"] == "09:00" and route["cost"] == {"amount": "0.00", "currency": "EUR"}

    assigned = dispatcher.post(f"{API}/routes/{route['id']}/assign/", {"driver_id": the_driver.pk, "vehicle_id": van.pk},
                               format="json")
    assert assigned.status_code == 200 and assigned.json()["driver"]["id"] == the_driver.pk
    assert assigned.json()["cost"]["amount"] != "0.00"
    started = dispatcher.post(f"{API}/routes/{route['id']}/start/")
    assert started.status_code == 200 and started.json()["state"] == "in_progress"
    again = dispatcher.post(f"{API}/routes/{route['id']}/start/")
    assert again.status_code == 409 and again.json()["code"] == "route_transition_invalid"

    early = dispatcher.post(f"{API}/routes/{route['id']}/complete/")
    assert early.status_code == 409 and early.json()["code"] == "route_not_finished"
    arrived = dispatcher.post(f"{API}/deliveries/{deliveries[1].pk}/status/", {"status": "arrived"}, format="json")
    assert arrived.status_code == 200 and arrived.json()["status"] == "arrived"
    assert dispatcher.post(f"{API}/deliveries/{deliveries[1].pk}/complete/").json()["status"] == "delivered"
    failed = dispatcher.post(f"{API}/deliveries/{deliveries[0].pk}/fail/", {"reason": "Nobody home"}, format="json")
    assert failed.json()["status"] == "failed" and failed.json()["failure_reason"] == "Nobody home"
    done = dispatcher.post(f"{API}/routes/{route['id']}/complete/")
    assert done.status_code == 200 and [s["state"] for s in done.json()["stops"]] == ["delivered", "failed"]


def test_routes_by_date_and_a_drivers_routes_cost_the_same_queries_at_any_size(dispatcher):
    route = assigned_route(count=2)

    by_date = dispatcher.get(f"{API}/routes/", {"date": route.date.isoformat()})
    other_day = dispatcher.get(f"{API}/routes/", {"date": (route.date + datetime.timedelta(days=1)).isoformat()})
    of_driver = dispatcher.get(f"{API}/drivers/{route.driver_id}/routes/")

    assert [r["number"] for r in by_date.json()["results"]] == [route.number]
    assert other_day.json()["count"] == 0
    assert of_driver.json()["results"][0]["stops"][1]["sequence"] == 2
    with CaptureQueriesContext(connection) as one:
        dispatcher.get(f"{API}/routes/", {"date": route.date.isoformat()})
    services.route_create(centre=route.centre, date=route.date, delivery_ids=[d.pk for d in scheduled_deliveries(4)])
    with CaptureQueriesContext(connection) as two:
        assert dispatcher.get(f"{API}/routes/", {"date": route.date.isoformat()}).json()["count"] == 2
    assert len(two) == len(one)


def test_a_driver_sees_only_their_own_routes():
    route = assigned_route(count=1)
    own = token_client(route.driver.user)
    other_driver = driver(route.centre)
    other = token_client(other_driver.user)

    assert own.get(f"{API}/routes/{route.pk}/").status_code == 200
    assert own.get(f"{API}/me/routes/").json()["results"][0]["id"] == route.pk
    assert own.get(f"{API}/drivers/{route.driver_id}/routes/").json()["count"] == 1
    assert other.get(f"{API}/routes/{route.pk}/").json()["code"] == "route_not_found"
    assert other.get(f"{API}/drivers/{route.driver_id}/routes/").json()["code"] == "driver_not_found"
    assert other.get(f"{API}/me/routes/").json()["count"] == 0
    assert own.get(f"{API}/routes/").status_code == 403  # every route: dispatchers only
    assert own.post(f"{API}/routes/{route.pk}/start/").status_code == 403


def test_customers_and_anonymous_clients_are_refused(customer_client, api_client):
    route = assigned_route(count=1)

    assert customer_client.get(f"{API}/routes/{route.pk}/").status_code == 404
    assert customer_client.get(f"{API}/deliveries/").status_code == 403
    assert api_client.get(f"{API}/routes/").status_code == 401


def test_deliveries_are_listed_and_scheduled(dispatcher):
    centre()
    [delivery] = scheduled_deliveries(1)
    day = timezone.localdate() + datetime.timedelta(days=3)

    listed = dispatcher.get(f"{API}/deliveries/", {"status": "scheduled"}).json()
    moved = dispatcher.post(f"{API}/deliveries/{delivery.pk}/schedule/",
                            {"date": day.isoformat(), "window_start": "14:00", "window_end": "16:00"}, format="json")

    assert [d["order_number"] for d in listed["results"]] == [delivery.order_number]
    assert moved.status_code == 200 and (moved.json()["date"], moved.json()["window_start"]) == (day.isoformat(), "14:00")
    assert dispatcher.get(f"{API}/deliveries/{delivery.pk}/").json()["route_id"] is None


@pytest.mark.parametrize(("path", "body", "code"), [
    ("routes/", {"centre_id": 1, "date": "2026-01-01", "delivery_ids": []}, "invalid"),
    ("routes/", {"centre_id": 1, "date": "2026-01-01", "delivery_ids": [1], "cost": "0"}, "unknown_field"),
    ("routes/", {"centre_id": "٣", "date": "2026-01-01", "delivery_ids": [1]}, "invalid"),
    ("routes/", {"centre_id": 10**30, "date": "2026-01-01", "delivery_ids": [1]}, "invalid"),
    ("deliveries/{d}/schedule/", {"date": "yesterday"}, "invalid"),
    ("deliveries/{d}/schedule/", {"date": "2020-01-01"}, "delivery_invalid"),
    ("deliveries/{d}/status/", {"status": "delivered"}, "invalid"),
    ("deliveries/{d}/fail/", {"reason": "x" * 100_000}, "invalid"),
])
def test_bad_input_is_a_400_and_changes_nothing(dispatcher, path, body, code):
    centre()
    [delivery] = scheduled_deliveries(1)

    answer = dispatcher.post(f"{API}/{path.format(d=delivery.pk)}", body, format="json")

    assert answer.status_code == 400 and answer.json()["code"] == code
    assert not Route.objects.exists()
    delivery.refresh_from_db()
    assert delivery.status == "scheduled" and delivery.date == tomorrow()


def test_html_in_a_failure_reason_comes_back_as_data_not_markup(dispatcher):
    route = assigned_route(count=1)
    dispatcher.post(f"{API}/routes/{route.pk}/start/")
    delivery = route.stops.get().delivery

    answer = dispatcher.post(f"{API}/deliveries/{delivery.pk}/fail/", {"reason": "<script>alert(1)</script>"}, format="json")

    assert answer["Content-Type"] == "application/json"
    assert answer.json()["failure_reason"] == "<script>alert(1)</script>"


def test_a_dispatcher_cancels_a_route_not_started(dispatcher):
    route = assigned_route(count=1)

    answer = dispatcher.post(f"{API}/routes/{route.pk}/cancel/", {"reason": "Re-planned"}, format="json")
    again = dispatcher.post(f"{API}/routes/{route.pk}/cancel/", {"reason": "Re-planned"}, format="json")

    assert answer.status_code == 200 and (answer.json()["state"], answer.json()["stops"]) == ("cancelled", [])
    assert again.status_code == 409 and again.json()["code"] == "route_transition_invalid"


def test_the_delivery_list_costs_the_same_queries_at_any_size(dispatcher):
    route = assigned_route(count=1)
    with CaptureQueriesContext(connection) as one:
        assert dispatcher.get(f"{API}/deliveries/").json()["results"][0]["route_id"] == route.pk
    scheduled_deliveries(3)
    with CaptureQueriesContext(connection) as four:
        assert dispatcher.get(f"{API}/deliveries/").json()["count"] == 4
    assert len(four) == len(one)
