"""The dispatch console in the back office: who sees it, the page, and every edit through its plain
forms (the path without JavaScript): success redirects back to the day, a refusal shows the day with
the message and the error's status, and changes nothing."""

import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from logistics import services
from logistics.models import Delivery, DistributionCentre, PlanningRun, Route, Stop
from tests.factories import StaffFactory
from tests.logistics import factories as f
from tests.logistics.test_dispatch_services import order_of, two_routes

pytestmark = pytest.mark.django_db
URL = "/admin/logistics/dispatchconsole/"


def edit_url(action):
    return reverse("admin:logistics_dispatchconsole_edit", args=[action])


@pytest.fixture
def dispatcher(client):
    client.force_login(StaffFactory(username="dispatch", groups=["Dispatchers"]))
    return client


def where(centre, date, **values):
    return {"centre": centre.pk, "date": date.isoformat(), **values}


def test_only_dispatchers_see_the_console(client):
    assert client.get(URL).status_code == 302  # to the log-in page
    client.force_login(StaffFactory(username="merch", groups=["Merchandisers"]))
    assert client.get(URL).status_code == 403
    assert client.post(edit_url("reoptimise"), {}).status_code == 403
    assert "Dispatch console" not in client.get("/admin/").content.decode()
    client.force_login(StaffFactory(username="dispatch", groups=["Dispatchers"]))
    assert "Dispatch console" in client.get("/admin/").content.decode()


def test_the_console_shows_the_day_on_the_map_and_in_the_list(dispatcher):
    centre, date, (first, second), deliveries = two_routes()
    stray = f.scheduled_deliveries(1)[0]  # waiting for a route

    response = dispatcher.get(URL, {"centre": centre.pk, "date": date.isoformat()})

    assert response.status_code == 200
    page = response.content.decode()
    for route in (first, second):
        assert route.number in page
    assert all(d.order_number in page for d in deliveries)
    data = json.loads(re.search(r'<script id="console-map-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert [r["id"] for r in data["routes"]] == [first.pk, second.pk]
    assert [s["delivery"] for s in data["routes"][0]["stops"]] == [d.pk for d in deliveries[:3]]
    assert data["centre"]["at"] == [float(centre.latitude), float(centre.longitude)]
    assert [u["delivery"] for u in data["unassigned"]] == [stray.pk]
    assert 'class="load-bar' in page and "scheduled after the last planning" in page
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page), "the page loads nothing from another host"
    assert "vendor/leaflet/leaflet.js" in page


def test_the_console_defaults_to_the_next_day_with_routes(dispatcher):
    _, date, (first, _), _ = two_routes()
    page = dispatcher.get(URL).content.decode()
    assert first.number in page and f'value="{date.isoformat()}"' in page


def test_a_stop_is_moved_with_the_plain_form(dispatcher):
    centre, date, (first, second), deliveries = two_routes()
    response = dispatcher.post(edit_url("move"), where(centre, date, delivery=deliveries[0].pk, route=second.pk, position=1,
                                                       versions=f"{first.pk}:0,{second.pk}:0"))
    assert response.status_code == 302 and response["Location"].startswith(URL)
    assert order_of(second)[0] == deliveries[0].pk
    page = dispatcher.get(response["Location"]).content.decode()
    assert "Stop moved; times and cost recalculated." in page


def test_a_stale_form_gets_a_conflict_and_changes_nothing(dispatcher):
    centre, date, (first, second), deliveries = two_routes()
    dispatcher.post(edit_url("stop"), where(centre, date, do="lock", delivery=deliveries[0].pk, versions=f"{first.pk}:0"))
    response = dispatcher.post(edit_url("move"), where(centre, date, delivery=deliveries[1].pk, route=first.pk, position=1,
                                                       versions=f"{first.pk}:0,{second.pk}:0"))
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert order_of(first) == [d.pk for d in deliveries[:3]]


@pytest.mark.parametrize("values", [
    {"position": "abc"}, {"position": "0"}, {"versions": "x:y"}, {"route": ""}, {"position": "99"},
])
def test_bad_input_gets_a_4xx_and_changes_nothing(dispatcher, values):
    centre, date, (first, _), deliveries = two_routes()
    data = where(centre, date, **{"delivery": deliveries[0].pk, "route": first.pk, "position": 2, "versions": "", **values})
    response = dispatcher.post(edit_url("move"), data)
    assert response.status_code == 400
    assert 'id="console-error"' in response.content.decode()
    assert order_of(first) == [d.pk for d in deliveries[:3]]


def test_a_stop_form_moves_removes_and_unlocks(dispatcher):
    centre, date, (first, second), deliveries = two_routes()
    response = dispatcher.post(edit_url("stop"), where(centre, date, do="move", delivery=deliveries[1].pk, route=first.pk, position=1))
    assert response.status_code == 302 and order_of(first)[0] == deliveries[1].pk
    response = dispatcher.post(edit_url("stop"), where(centre, date, do="move", delivery=deliveries[1].pk))
    assert response.status_code == 400 and "Required to move a stop." in response.content.decode()
    assert dispatcher.post(edit_url("stop"), where(centre, date, do="remove", delivery=deliveries[1].pk)).status_code == 302
    assert not Stop.objects.filter(holds=deliveries[1]).exists()
    dispatcher.post(edit_url("stop"), where(centre, date, do="lock", delivery=deliveries[3].pk))
    assert dispatcher.post(edit_url("stop"), where(centre, date, do="unlock", delivery=deliveries[3].pk)).status_code == 302
    assert not Stop.objects.get(holds=deliveries[3]).locked
    assert dispatcher.post(edit_url("stop"), where(centre, date, do="explode", delivery=deliveries[3].pk)).status_code == 400


def test_unknown_edits_and_gets_are_refused(dispatcher):
    assert dispatcher.post(edit_url("explode"), {}).status_code == 404
    assert dispatcher.get(edit_url("move")).status_code == 405


def test_lock_and_reoptimise_with_the_plain_forms(dispatcher):
    centre, date, (first, second), deliveries = two_routes()
    assert dispatcher.post(edit_url("stop"), where(centre, date, do="lock", delivery=deliveries[0].pk)).status_code == 302
    assert Stop.objects.get(holds=deliveries[0]).locked
    response = dispatcher.post(edit_url("reoptimise"), where(centre, date, versions=f"{first.pk}:1,{second.pk}:0"))
    assert response.status_code == 302
    assert Stop.objects.get(holds=deliveries[0]).route_id == first.pk
    assert "Re-optimised around the locked stops" in dispatcher.get(response["Location"]).content.decode()


def test_reoptimise_takes_the_time_limit_asked_within_the_bound(dispatcher, settings):
    settings.LOGISTICS_ROUTE_OPTIMISE_MAX_TIME_LIMIT = 2
    centre, date, (first, second), deliveries = two_routes()
    page = dispatcher.get(URL, {"centre": centre.pk, "date": date.isoformat()}).content.decode()
    assert 'name="time_limit"' in page and 'max="2"' in page
    def versions():
        return ",".join(f"{pk}:{v}" for pk, v in Route.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "version"))

    runs, plan = PlanningRun.objects.count(), list(Stop.objects.order_by("pk").values_list("pk", "route_id", "sequence"))
    for bad, says in (("2.5", "less than or equal to 2"), ("0", "greater than or equal to 0.1"), ("nan", "Enter a number"),
                      ("inf", "Enter a number"), ("1e400", "Enter a number"), ("soon", "Enter a number")):
        response = dispatcher.post(edit_url("reoptimise"), where(centre, date, versions=versions(), time_limit=bad))
        assert response.status_code == 400, bad
        assert says in response.content.decode(), bad
    assert PlanningRun.objects.count() == runs  # a refused form starts no run
    assert list(Stop.objects.order_by("pk").values_list("pk", "route_id", "sequence")) == plan

    response = dispatcher.post(edit_url("reoptimise"), where(centre, date, versions=versions(), time_limit="0.5"))
    assert response.status_code == 302
    assert PlanningRun.objects.latest("pk").time_limit == 0.5
    response = dispatcher.post(edit_url("reoptimise"), where(centre, date, versions=versions(), time_limit=""))
    assert response.status_code == 302
    assert PlanningRun.objects.latest("pk").time_limit == 1.2  # left empty: the default


def test_assign_start_and_complete_a_route_from_the_console(dispatcher):
    centre, date, (first, _), deliveries = two_routes()
    driver, vehicle = f.driver(centre, date=date), f.vehicle(centre)
    response = dispatcher.post(edit_url("assign"), where(centre, date, route=first.pk, driver=driver.pk, vehicle=vehicle.pk))
    assert response.status_code == 302
    assert Route.objects.get(pk=first.pk).driver_id == driver.pk
    assert dispatcher.post(edit_url("start"), where(centre, date, route=first.pk)).status_code == 302
    assert Route.objects.get(pk=first.pk).state == Route.State.IN_PROGRESS
    # not finished: its stops are open
    response = dispatcher.post(edit_url("complete"), where(centre, date, route=first.pk))
    assert response.status_code == 409 and "still open" in response.content.decode()
    for delivery in deliveries[:3]:
        services.delivery_complete(delivery=delivery.pk)
    assert dispatcher.post(edit_url("complete"), where(centre, date, route=first.pk)).status_code == 302
    assert Route.objects.get(pk=first.pk).state == Route.State.COMPLETED


def test_failed_deliveries_are_listed_and_rescheduled(dispatcher):
    centre, date, (first, _), deliveries = two_routes()
    services.route_start(route=first)
    services.delivery_fail(delivery=deliveries[0].pk, reason="Refused at the door")
    page = dispatcher.get(URL, {"centre": centre.pk, "date": date.isoformat()}).content.decode()
    assert "Refused at the door" in page
    later = date + datetime.timedelta(days=1)
    response = dispatcher.post(edit_url("reschedule"), where(centre, date, delivery=deliveries[0].pk, new_date=later.isoformat()))
    assert response.status_code == 302
    delivery = Delivery.objects.get(pk=deliveries[0].pk)
    assert (delivery.status, delivery.date) == (Delivery.Status.SCHEDULED, later)


def test_the_demo_day_shows_on_the_console(dispatcher):
    order = f.ready_order(zip_code="69003")  # its delivery is made and planned by the demo (Villeurbanne's zone)
    call_command("seed_demo_logistics", stdout=io.StringIO())
    centre = DistributionCentre.objects.get(code="villeurbanne")
    route = Route.objects.get(centre=centre)

    page = dispatcher.get(URL, {"centre": centre.pk}).content.decode()

    assert route.number in page and order.number in page
    assert f'value="{route.date.isoformat()}"' in page and 'id="console-map-data"' in page
