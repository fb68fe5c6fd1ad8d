"""Proofs of delivery are private files: the customer of the delivery, the driver of its route and
staff who dispatch see them, through views that check who asks; strangers get 404 and no public
media URL names them."""

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from commerce.private_files import private_storage
from logistics import services
from logistics.errors import RouteNotStarted
from logistics.models import Stop
from logistics.services import execution
from logistics.shopper import make_token, tracking_of
from tests.factories import CustomerFactory, StaffFactory, token_client
from tests.logistics.driver_factories import todays_route
from tests.logistics.factories import driver
from tests.recommendations.factories import picture

pytestmark = pytest.mark.django_db


@pytest.fixture
def proved():
    """A delivered stop with its photo (the standard method keeps no signature), and its route's driver."""
    route, courier = todays_route(count=1, start=True)
    stop = route.stops.get()
    execution.stop_complete(driver=courier, stop_id=stop.pk, recipient_name="Camille", photo=picture())
    return Stop.objects.select_related("delivery__customer", "route__driver__user").get(pk=stop.pk), courier


def _page(user, stop, kind="photo"):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("logistics:stop_proof", args=[stop.pk, kind]))


def _api(user, stop, kind="photo"):
    return token_client(user).get(f"/api/v1/logistics/stops/{stop.pk}/proof/{kind}/")


def _bytes(answer) -> bytes:
    return b"".join(answer.streaming_content)


def test_the_proof_is_kept_privately_never_under_a_media_url(proved):
    stop, _ = proved
    assert private_storage.exists(stop.proof_photo.name) and not default_storage.exists(stop.proof_photo.name)
    info = tracking_of(order_number=stop.delivery.order_number)
    assert "/media/" not in info.photo_url and info.photo_url.startswith("/track/")


@pytest.mark.parametrize("who", ["customer", "driver", "dispatcher"])
def test_the_customer_the_driver_and_a_dispatcher_see_the_proof(proved, who):
    stop, courier = proved
    user = {"customer": stop.delivery.customer, "driver": courier.user,
            "dispatcher": StaffFactory(groups=["Dispatchers"])}[who]

    page = _page(user, stop)  # (each answer read before the next: the in-memory storage hands out one file object)
    assert page.status_code == 200 and page["Content-Type"] == "image/png" and _bytes(page).startswith(b"\x89PNG")
    assert "private" in page["Cache-Control"] and "no-store" in page["Cache-Control"]
    api = _api(user, stop)
    assert api.status_code == 200 and _bytes(api).startswith(b"\x89PNG")


@pytest.mark.parametrize("who", ["another customer", "another driver", "staff who do not dispatch"])
def test_strangers_are_told_there_is_no_such_proof(proved, who):
    stop, courier = proved
    user = {"another customer": lambda: CustomerFactory(),
            "another driver": lambda: driver(courier.home_centre).user,
            "staff who do not dispatch": lambda: StaffFactory(groups=["Merchandisers"])}[who]()

    assert _page(user, stop).status_code == 404
    answer = _api(user, stop)
    assert answer.status_code == 404 and answer.json()["code"] == "stop_not_found"


def test_anonymous_visitors_log_in_first_and_the_api_refuses_them(proved, api_client):
    stop, _ = proved
    page = _page(None, stop)
    assert page.status_code == 302 and reverse("accounts:login") in page["Location"]
    assert api_client.get(f"/api/v1/logistics/stops/{stop.pk}/proof/photo/").status_code in (401, 403)


def test_an_unknown_kind_or_a_stop_without_proof_is_404(proved):
    stop, courier = proved
    assert _page(courier.user, stop, "selfie").status_code == 404
    assert not stop.proof_signature and _page(courier.user, stop, "signature").status_code == 404
    private_storage.delete(stop.proof_photo.name)  # the file gone: 404, never a server error
    assert _page(courier.user, stop).status_code == 404


def test_the_tracking_link_shows_its_holder_the_photo_and_a_forged_one_nothing(proved):
    stop, _ = proved
    number = stop.delivery.order_number
    holder = Client().get(reverse("logistics:tracking_proof", kwargs={"token": make_token(number=number), "kind": "photo"}))
    assert holder.status_code == 200 and _bytes(holder).startswith(b"\x89PNG")
    forged = Client().get(reverse("logistics:tracking_proof", kwargs={"token": make_token(number=number) + "x", "kind": "photo"}))
    assert forged.status_code == 404


def test_the_admin_links_the_proof_through_the_checked_view(proved, client, admin_dispatcher):
    stop, _ = proved
    page = client.get(reverse("admin:logistics_route_change", args=[stop.route_id])).content.decode()
    assert reverse("logistics:stop_proof", args=[stop.pk, "photo"]) in page and "/media/" not in page


def _proof_files() -> list[str]:
    found = []

    def walk(path):
        folders, files = private_storage.listdir(path)
        found.extend(f"{path}/{name}" for name in files)
        for folder in folders:
            walk(f"{path}/{folder}")

    if private_storage.exists("logistics/proofs"):
        walk("logistics/proofs")
    return found


def test_a_completion_refused_or_repeated_leaves_no_picture_behind():
    route, courier = todays_route(count=1)  # not started: a completion is refused
    stop = route.stops.get()
    with pytest.raises(RouteNotStarted):
        execution.stop_complete(driver=courier, stop_id=stop.pk, recipient_name="Camille", photo=picture())
    assert _proof_files() == []

    services.route_start(route=route)
    execution.stop_complete(driver=courier, stop_id=stop.pk, recipient_name="Camille", photo=picture())
    execution.stop_complete(driver=courier, stop_id=stop.pk, recipient_name="Camille", photo=picture())  # a retry
    assert _proof_files() == [Stop.objects.get(pk=stop.pk).proof_photo.name]
