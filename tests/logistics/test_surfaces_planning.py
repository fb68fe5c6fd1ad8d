"""Planning through its surfaces: the REST re-plan (202, then the run), the planned day, the admin action."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from logistics import services
from logistics.models import PlanningRun, Route
from logistics.planning import Progress, plan_routes
from logistics.services.planning import planning_run_execute, planning_run_request
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
    for limit in (10_000, 0, -1, "long", None):
        refused = dispatcher.post(url, {"date": tomorrow().isoformat(), "time_limit": limit}, format="json")
        assert refused.status_code == 400 and "time_limit" in refused.json()["fields"], (limit, refused.json())
    missing = dispatcher.post(f"{API}/centres/999999/plan/", {"date": tomorrow().isoformat()}, format="json")
    assert missing.status_code == 404 and missing.json()["code"] == "centre_not_found"
    assert dispatcher.get(url).status_code == 400
    assert dispatcher.get(f"{API}/centres/999999/plan/", {"date": tomorrow().isoformat()}).status_code == 404
    assert dispatcher.get(f"{API}/planning-runs/999999/").json()["code"] == "planning_run_not_found"
    for stranger in (customer_client, merchandiser):
        assert stranger.post(url, {"date": tomorrow().isoformat()}, format="json").status_code == 403
        assert stranger.get(url, {"date": tomorrow().isoformat()}).status_code == 403
    assert not PlanningRun.objects.exists()


def test_a_client_time_limit_is_kept_within_the_configured_bound(dispatcher, settings):
    settings.LOGISTICS_PLAN_MAX_TIME_LIMIT = 45
    made, _ = _day()
    url = f"{API}/centres/{made.pk}/plan/"

    over = dispatcher.post(url, {"date": tomorrow().isoformat(), "time_limit": 45.5}, format="json")
    taken = dispatcher.post(url, {"date": tomorrow().isoformat(), "time_limit": 45}, format="json")

    assert over.status_code == 400
    assert over.json()["code"] == "planning_invalid" and over.json()["fields"] == {"time_limit": ["From 0.1 to 45 seconds."]}
    assert taken.status_code == 202 and taken.json()["time_limit"] == 45.0
    assert list(PlanningRun.objects.values_list("time_limit", flat=True)) == [45.0]


def test_a_running_plan_shows_its_progress_in_the_api_and_the_admin(dispatcher, client, admin_dispatcher):
    """While the solver searches, the run's best plan so far is readable (REST and admin), then its figures."""
    made, _ = _day()
    run = planning_run_request(centre=made, date=tomorrow(), time_limit=2)
    seen = {}

    def solve(problem, **kwargs):
        plan = plan_routes(problem, **kwargs)  # its progress reports are stored on the run as they come
        seen["solver"] = PlanningRun.objects.get(pk=run.pk).progress
        kwargs["progress"](Progress(elapsed=0.8, time_limit=2.0, cost=123.456, served=3, stops=3, solutions=2))
        seen["api"] = dispatcher.get(f"{API}/planning-runs/{run.pk}/").json()
        seen["admin"] = client.get(reverse("admin:logistics_planningrun_changelist")).content.decode()
        return plan

    done = planning_run_execute(run_id=run.pk, solve=solve)

    assert seen["solver"]["served"] == 3 and seen["solver"]["elapsed"] <= 2.0 and seen["solver"]["best_cost"] != "0.00"
    assert seen["api"]["status"] == "running"
    progress = seen["api"]["progress"]
    assert progress["best_cost"] == {"amount": "123.46", "currency": "EUR"} and progress["elapsed"] == 0.8
    assert progress["served"] == 3 and progress["stops"] == 3 and progress["solutions"] == 2 and progress["time_limit"] == 2.0
    assert "best 123.46 EUR, 3 of 3 stops served, after 0.8 of 2 s" in seen["admin"]
    assert done.status == PlanningRun.Status.DONE and dispatcher.get(f"{API}/planning-runs/{run.pk}/").json()["progress"]


def test_the_admin_action_queues_a_plan_and_the_run_page_shows_it(client, admin_dispatcher, celery_eager,
                                                                   django_capture_on_commit_callbacks):
    made, _ = _day()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("admin:logistics_distributioncentre_changelist"),
                             {"action": "plan_day", "_selected_action": [made.pk], "date": tomorrow().isoformat(),
                              "time_limit": "1.5"}, follow=True)
    assert "planning of" in " ".join(messages_of(answer))
    run = PlanningRun.objects.get()
    assert run.status == PlanningRun.Status.DONE and run.requested_by_id is not None and run.time_limit == 1.5
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
