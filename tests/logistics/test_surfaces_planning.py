"""Planning through its surfaces: the REST re-plan (202, then the run), the planned day, the admin action."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from logistics import services
from logistics.models import PlanningRun, Route
from tests.factories import messages_of
from tests.logistics.factories import centre, driver, scheduled_deliveries, tomorrow, vehicle

pytestmark = pytest.mark.django_db
API = "/api/v1/logistics"


def _day():
    made = centre()
    vehicle(made)
    driver(made, date=tomorrow())
    return made, scheduled_deliveries(3)


def test_a_dispatcher_replans_a_day_and_reads_the_run_and_the_routes(dispatcher, celery_eager,
                                                                     django_capture_on_commit_callbacks):
    made, deliveries = _day()
    with django_capture_on_commit_callbacks(execute=True):
        queued = dispatcher.post(f"{API}/centres/{made.pk}/plan/", {"date": tomorrow().isoformat()}, format="json")
    assert queued.status_code == 202, queued.json()
    assert queued.json()["status"] == "queued" and queued.json()["time_limit"] == 1.0
    run = dispatcher.get(f"{API}/planning-runs/{queued.json()['id']}/").json()
    assert run["status"] == "done" and run["routes"] == 1 and run["stops"] == 3 and run["unassigned"] == []
    assert run["cost"]["currency"] == "EUR" and run["cost"]["amount"] != "0.00"

    day = dispatcher.get(f"{API}/centres/{made.pk}/plan/", {"date": tomorrow().isoformat()})
    assert day.status_code == 200
    body = day.json()
    assert body["run"]["id"] == run["id"] and len(body["routes"]) == 1
    assert {s["delivery_id"] for s in body["routes"][0]["stops"]} == {d.pk for d in deliveries}
    assert body["routes"][0]["state"] == "assigned"


def test_replanning_refuses_bad_input_and_strangers(dispatcher, customer_client, merchandiser):
    made, _ = _day()
    url = f"{API}/centres/{made.pk}/plan/"
    assert dispatcher.post(url, {"date": "tomorrow"}, format="json").status_code == 400
    assert dispatcher.post(url, {"date": tomorrow().isoformat(), "backend": "magic"}, format="json").status_code == 400
    assert dispatcher.post(url, {"date": tomorrow().isoformat(), "time_limit": 99}, format="json").status_code == 400
    missing = dispatcher.post(f"{API}/centres/999999/plan/", {"date": tomorrow().isoformat()}, format="json")
    assert missing.status_code == 404 and missing.json()["code"] == "centre_not_found"
    assert dispatcher.get(url).status_code == 400
    assert dispatcher.get(f"{API}/centres/999999/plan/", {"date": tomorrow().isoformat()}).status_code == 404
    assert dispatcher.get(f"{API}/planning-runs/999999/").json()["code"] == "planning_run_not_found"
    for stranger in (customer_client, merchandiser):
        assert stranger.post(url, {"date": tomorrow().isoformat()}, format="json").status_code == 403
        assert stranger.get(url, {"date": tomorrow().isoformat()}).status_code == 403
    assert not PlanningRun.objects.exists()


def test_the_admin_action_queues_a_plan_and_the_run_page_shows_it(client, admin_dispatcher, celery_eager,
                                                                   django_capture_on_commit_callbacks):
    made, _ = _day()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("admin:logistics_distributioncentre_changelist"),
                             {"action": "plan_day", "_selected_action": [made.pk], "date": tomorrow().isoformat()}, follow=True)
    assert "planning of" in " ".join(messages_of(answer))
    run = PlanningRun.objects.get()
    assert run.status == PlanningRun.Status.DONE and run.requested_by_id is not None
    assert Route.objects.filter(centre=made, date=tomorrow(), state=Route.State.ASSIGNED).count() == 1
    page = client.get(reverse("admin:logistics_planningrun_change", args=[run.pk]))
    assert page.status_code == 200 and "pyvrp" in page.content.decode()
    assert client.get(reverse("admin:logistics_planningrun_changelist")).status_code == 200


def test_the_plan_action_is_not_offered_to_others(client, admin_merchandiser):
    made, _ = _day()
    client.post(reverse("admin:logistics_distributioncentre_changelist"),
                {"action": "plan_day", "_selected_action": [made.pk], "date": tomorrow().isoformat()})
    assert not PlanningRun.objects.exists()


def test_the_planned_day_costs_the_same_queries_at_any_size(dispatcher):
    made, deliveries = _day()
    url = f"{API}/centres/{made.pk}/plan/"
    services.route_create(centre=made, date=tomorrow(), delivery_ids=[deliveries[0].pk])
    with CaptureQueriesContext(connection) as one:
        assert len(dispatcher.get(url, {"date": tomorrow().isoformat()}).json()["routes"]) == 1
    for delivery in deliveries[1:]:
        services.route_create(centre=made, date=tomorrow(), delivery_ids=[delivery.pk])
    with CaptureQueriesContext(connection) as three:
        assert len(dispatcher.get(url, {"date": tomorrow().isoformat()}).json()["routes"]) == 3
    assert len(three) == len(one)
