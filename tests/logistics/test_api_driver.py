"""The driver app over REST: own routes only, every transition checked, proof, retries."""

import pytest

from tests.factories import events, token_client
from tests.logistics.driver_factories import todays_route
from tests.logistics.factories import driver
from tests.recommendations.factories import picture

pytestmark = pytest.mark.django_db

API = "/api/v1/logistics/driver"


def test_only_drivers_use_the_app(api_client, customer_client):
    assert api_client.get(f"{API}/routes/").status_code == 401
    refused = customer_client.get(f"{API}/routes/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"


def test_a_driver_sees_todays_routes_and_moves_only_their_own(django_assert_max_num_queries):
    route, courier = todays_route(count=2)
    client, stranger = token_client(courier.user), token_client(driver(route.centre).user)
    stop_id = route.stops.order_by("sequence").first().pk

    with django_assert_max_num_queries(8):
        today = client.get(f"{API}/routes/")
    assert today.status_code == 200
    [mine] = today.json()
    assert mine["id"] == route.pk and [s["sequence"] for s in mine["stops"]] == [1, 2]
    assert mine["stops"][0]["proof"] == {"recipient_name": "required", "photo": "optional", "signature": "off"}
    assert stranger.get(f"{API}/routes/").json() == []
    for path in (f"routes/{route.pk}/start/", f"routes/{route.pk}/complete/", f"stops/{stop_id}/arrive/"):
        answer = stranger.post(f"{API}/{path}", {}, format="json")
        assert answer.status_code == 404 and answer.json()["code"] in ("route_not_found", "stop_not_found")


def test_a_driver_works_a_route_through_the_api():
    route, courier = todays_route(count=2)
    client = token_client(courier.user)
    first, second = (s.pk for s in route.stops.order_by("sequence"))

    early = client.post(f"{API}/stops/{first}/arrive/", {}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "route_not_started"

    started = client.post(f"{API}/routes/{route.pk}/start/")
    assert started.status_code == 200 and started.json()["state"] == "in_progress" and started["Replayed"] == "false"
    assert started.json()["stops"][0]["estimated_arrival"] is not None
    again = client.post(f"{API}/routes/{route.pk}/start/")
    assert again.status_code == 200 and again["Replayed"] == "true" and len(events("logistics.route.started")) == 1

    arrived = client.post(f"{API}/stops/{first}/arrive/", {"latitude": "45.760000", "longitude": "4.860000"}, format="json")
    assert arrived.status_code == 200 and arrived.json()["state"] == "arrived"
    half = client.post(f"{API}/stops/{first}/arrive/", {"latitude": "45.76"}, format="json")
    assert half.status_code == 400 and "longitude" in half.json()["fields"]

    no_name = client.post(f"{API}/stops/{first}/complete/", {"photo": picture()}, format="multipart")
    assert no_name.status_code == 400 and no_name.json()["code"] == "proof_missing"
    assert "recipient_name" in no_name.json()["fields"]
    bad_photo = client.post(f"{API}/stops/{first}/complete/", {"recipient_name": "Camille", "photo": picture(fmt="GIF", name="a.gif")},
                            format="multipart")
    assert bad_photo.status_code == 400 and bad_photo.json()["code"] == "image_invalid"

    body = {"recipient_name": "Camille", "photo": picture(), "latitude": "45.760000", "longitude": "4.860100"}
    done = client.post(f"{API}/stops/{first}/complete/", body, format="multipart")
    assert done.status_code == 200, done.json()
    stop = done.json()
    assert stop["state"] == "delivered" and stop["recipient_name"] == "Camille"
    assert stop["photo"] == f"http://testserver/api/v1/logistics/stops/{first}/proof/photo/"  # served after a check, never media
    picture_back = client.get(stop["photo"])
    assert picture_back.status_code == 200 and picture_back["Content-Type"] == "image/png"
    assert b"".join(picture_back.streaming_content).startswith(b"\x89PNG")
    assert stop["distance_m"] is not None and stop["distance_m"] < 20
    retry = client.post(f"{API}/stops/{first}/complete/", {"recipient_name": "Camille", "photo": picture()}, format="multipart")
    assert retry.status_code == 200 and retry["Replayed"] == "true" and retry.json()["photo"] == stop["photo"]
    assert len(events("logistics.stop.completed")) == 1

    cannot = client.post(f"{API}/stops/{first}/fail/", {"reason": "not_at_home"}, format="json")
    assert cannot.status_code == 409 and cannot.json()["code"] == "stop_transition_invalid"
    unfinished = client.post(f"{API}/routes/{route.pk}/complete/")
    assert unfinished.status_code == 409 and unfinished.json()["code"] == "route_not_finished"
    vague = client.post(f"{API}/stops/{second}/fail/", {"reason": "other"}, format="json")
    assert vague.status_code == 400 and vague.json()["code"] == "failure_invalid"
    failed = client.post(f"{API}/stops/{second}/fail/", {"reason": "refused", "note": "Wrong item"}, format="json")
    assert failed.status_code == 200 and failed.json()["failure_code"] == "refused"

    completed = client.post(f"{API}/routes/{route.pk}/complete/")
    assert completed.status_code == 200 and completed.json()["state"] == "completed"
    assert [e.event_type for e in events("logistics.route.completed")] == ["logistics.route.completed"]


def test_a_dispatcher_sees_the_proof_and_the_distance_in_the_delivery_api(dispatcher):
    route, courier = todays_route(count=1, start=True)
    stop = route.stops.get()
    token_client(courier.user).post(f"{API}/stops/{stop.pk}/complete/",
                                    {"recipient_name": "Camille", "latitude": "45.770000", "longitude": "4.860000"},
                                    format="multipart")

    answer = dispatcher.get(f"/api/v1/logistics/routes/{route.pk}/").json()["stops"][0]
    assert answer["state"] == "delivered" and answer["recipient_name"] == "Camille"
    assert 1000 < answer["closed_distance_m"] < 1200  # 0.01° of latitude from the address


def test_a_stop_delivered_by_the_driver_lets_the_review_request_go_out(settings, mailoutbox, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from commerce.mail.models import Mail
    from recommendations.review_requests import review_requests_send

    route, courier = todays_route(count=1, start=True)
    stop = route.stops.select_related("delivery").get()
    token_client(courier.user).post(f"{API}/stops/{stop.pk}/complete/", {"recipient_name": "Camille"}, format="multipart")

    later = timezone.now() + timezone.timedelta(days=settings.REVIEW_REQUEST_DELAY_DAYS, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        sent = review_requests_send(now=later)

    assert sent == [stop.delivery.order_number]
    mail = Mail.objects.get(key=f"recommendations.review_request:{stop.delivery.order_number}")
    assert mail.to and any(stop.delivery.order_number in m.body for m in mailoutbox)
