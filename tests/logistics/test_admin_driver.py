"""The dispatcher's side of the driver app: the proof policies, and each stop's proof and distance."""

from decimal import Decimal

import pytest
from django.urls import reverse

from logistics.models import ProofPolicy
from logistics.services import execution
from logistics.services.deliveries import Position
from tests.factories import admin_form_data, events
from tests.logistics.driver_factories import todays_route

pytestmark = pytest.mark.django_db


def test_a_dispatcher_sets_the_proof_of_a_delivery_method(client, admin_dispatcher):
    page = client.get(reverse("admin:logistics_proofpolicy_add"))
    assert page.status_code == 200
    data = admin_form_data(page, method="cash_on_delivery", recipient_name="required", photo="required", signature="required")

    answer = client.post(reverse("admin:logistics_proofpolicy_add"), data)

    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert ProofPolicy.objects.get(method="cash_on_delivery").photo == "required"
    assert events("logistics.proof_policy.changed", channel="admin")[0].payload["method"] == "cash_on_delivery"


def test_the_route_page_shows_each_stops_proof_and_how_far_from_the_address_it_closed(client, admin_dispatcher):
    route, courier = todays_route(count=2, start=True)
    first, second = route.stops.order_by("sequence")
    execution.stop_complete(driver=courier, stop_id=first.pk, recipient_name="Camille Martin",
                            position=Position(latitude=Decimal("45.770000"), longitude=Decimal("4.860000")))
    execution.stop_fail(driver=courier, stop_id=second.pk, code="not_at_home")

    page = client.get(reverse("admin:logistics_route_change", args=[route.pk])).content.decode()

    assert "Camille Martin" in page and "Nobody at home" in page
    assert "1112 m" in page and "errornote" in page  # 0.01° of latitude: far from the address, flagged
