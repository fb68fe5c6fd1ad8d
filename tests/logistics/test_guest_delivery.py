"""A guest's order (no account, an e-mail address) is delivered like a customer's: its delivery is made
by the ready-to-ship reaction and the sweep, planned, worked by the driver app, mailed to the guest's
address, shown on the guest's signed order page and counted by the KPI projection."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commerce.locks import batch
from logistics import services
from logistics.kpi_models import StopFact
from logistics.models import Delivery
from logistics.services import centroids_load
from logistics.shopper import tracking_path
from orders.guests import Guest, order_link_token
from orders.selectors import order_shipping_facts
from orders.services import cart as cart_services
from orders.services.checkout import checkout_place_and_pay
from orders.services.lifecycle import order_allocate, order_mark_ready
from tests.factories import events, token_client
from tests.logistics.factories import centre, driver, vehicle
from tests.orders.factories import stocked_product
from tests.recommendations.factories import picture

pytestmark = pytest.mark.django_db

API = "/api/v1/logistics/driver"
ADDRESS = {"recipient": "Ann Guest", "street": "3 Rue Neuve", "zip_code": "69001", "city": "Lyon", "state": "", "country": "fr"}


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://shop.example.com"


def _guest_ready_order(n: int, email: str):
    product = stocked_product(price="12.00", quantity=10, name=f"Guest Mug {n}")
    token = f"guest-delivery-{n}"
    cart = cart_services.cart_get_or_create(session_key=token)
    cart_services.cart_add_item(cart=cart, product_id=product.pk, quantity=1)
    order = checkout_place_and_pay(guest=Guest(email=email, token=token), guest_address=dict(ADDRESS), payment_method="cod")
    order_allocate(order=order)
    return order_mark_ready(order=order)


def test_shipping_facts_carry_the_contact_address_of_a_guest_and_of_a_customer(django_assert_num_queries):
    guest = _guest_ready_order(1, "ann@example.com")
    from tests.logistics.factories import ready_order

    customer_order = ready_order()
    with django_assert_num_queries(3):
        facts = order_shipping_facts(order_ids=[guest.pk, customer_order.pk])
    by_id = {f.order_id: f for f in facts}
    assert by_id[guest.pk].customer_id is None and by_id[guest.pk].contact_email == "ann@example.com"
    assert by_id[customer_order.pk].contact_email == customer_order.customer.email != ""


def test_a_guest_order_ready_to_ship_is_delivered_through_the_driver_app(django_capture_on_commit_callbacks, celery_eager):
    made = centre(prefixes=("69",))
    centroids_load()  # a guest's address has no coordinates of its own: the geocoder locates it by postcode
    with django_capture_on_commit_callbacks(execute=True):
        with batch():
            first = _guest_ready_order(1, "ann@example.com")
            second = _guest_ready_order(2, "bob@example.com")

    # the reaction made the first two; the sweep finds nothing missing
    delivery = Delivery.objects.get(order_id=first.pk)
    assert delivery.customer_id is None and delivery.contact_email == "ann@example.com" and delivery.status == "scheduled"
    assert delivery.geocoded_by == "geocoder"
    assert services.deliveries_sweep()["created"] == 0
    created = events("logistics.delivery.created")
    assert {e.payload["customer_id"] for e in created} == {None}

    today = timezone.localdate()
    ids = [d.pk for d in Delivery.objects.filter(order_id__in=[first.pk, second.pk])]
    for pk in ids:
        services.delivery_schedule(delivery=pk, date=today)
    route = services.route_create(centre=made, date=today, delivery_ids=ids)
    courier = driver(made, date=today)
    services.route_assign(route=route, driver=courier, vehicle=vehicle(made))
    client = token_client(courier.user)
    stops = {s.delivery.order_id: s.pk for s in route.stops.select_related("delivery")}

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{API}/routes/{route.pk}/start/").status_code == 200
    out = {m.to[0] for m in mail.outbox}
    assert out == {"ann@example.com", "bob@example.com"}
    ann_mail = next(m for m in mail.outbox if m.to == ["ann@example.com"])
    assert "Ann Guest" in ann_mail.body and "/orders/guest/" in ann_mail.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"{API}/stops/{stops[first.pk]}/complete/", {"recipient_name": "Ann", "photo": picture(), "signature": picture(name="sig.png")},
                           format="multipart")
        failed = client.post(f"{API}/stops/{stops[second.pk]}/fail/", {"reason": "refused"}, format="json")
    assert done.status_code == 200 and failed.status_code == 200
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.com", "bob@example.com"]
    assert first.number in next(m for m in mail.outbox if m.to == ["ann@example.com"]).subject

    # the KPI projection took both attempts, without a customer
    facts = StopFact.objects.filter(order_id__in=[first.pk, second.pk])
    assert facts.count() == 2 and {f.customer_id for f in facts} == {None}
    completed = client.post(f"{API}/routes/{route.pk}/complete/")
    assert completed.status_code == 200

    # the guest's signed order page shows its delivery box, with the tracking link that works
    page = Client().get(reverse("orders:guest_order", kwargs={"token": order_link_token(number=first.number, email="ann@example.com")}))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Delivered" in body and "to Ann" in body
    assert tracking_path(number=first.number) in body
    tracking = Client().get(tracking_path(number=first.number))
    assert tracking.status_code == 200 and "Delivered" in tracking.content.decode()


def test_the_sweep_makes_a_guest_order_delivery_missed_by_the_reaction():
    centre(prefixes=("69",))
    order = _guest_ready_order(3, "cy@example.com")  # no on-commit callbacks ran: no reaction
    assert not Delivery.objects.filter(order_id=order.pk).exists()

    assert services.deliveries_sweep()["created"] == 1
    delivery = Delivery.objects.get(order_id=order.pk)
    assert delivery.customer_id is None and delivery.contact_email == "cy@example.com"
