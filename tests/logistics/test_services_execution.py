"""The driver's commands: ownership, transitions, proof of delivery, retries, estimated arrivals."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from commerce.errors import ImageInvalid
from commerce.private_files import private_storage
from logistics.errors import (
    FailureInvalid,
    ProofMissing,
    ProofPolicyInvalid,
    RouteNotFinished,
    RouteNotFound,
    RouteNotStarted,
    StopNotFound,
    StopTransitionInvalid,
)
from logistics.models import Delivery, ProofPolicy, Stop
from logistics.services import execution
from logistics.services.deliveries import Position
from orders.selectors import order_shipping_facts
from tests.factories import events
from tests.logistics.driver_factories import todays_route
from tests.logistics.factories import driver
from tests.recommendations.factories import picture

pytestmark = pytest.mark.django_db


def _stops(route):
    return list(route.stops.select_related("delivery").order_by("sequence"))


def test_a_driver_starts_their_route_and_a_retry_changes_nothing():
    route, courier = todays_route(count=1)

    first = execution.driver_route_start(driver=courier, route_id=route.pk)
    again = execution.driver_route_start(driver=courier, route_id=route.pk)

    assert (first.replayed, again.replayed) == (False, True)
    assert first.value.state == again.value.state == "in_progress"
    assert len(events("logistics.route.started")) == 1


def test_another_drivers_route_and_stops_are_not_found():
    route, courier = todays_route(count=1)
    stranger = driver(route.centre)
    stop = route.stops.get()

    with pytest.raises(RouteNotFound):
        execution.driver_route_start(driver=stranger, route_id=route.pk)
    with pytest.raises(StopNotFound):
        execution.stop_arrive(driver=stranger, stop_id=stop.pk)
    with pytest.raises(StopNotFound):
        execution.stop_complete(driver=stranger, stop_id=stop.pk, recipient_name="X")
    assert route.stops.get().state == "pending" and not events("logistics.route.started")


def test_a_stop_of_a_route_not_started_cannot_be_worked():
    route, courier = todays_route(count=1)
    stop = route.stops.get()

    for command in (lambda: execution.stop_arrive(driver=courier, stop_id=stop.pk),
                    lambda: execution.stop_complete(driver=courier, stop_id=stop.pk, recipient_name="Camille"),
                    lambda: execution.stop_fail(driver=courier, stop_id=stop.pk, code="not_at_home")):
        with pytest.raises(RouteNotStarted) as refused:
            command()
        assert refused.value.code == "route_not_started"
    assert route.stops.get().state == "pending"


def test_arrive_complete_with_proof_and_position_delivers_the_order():
    route, courier = todays_route(count=2, start=True)
    first, _ = _stops(route)

    arrived = execution.stop_arrive(driver=courier, stop_id=first.pk,
                                    position=Position(latitude=Decimal("45.760100"), longitude=Decimal("4.860000")))
    done = execution.stop_complete(driver=courier, stop_id=first.pk, recipient_name="  Camille   Martin ",
                                   photo=picture(), position=Position(latitude=Decimal("45.760100"),
                                                                      longitude=Decimal("4.860000")))

    stop = done.value
    assert (arrived.replayed, done.replayed) == (False, False)
    assert stop.state == "delivered" and stop.recipient_name == "Camille Martin"
    # kept in the private storage, never among the public media files
    assert stop.proof_photo.name.startswith("logistics/proofs/") and private_storage.exists(stop.proof_photo.name)
    assert not default_storage.exists(stop.proof_photo.name)
    assert not stop.proof_signature  # off for the standard method
    assert 5 <= stop.closed_distance_m <= 20  # 0.0001° of latitude is about 11 m
    assert order_shipping_facts(order_ids=[stop.delivery.order_id])[0].status == "delivered"
    completed = events("logistics.stop.completed")[0].payload
    assert completed["recipient_name"] == "Camille Martin" and completed["distance_m"] == stop.closed_distance_m
    assert events("logistics.stop.arrived")[0].payload["latitude"] == "45.760100"


def test_the_same_completion_twice_stores_and_records_once():
    route, courier = todays_route(count=1, start=True)
    stop = route.stops.get()

    first = execution.stop_complete(driver=courier, stop_id=stop.pk, recipient_name="Camille", photo=picture())
    again = execution.stop_complete(driver=courier, stop_id=stop.pk, recipient_name="Camille", photo=picture())

    assert (first.replayed, again.replayed) == (False, True)
    assert again.value.proof_photo.name == first.value.proof_photo.name
    assert len(events("logistics.stop.completed")) == 1 and len(events("orders.order.delivered")) == 1


def test_a_delivered_stop_cannot_fail_and_a_failed_one_cannot_be_delivered():
    route, courier = todays_route(count=2, start=True)
    first, second = _stops(route)
    execution.stop_complete(driver=courier, stop_id=first.pk, recipient_name="Camille")
    execution.stop_fail(driver=courier, stop_id=second.pk, code="refused")

    with pytest.raises(StopTransitionInvalid) as refused:
        execution.stop_fail(driver=courier, stop_id=first.pk, code="not_at_home")
    assert refused.value.code == "stop_transition_invalid" and refused.value.extra["state"] == "delivered"
    with pytest.raises(StopTransitionInvalid):
        execution.stop_complete(driver=courier, stop_id=second.pk, recipient_name="Camille")
    with pytest.raises(StopTransitionInvalid):
        execution.stop_arrive(driver=courier, stop_id=second.pk)
    with pytest.raises(StopTransitionInvalid):  # failed already, for another reason
        execution.stop_fail(driver=courier, stop_id=second.pk, code="damaged")
    assert execution.stop_fail(driver=courier, stop_id=second.pk, code="refused").replayed
    assert len(events("logistics.delivery.failed")) == 1


def test_a_failure_keeps_its_structured_reason():
    route, courier = todays_route(count=2, start=True)
    first, second = _stops(route)

    with pytest.raises(FailureInvalid):
        execution.stop_fail(driver=courier, stop_id=first.pk, code="other")
    with pytest.raises(FailureInvalid):
        execution.stop_fail(driver=courier, stop_id=first.pk, code="lost")
    execution.stop_fail(driver=courier, stop_id=first.pk, code="other", note="Gate locked, no answer")
    execution.stop_fail(driver=courier, stop_id=second.pk, code="address_not_found", note="No number 5")

    first, second = (Stop.objects.get(pk=s.pk) for s in (first, second))
    assert (first.failure_code, first.failure_reason) == ("other", "Gate locked, no answer")
    assert (second.failure_code, second.failure_reason) == ("address_not_found", "Address not found: No number 5")
    delivery = Delivery.objects.get(pk=second.delivery_id)
    assert (delivery.status, delivery.failure_code) == ("failed", "address_not_found")
    assert [e.payload["code"] for e in events("logistics.delivery.failed")] == ["other", "address_not_found"]


def test_the_proof_policy_of_the_method_is_required_optional_or_off():
    route, courier = todays_route(count=1, start=True)
    stop = route.stops.get()
    execution.proof_policy_save(method="standard", recipient_name="off", photo="required", signature="required")

    with pytest.raises(ProofMissing) as missing:
        execution.stop_complete(driver=courier, stop_id=stop.pk, recipient_name="Camille", photo=picture())
    assert set(missing.value.fields) == {"signature"}
    with pytest.raises(ImageInvalid):
        execution.stop_complete(driver=courier, stop_id=stop.pk, photo=picture(), signature=b"not a picture")
    assert Stop.objects.get(pk=stop.pk).state == "pending"

    done = execution.stop_complete(driver=courier, stop_id=stop.pk, recipient_name="Camille", photo=picture(),
                                   signature=picture(name="signature.png")).value
    assert done.recipient_name == "" and done.proof_photo and done.proof_signature  # the name is off: dropped
    assert events("logistics.proof_policy.changed")[0].payload["photo"] == "required"
    with pytest.raises(ProofPolicyInvalid):
        execution.proof_policy_save(method="standard", recipient_name="maybe", photo="off", signature="off")
    assert ProofPolicy.objects.get(method="standard").recipient_name == "off"


def test_cash_on_delivery_asks_for_a_signature_by_default():
    route, courier = todays_route(count=1, start=False)
    delivery = route.stops.get().delivery
    Delivery.objects.filter(pk=delivery.pk).update(method="cash_on_delivery")
    execution.driver_route_start(driver=courier, route_id=route.pk)

    with pytest.raises(ProofMissing) as missing:
        execution.stop_complete(driver=courier, stop_id=route.stops.get().pk, recipient_name="Camille")
    assert set(missing.value.fields) == {"signature"}


def test_a_route_completes_once_every_stop_is_closed_and_a_retry_answers_the_same():
    route, courier = todays_route(count=2, start=True)
    first, second = _stops(route)
    execution.stop_complete(driver=courier, stop_id=first.pk, recipient_name="Camille")

    with pytest.raises(RouteNotFinished):
        execution.driver_route_complete(driver=courier, route_id=route.pk)
    execution.stop_fail(driver=courier, stop_id=second.pk, code="not_at_home")
    done = execution.driver_route_complete(driver=courier, route_id=route.pk)
    again = execution.driver_route_complete(driver=courier, route_id=route.pk)

    assert (done.replayed, again.replayed) == (False, True) and again.value.state == "completed"
    completed = events("logistics.route.completed")
    assert len(completed) == 1 and (completed[0].payload["delivered"], completed[0].payload["failed"]) == (1, 1)


def test_estimated_arrivals_follow_the_driver_even_out_of_order():
    route, courier = todays_route(count=3, start=True)
    first, second, third = _stops(route)
    assert all(s.estimated_arrival is not None for s in _stops(route))

    # the driver skips ahead to the third stop: it closes, and the two left behind are estimated from there
    execution.stop_complete(driver=courier, stop_id=third.pk, recipient_name="Camille")
    first, second, third = _stops(route)
    assert third.estimated_arrival is None
    assert first.estimated_arrival is not None and second.estimated_arrival > first.estimated_arrival
    assert first.estimated_arrival >= timezone.now() - datetime.timedelta(seconds=5)
    # the first stop's delivery is nearer the third's than the centre is: the estimate is from where the driver is
    assert events("logistics.stop.completed")[0].payload["sequence"] == 3
