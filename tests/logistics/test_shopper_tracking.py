"""The shopper's side: the order page's delivery box, the tracking page, and the delivery mails."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from commerce.mail.models import Mail
from logistics.models import Stop
from logistics.services import execution
from logistics.services.deliveries import Position
from logistics.shopper import make_token, tracking_path
from tests.logistics.driver_factories import todays_route
from tests.recommendations.factories import picture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://shop.example.com"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def _customer_client(stop) -> Client:
    client = Client()
    client.force_login(stop.delivery.customer)
    return client


def _order_page(client, stop) -> str:
    answer = client.get(reverse("orders:order_detail", kwargs={"number": stop.delivery.order_number}))
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_order_page_shows_the_window_then_the_estimate_then_the_proof():
    route, courier = todays_route(count=2)
    first, second = route.stops.select_related("delivery__customer").order_by("sequence")
    client = _customer_client(second)

    page = _order_page(client, second)
    assert "Delivery window" in page and "09:00–17:00" in page and "Estimated arrival" not in page

    execution.driver_route_start(driver=courier, route_id=route.pk)
    page = _order_page(client, second)
    assert "Estimated arrival" in page and "1 stop before yours" in page

    execution.stop_complete(driver=courier, stop_id=first.pk, recipient_name="Neighbour")
    page = _order_page(client, second)
    assert "you are next" in page

    execution.stop_complete(driver=courier, stop_id=second.pk, recipient_name="Camille Martin", photo=picture())
    page = _order_page(client, second)
    assert "Delivered" in page and "to Camille Martin" in page and 'class="delivery-proof"' in page
    assert "Estimated arrival" not in page


def test_the_tracking_page_works_from_a_signed_link_without_logging_in():
    route, courier = todays_route(count=1, start=True)
    stop = route.stops.select_related("delivery").get()
    execution.stop_fail(driver=courier, stop_id=stop.pk, code="address_not_found")

    page = Client().get(tracking_path(number=stop.delivery.order_number))
    assert page.status_code == 200
    body = page.content.decode()
    assert "We could not deliver" in body and "Address not found" in body and "directions" in body

    tampered = Client().get(reverse("logistics:tracking", kwargs={"token": make_token(number=stop.delivery.order_number) + "x"}))
    assert tampered.status_code == 404
    unknown = Client().get(tracking_path(number="ZZZZZ-ZZZZZ"))
    assert unknown.status_code == 404


def test_the_estimate_follows_a_driver_who_goes_out_of_order():
    route, courier = todays_route(count=3, start=True)
    first, second, third = route.stops.order_by("sequence")
    before = Stop.objects.get(pk=first.pk).estimated_arrival

    execution.stop_arrive(driver=courier, stop_id=third.pk,
                          position=Position(latitude=Decimal("45.780000"), longitude=Decimal("4.860000")))

    after = Stop.objects.get(pk=first.pk).estimated_arrival
    assert after > before  # stop 1 now comes after the driver's detour to stop 3
    assert Stop.objects.get(pk=third.pk).estimated_arrival is None


def test_the_delivery_mails_go_out_once_each_after_commit(committed, mailoutbox):
    route, courier = todays_route(count=2)
    first, second = route.stops.select_related("delivery").order_by("sequence")

    committed(lambda: execution.driver_route_start(driver=courier, route_id=route.pk))
    out = [m for m in mailoutbox if "is out for delivery" in m.subject]
    assert len(out) == 2 and "09:00–17:00" in out[0].subject
    assert "Estimated arrival" in out[0].body and "https://shop.example.com/track/" in out[0].body
    assert not [m for m in mailoutbox if "is on its way" in m.subject]  # orders' shipped mail: not for the own fleet

    committed(lambda: execution.stop_complete(driver=courier, stop_id=first.pk, recipient_name="Camille", photo=picture()))
    committed(lambda: execution.stop_fail(driver=courier, stop_id=second.pk, code="not_at_home"))
    committed(lambda: execution.stop_fail(driver=courier, stop_id=second.pk, code="not_at_home"))  # a retry

    delivered = [m for m in mailoutbox if "was delivered" in m.subject]
    failed = [m for m in mailoutbox if "could not deliver" in m.subject]
    assert len(delivered) == 1 and "to Camille" in delivered[0].body and "The driver's photo: https://" in delivered[0].body
    assert len(failed) == 1 and "Nobody at home" in failed[0].body and "new delivery day" in failed[0].body
    assert Mail.objects.filter(key__startswith="logistics.").count() == 4
