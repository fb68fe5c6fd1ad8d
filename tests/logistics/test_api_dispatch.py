"""The dispatch console's edits over REST: what a dispatcher does on the console's map (move, take
off, lock, re-optimise) they can do through the API, with the same versions, refusals and events."""

import datetime

import pytest

from commerce.audit.models import DomainEvent
from logistics import services
from logistics.models import PlanningRun, Route, Stop
from tests.factories import CustomerFactory, StaffFactory, token_client
from tests.logistics import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/logistics"


@pytest.fixture
def day():
    """A centre's day with two assigned routes of two stops each: (centre, date, routes, deliveries)."""
    centre, date = f.centre(), f.tomorrow()
    deliveries = f.scheduled_deliveries(4)
    routes = []
    for part in (deliveries[:2], deliveries[2:]):
        route = services.route_create(centre=centre, date=date, delivery_ids=[d.pk for d in part])
        routes.append(services.route_assign(route=route, driver=f.driver(centre, date=date), vehicle=f.vehicle(centre)))
    return centre, date, routes, deliveries


def _order(route_id) -> list[int]:
    return list(Stop.objects.filter(route_id=route_id).order_by("sequence").values_list("delivery_id", flat=True))


def test_a_dispatcher_moves_a_stop_to_another_route_and_both_are_recalculated(dispatcher, day):
    _, _, (first, second), deliveries = day
    plan = dispatcher.get(f"{API}/routes/{second.pk}/").json()
    assert plan["version"] == second.version and plan["stops"][0]["locked"] is False

    moved = dispatcher.post(f"{API}/dispatch/stops/move/", {
        "delivery_id": deliveries[0].pk, "route_id": second.pk, "position": 1,
        "versions": [{"route_id": first.pk, "version": first.version}, {"route_id": second.pk, "version": second.version}],
    }, format="json")

    assert moved.status_code == 200, moved.json()
    body = moved.json()
    assert body["id"] == second.pk and [s["delivery_id"] for s in body["stops"]] == [deliveries[0].pk, *_order(second.pk)[1:]]
    assert body["version"] == second.version + 1 and body["distance_km"] != plan["distance_km"]
    assert _order(first.pk) == [deliveries[1].pk]
    assert DomainEvent.objects.filter(event_type="logistics.stop.moved", channel="api").count() == 1


def test_an_edit_against_an_old_version_is_refused_and_changes_nothing(dispatcher, day):
    _, _, (first, second), deliveries = day
    stale = dispatcher.post(f"{API}/dispatch/stops/move/", {
        "delivery_id": deliveries[0].pk, "route_id": first.pk, "position": 2,
        "versions": [{"route_id": first.pk, "version": first.version + 5}]}, format="json")

    assert stale.status_code == 409 and stale.json()["code"] == "plan_stale"
    assert _order(first.pk) == [deliveries[0].pk, deliveries[1].pk]
    assert not DomainEvent.objects.filter(event_type="logistics.stop.moved").exists()


def test_a_dispatcher_locks_stops_and_reoptimises_the_day_around_them(dispatcher, day):
    centre, date, (first, second), deliveries = day
    locked = dispatcher.post(f"{API}/dispatch/stops/lock/", {"delivery_ids": [deliveries[2].pk], "locked": True}, format="json")
    assert locked.status_code == 200 and [r["id"] for r in locked.json()] == [second.pk]
    assert locked.json()[0]["stops"][0]["locked"] is True and Stop.objects.get(holds=deliveries[2]).locked

    run = dispatcher.post(f"{API}/centres/{centre.pk}/reoptimise/", {"date": date.isoformat(), "time_limit": 0.5}, format="json")

    assert run.status_code == 200, run.json()
    assert run.json()["status"] == "done" and "re-optimised" in run.json()["solver"]
    assert Stop.objects.get(holds=deliveries[2]).route_id == second.pk  # the pinned stop stayed on its route
    assert DomainEvent.objects.filter(event_type="logistics.plan.reoptimised", channel="api").count() == 1
    unlocked = dispatcher.post(f"{API}/dispatch/stops/lock/", {"delivery_ids": [deliveries[2].pk], "locked": False}, format="json")
    assert unlocked.status_code == 200 and not Stop.objects.get(holds=deliveries[2]).locked


def test_a_dispatcher_takes_a_stop_off_and_puts_it_back_from_the_unassigned(dispatcher, day):
    _, _, (first, _), deliveries = day
    off = dispatcher.post(f"{API}/dispatch/stops/remove/", {"delivery_id": deliveries[0].pk}, format="json")
    assert off.status_code == 200 and [s["delivery_id"] for s in off.json()["stops"]] == [deliveries[1].pk]

    back = dispatcher.post(f"{API}/dispatch/stops/move/", {"delivery_id": deliveries[0].pk, "route_id": first.pk, "position": 2},
                           format="json")
    assert back.status_code == 200 and _order(first.pk) == [deliveries[1].pk, deliveries[0].pk]


def test_a_started_route_is_the_drivers_and_refuses_edits(dispatcher, day):
    _, _, (first, _), deliveries = day
    services.route_start(route=first)
    refused = dispatcher.post(f"{API}/dispatch/stops/remove/", {"delivery_id": deliveries[0].pk}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "route_not_editable"
    assert _order(first.pk) == [deliveries[0].pk, deliveries[1].pk]


@pytest.mark.parametrize(("path", "body", "status", "code"), [
    ("dispatch/stops/move/", {"delivery_id": "{d}", "route_id": "{r}", "position": 0}, 400, "invalid"),
    ("dispatch/stops/move/", {"delivery_id": "{d}", "route_id": "{r}", "position": 9}, 400, "dispatch_edit_invalid"),
    ("dispatch/stops/move/", {"delivery_id": 999999, "route_id": "{r}", "position": 1}, 404, "delivery_not_found"),
    ("dispatch/stops/move/", {"delivery_id": "{d}", "route_id": 999999, "position": 1}, 404, "route_not_found"),
    ("dispatch/stops/move/", {"delivery_id": "{d}", "route_id": "{r}", "position": 1, "versions": [{"route_id": "x"}]},
     400, "invalid"),
    ("dispatch/stops/remove/", {"delivery_id": "{d}", "colour": "red"}, 400, "unknown_field"),
    ("dispatch/stops/lock/", {"delivery_ids": [], "locked": True}, 400, "invalid"),
    ("dispatch/stops/lock/", {"delivery_ids": [999999], "locked": True}, 400, "dispatch_edit_invalid"),
    ("centres/{c}/reoptimise/", {"date": "{day}", "time_limit": 60}, 400, "planning_invalid"),
    ("centres/{c}/reoptimise/", {"date": "{day}", "time_limit": 0.01}, 400, "invalid"),
    ("centres/999999/reoptimise/", {"date": "{day}"}, 404, "centre_not_found"),
])
def test_bad_input_is_refused_with_its_code_and_changes_nothing(dispatcher, day, path, body, status, code):
    centre, date, (first, _), deliveries = day
    values = {"{d}": deliveries[0].pk, "{r}": first.pk, "{day}": date.isoformat()}
    body = {k: values.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    versions = {r.pk: r.version for r in Route.objects.all()}

    answer = dispatcher.post(f"{API}/{path.replace('{c}', str(centre.pk))}", body, format="json")

    assert answer.status_code == status and answer.json()["code"] == code
    assert {r.pk: r.version for r in Route.objects.all()} == versions
    assert not PlanningRun.objects.exists()


def test_reoptimising_a_day_far_away_or_closed_answers_without_a_server_error(dispatcher, day):
    centre, *_ = day
    for date in ("0001-01-01", "9999-12-31", (f.tomorrow() + datetime.timedelta(days=400)).isoformat()):
        answer = dispatcher.post(f"{API}/centres/{centre.pk}/reoptimise/", {"date": date}, format="json")
        assert answer.status_code < 500, (date, answer.content)


@pytest.mark.parametrize("who", ["customer", "merchandiser", "driver", "anonymous"])
def test_only_dispatchers_edit_the_plan(day, api_client, who):
    centre, date, (first, _), deliveries = day
    client = {"customer": lambda: token_client(CustomerFactory()),
              "merchandiser": lambda: token_client(StaffFactory(groups=["Merchandisers"])),
              "driver": lambda: token_client(first.driver.user), "anonymous": lambda: api_client}[who]()
    calls = [("dispatch/stops/move/", {"delivery_id": deliveries[0].pk, "route_id": first.pk, "position": 2}),
             ("dispatch/stops/remove/", {"delivery_id": deliveries[0].pk}),
             ("dispatch/stops/lock/", {"delivery_ids": [deliveries[0].pk], "locked": True}),
             (f"centres/{centre.pk}/reoptimise/", {"date": date.isoformat()})]
    for path, body in calls:
        answer = client.post(f"{API}/{path}", body, format="json")
        assert answer.status_code == (401 if who == "anonymous" else 403), (path, answer.status_code)
    assert _order(first.pk) == [deliveries[0].pk, deliveries[1].pk] and not Stop.objects.filter(locked=True).exists()


def test_the_route_list_shows_locks_versions_and_the_console_and_locks_by_action(client, admin_dispatcher, day):
    from django.urls import reverse

    centre, date, (first, second), _ = day
    routes = reverse("admin:logistics_route_changelist")
    client.post(routes, {"action": "lock_stops", "_selected_action": [first.pk]})

    assert set(Stop.objects.filter(locked=True).values_list("route_id", flat=True)) == {first.pk}
    assert DomainEvent.objects.filter(event_type="logistics.stop.lock_changed", channel="admin").count() == 2
    page = client.get(routes).content.decode()
    assert f"centre={centre.pk}&amp;date={date.isoformat()}" in page and "Locked" in page
    detail = client.get(reverse("admin:logistics_route_change", args=[first.pk])).content.decode()
    assert "Locked" in detail
    client.post(routes, {"action": "free_stops", "_selected_action": [first.pk, second.pk]})
    assert not Stop.objects.filter(locked=True).exists()
