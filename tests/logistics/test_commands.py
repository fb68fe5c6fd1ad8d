"""The logistics commands: the demo fleet and routes, the sweep."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from commerce.audit.models import DomainEvent
from commerce.private_files import private_storage
from logistics.models import Delivery, DistributionCentre, Driver, PostcodeCentroid, Route, Vehicle
from logistics.shopper import tracking_path
from tests.logistics.factories import ready_order

pytestmark = pytest.mark.django_db


def run(command, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_the_demo_builds_centres_a_fleet_and_routes_the_orders_ready_to_ship_and_a_second_run_changes_nothing(client):
    order = ready_order(zip_code="69003")  # its delivery is made by the demo's sweep

    output = run("seed_demo_logistics")

    assert set(DistributionCentre.objects.values_list("code", flat=True)) == {"gerland", "villeurbanne", "vaise"}
    assert Vehicle.objects.count() == 7 and Driver.objects.count() == 6 and PostcodeCentroid.objects.count() >= 40
    delivery = Delivery.objects.get(order_id=order.pk)
    assert delivery.status == "scheduled" and delivery.centre.code == "villeurbanne"  # 69003 is Villeurbanne's zone
    route = Route.objects.get()
    assert route.state == "assigned" and route.stops.get().delivery == delivery and route.cost_amount > 0
    assert "2 routes" not in output and "1 routes" in output
    assert client.login(username="driver-villeurbanne-1", password="demo-pass-123")

    before = (DomainEvent.objects.count(), Route.objects.count(), Vehicle.objects.count())
    again = run("seed_demo_logistics")

    assert (DomainEvent.objects.count(), Route.objects.count(), Vehicle.objects.count()) == before
    assert "0 centres, 0 vehicles, 0 drivers, 0 shifts, 0 routes" in again


def test_the_demo_refuses_to_run_under_production_settings(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="--allow-production"):
        run("seed_demo_logistics")

    assert not DistributionCentre.objects.exists()


def test_the_sweep_command_reports_what_it_made():
    run("seed_demo_logistics")
    ready_order(), ready_order()  # the reactions to their events never ran (nothing committed)

    assert "2 made, 0 there already" in run("deliveries_sweep")
    assert "0 made, 2 there already" in run("deliveries_sweep")


def test_the_demo_day_has_a_route_completed_and_one_under_way_with_kpi_figures(client, admin_dispatcher):
    from logistics.kpi_models import RouteFact, StopFact
    from logistics.models import Stop

    for _ in range(8):
        ready_order(zip_code="69003")
    run("seed_demo_logistics")

    output = run("seed_demo_deliveries")

    # one route worked to the end and one under way, each named by its number ("R261207-LYON-E89A91 completed"
    # ends in "1 completed" one time in sixteen: match the sentence, not a substring of a random number)
    assert re.fullmatch(r"Demo deliveries: R[\w-]+ completed and R[\w-]+ under way on [\d-]+\.\n?", output), output
    states = sorted(Route.objects.exclude(state="cancelled").values_list("state", flat=True))
    assert states == ["completed", "in_progress"]
    under_way = Route.objects.get(state="in_progress")
    assert {"delivered", "failed", "pending"} <= set(under_way.stops.values_list("state", flat=True))
    assert under_way.stops.filter(state="pending", estimated_arrival__isnull=False).exists()
    assert RouteFact.objects.count() == 1 and StopFact.objects.filter(outcome="failed").exists()
    assert Stop.objects.filter(closed_distance_m__isnull=False).exists()
    # the delivered stops of the completed route bring back a photo and a signature, in the private storage
    completed = Route.objects.get(state="completed")
    delivered = list(completed.stops.filter(state="delivered"))
    assert delivered and all(s.proof_photo and s.proof_signature for s in delivered)
    assert all(private_storage.exists(s.proof_photo.name) and private_storage.exists(s.proof_signature.name) for s in delivered)
    first = delivered[0]
    photo = client.get(reverse("logistics:stop_proof", args=[first.pk, "photo"]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert b"".join(photo.streaming_content).startswith(b"\xff\xd8")  # a JPEG
    signature = client.get(reverse("logistics:stop_proof", args=[first.pk, "signature"]))
    assert signature.status_code == 200 and signature["Content-Type"] == "image/png"
    route_page = client.get(reverse("admin:logistics_route_change", args=[completed.pk])).content.decode()
    assert reverse("logistics:stop_proof", args=[first.pk, "signature"]) in route_page
    tracking = client.get(tracking_path(number=first.delivery.order_number)).content.decode()
    assert 'alt="Photo taken by the driver at delivery"' in tracking
    assert "nothing to do" in run("seed_demo_deliveries")
    assert "1 routes" in run("logistics_kpis_rebuild") and RouteFact.objects.count() == 1
