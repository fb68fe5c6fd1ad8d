"""The logistics back office: fleet pages save through the service; routes and deliveries move by actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from logistics import services
from logistics.models import DistributionCentre, OpeningHours
from tests.factories import admin_form_data, events, messages_of
from tests.logistics.factories import assigned_route, centre, driver, scheduled_deliveries, tomorrow, vehicle

pytestmark = pytest.mark.django_db


def test_a_dispatcher_adds_a_centre_with_its_hours_through_the_service(client, admin_dispatcher):
    page = client.get(reverse("admin:logistics_distributioncentre_add"))
    assert page.status_code == 200
    data = admin_form_data(page, code="villeurbanne", name="Villeurbanne", street="3 Rue", city="Villeurbanne",
                           zip_code="69100", country="FR", latitude="45.7719", longitude="4.88")
    data.update({"opening_hours-TOTAL_FORMS": "1", "opening_hours-0-weekday": "0", "opening_hours-0-opens": "07:00",
                 "opening_hours-0-closes": "19:00"})

    answer = client.post(reverse("admin:logistics_distributioncentre_add"), data)

    assert answer.status_code == 302, answer.content.decode()[:3000]
    made = DistributionCentre.objects.get(code="villeurbanne")
    assert OpeningHours.objects.filter(centre=made, weekday=0).exists()
    saved = [(e.payload["entity"], e.channel) for e in events("logistics.fleet.saved")]
    assert ("centre", "admin") in saved and ("opening_hours", "admin") in saved


def test_every_logistics_page_opens_for_a_dispatcher(client, admin_dispatcher):
    route = assigned_route(count=2)
    pages = [reverse(f"admin:logistics_{name}_changelist")
             for name in ("distributioncentre", "deliveryzone", "vehicle", "driver", "delivery", "route", "postcodecentroid")]
    pages += [reverse("admin:logistics_route_change", args=[route.pk]),
              reverse("admin:logistics_delivery_change", args=[route.stops.first().delivery_id]),
              reverse("admin:logistics_driver_change", args=[route.driver_id]),
              reverse("admin:logistics_route_changelist") + "?date__year=" + "9" * 400]

    for url in pages:
        assert client.get(url).status_code in (200, 302), url
    html = client.get(reverse("admin:logistics_route_change", args=[route.pk])).content.decode()
    assert route.number in html and "Load after" in html
    changelist = client.get(reverse("admin:logistics_delivery_changelist")).content.decode()
    assert 'name="reason"' in changelist and 'name="date"' in changelist  # the actions' fields, no JavaScript needed


def test_the_route_list_costs_the_same_queries_at_any_size(client, admin_dispatcher):
    route = assigned_route(count=1)
    url = reverse("admin:logistics_route_changelist")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    services.route_create(centre=route.centre, date=route.date, delivery_ids=[d.pk for d in scheduled_deliveries(3)])
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    assert len(two) == len(one)


def test_actions_assign_start_and_complete_routes_and_deliveries(client, admin_dispatcher):
    made = centre()
    [delivery] = scheduled_deliveries(1)
    route = services.route_create(centre=made, date=tomorrow(), delivery_ids=[delivery.pk])
    the_driver, van = driver(made, date=tomorrow()), vehicle(made)
    routes = reverse("admin:logistics_route_changelist")

    client.post(routes, {"action": "assign", "_selected_action": [route.pk], "driver": the_driver.pk, "vehicle": van.pk})
    client.post(routes, {"action": "start", "_selected_action": [route.pk]})
    route.refresh_from_db()
    assert (route.state, route.driver, route.vehicle) == ("in_progress", the_driver, van)

    refused = client.post(routes, {"action": "complete", "_selected_action": [route.pk]}, follow=True)
    assert any("still open" in m for m in messages_of(refused))
    client.post(reverse("admin:logistics_delivery_changelist"),
                {"action": "fail", "_selected_action": [delivery.pk], "reason": "Closed gate"})
    client.post(routes, {"action": "complete", "_selected_action": [route.pk]})

    route.refresh_from_db()
    delivery.refresh_from_db()
    assert route.state == "completed" and (delivery.status, delivery.failure_reason) == ("failed", "Closed gate")
    assert events("logistics.route.completed", channel="admin")


def test_a_delivery_failed_without_a_reason_is_refused_by_the_service(client, admin_dispatcher):
    route = services.route_start(route=assigned_route(count=1))
    delivery = route.stops.get().delivery

    answer = client.post(reverse("admin:logistics_delivery_changelist"),
                         {"action": "fail", "_selected_action": [delivery.pk], "reason": ""}, follow=True)

    assert any("Say why" in m for m in messages_of(answer))
    delivery.refresh_from_db()
    assert delivery.status == "out_for_delivery"


def test_customers_staff_outside_dispatch_cannot_open_logistics_pages(client, admin_merchandiser):
    assert client.get(reverse("admin:logistics_route_changelist")).status_code == 403


def test_the_cancel_action_drops_a_route_not_started_with_its_reason(client, admin_dispatcher):
    route = assigned_route(count=1)

    client.post(reverse("admin:logistics_route_changelist"),
                {"action": "cancel", "_selected_action": [route.pk], "reason": "No driver after all"})

    route.refresh_from_db()
    assert route.state == "cancelled" and not route.stops.exists()
    assert events("logistics.route.cancelled", channel="admin")[0].payload["reason"] == "No driver after all"


def test_a_deliverys_page_tells_its_history_in_words(client, admin_dispatcher):
    route = assigned_route(count=2)
    first, second = [stop.delivery for stop in route.stops.order_by("sequence")]
    services.route_start(route=route)
    services.delivery_complete(delivery=first)
    services.delivery_fail(delivery=second, reason="Nobody home")

    delivered = client.get(reverse("admin:logistics_delivery_change", args=[first.pk])).content.decode()
    failed = client.get(reverse("admin:logistics_delivery_change", args=[second.pk])).content.decode()

    assert '<ol class="delivery-history">' in delivered
    assert f"<li>Made from order {first.order_number}: " in delivered
    assert "<li>Delivered to the address — " in delivered
    assert "<li>Not delivered: Nobody home — " in failed
    assert "logistics.delivery" not in delivered  # words, not event names
