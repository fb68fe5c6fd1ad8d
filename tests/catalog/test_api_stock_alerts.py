"""Notify me when it is back in stock, over REST: a customer's own address waits at once, a guest's is
mailed a confirmation first (as the page does); customers list and unsubscribe only their own alerts;
staff list them all; bad input is a 4xx that changes nothing; asking is throttled per client."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.audit.models import DomainEvent
from commerce.catalog import inventory
from commerce.catalog.models import StockAlert
from commerce.catalog.stock_alerts import stock_alert_subscribe
from commerce.mail.models import Mail
from tests.factories import CustomerFactory, ProductFactory, days_ago, token_client

pytestmark = pytest.mark.django_db

MINE = "/api/v1/me/stock-alerts/"
ALL = "/api/v1/stock-alerts/"


def subscribe_url(product) -> str:
    return f"/api/v1/products/{product.pk}/stock-alert/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_a_customers_own_address_waits_at_once(customer, customer_client, django_capture_on_commit_callbacks):
    product = ProductFactory(name="Blue Cheese")

    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(subscribe_url(product), {}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    alert = StockAlert.objects.get()
    assert body["id"] == alert.pk and body["status"] == "waiting" and body["email"] == customer.email.lower()
    assert body["product"] == {"id": product.pk, "slug": product.slug, "name": "Blue Cheese"}
    assert alert.customer_id == customer.pk
    assert not Mail.objects.filter(template="catalog/mail/stock_alert_confirm").exists()  # their own address is proved
    event = DomainEvent.objects.get(event_type="catalog.stock_alert.requested")
    assert event.channel == "api" and event.actor_id == customer.pk


def test_a_guest_is_mailed_a_confirmation_and_learns_nothing_from_asking_again(api_client, django_capture_on_commit_callbacks):
    product = ProductFactory(name="Blue Cheese")

    with django_capture_on_commit_callbacks(execute=True):
        first = api_client.post(subscribe_url(product), {"email": " Ann@Example.com "}, format="json")
    alert = StockAlert.objects.get()
    stock_alert_subscribe(product_id=product.pk, email="bob@example.com", customer=CustomerFactory(email="bob@example.com"))
    second = api_client.post(subscribe_url(product), {"email": "bob@example.com"}, format="json")  # waits already

    assert first.status_code == second.status_code == 202
    assert first.json() == {"product_id": product.pk, "email": "ann@example.com",
                            "detail": "Check your mailbox: confirm ann@example.com and we will mail it once when Blue Cheese is back."}
    assert set(second.json()) == {"product_id", "email", "detail"}  # no status, no id: the same answer for anyone
    assert (alert.status, alert.customer_id) == (StockAlert.Status.PENDING, None)
    mail = Mail.objects.get(template="catalog/mail/stock_alert_confirm")
    assert mail.to == "ann@example.com" and "/stock-alerts/confirm/" in mail.body_text


def test_a_customer_asking_for_another_address_is_mailed_a_confirmation_too(customer_client):
    product = ProductFactory()
    response = customer_client.post(subscribe_url(product), {"email": "someone-else@example.com"}, format="json")
    assert response.status_code == 202
    assert StockAlert.objects.get().status == StockAlert.Status.PENDING


@pytest.mark.parametrize(("body", "status", "code", "field"), [
    ({"email": "not an address"}, 400, "invalid", "email"),
    ({}, 400, "invalid", "email"),  # a guest must give an address
    ({"email": "a@example.com", "name": "Ann"}, 400, "unknown_field", "name"),
    ({"email": 42}, 400, "invalid", "email"),
    ({"email": "a" * 250 + "@example.com"}, 400, "invalid", "email"),
])
def test_bad_input_is_a_400_that_changes_nothing(api_client, body, status, code, field):
    product = ProductFactory()
    response = api_client.post(subscribe_url(product), body, format="json")
    assert response.status_code == status
    assert response.json()["code"] == code and field in response.json()["fields"]
    assert not StockAlert.objects.exists() and not Mail.objects.exists()


def test_a_product_in_stock_unknown_or_withdrawn_is_refused(api_client):
    in_stock, withdrawn = ProductFactory(), ProductFactory(is_active=False)
    inventory.stock_receive(product=in_stock, batch_number="API-ALERT-1", quantity=3, received_at=days_ago(1))

    assert api_client.post(subscribe_url(in_stock), {"email": "a@example.com"}, format="json").json()["code"] == "stock_alert_not_needed"
    assert api_client.post("/api/v1/products/999999/stock-alert/", {"email": "a@example.com"}, format="json").status_code == 404
    refused = api_client.post(subscribe_url(withdrawn), {"email": "a@example.com"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "product_inactive")
    assert not StockAlert.objects.exists()


def test_asking_is_throttled_per_client(api_client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "stock_alert": "2/hour"}}
    product = ProductFactory()
    answers = [api_client.post(subscribe_url(product), {"email": f"a{i}@example.com"}, format="json") for i in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert answers[2].json()["code"] == "throttled"
    assert StockAlert.objects.count() == 2


def test_customers_list_and_unsubscribe_only_their_own_alerts(customer, customer_client):
    mine = [stock_alert_subscribe(product_id=ProductFactory().pk, email=customer.email, customer=customer) for _ in range(3)]
    other = CustomerFactory()
    theirs = stock_alert_subscribe(product_id=mine[0].product_id, email=other.email, customer=other)
    stock_alert_subscribe(product_id=mine[0].product_id, email="guest@example.com")

    listed = customer_client.get(MINE, {"page_size": 2}).json()
    assert listed["count"] == 3 and [row["id"] for row in listed["results"]] == [mine[2].pk, mine[1].pk]  # newest first
    assert token_client(other).get(MINE).json()["count"] == 1

    # another's alert is answered as one that does not exist, and stays as it was
    refused = customer_client.delete(f"{MINE}{theirs.pk}/")
    assert (refused.status_code, refused.json()["code"]) == (404, "stock_alert_not_found")
    theirs.refresh_from_db()
    assert theirs.status == StockAlert.Status.WAITING

    done = customer_client.delete(f"{MINE}{mine[0].pk}/")
    again = customer_client.delete(f"{MINE}{mine[0].pk}/")
    assert done.status_code == again.status_code == 200 and done.json()["status"] == "cancelled"
    assert DomainEvent.objects.filter(event_type="catalog.stock_alert.cancelled").count() == 1  # twice changes nothing
    assert customer_client.get(MINE, {"status": "waiting"}).json()["count"] == 2


def test_my_alerts_need_a_log_in_and_a_valid_filter(api_client, customer_client):
    assert api_client.get(MINE).status_code == 401
    assert api_client.delete(f"{MINE}1/").status_code == 401
    bad = customer_client.get(MINE, {"status": "later"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid") and "status" in bad.json()["fields"]
    assert customer_client.get(MINE, {"page": "9"}).status_code == 404


def test_staff_who_may_see_alerts_list_them_all_filtered(merchandiser, support, customer_client, api_client, dispatcher):
    product, other = ProductFactory(), ProductFactory()
    customer = CustomerFactory()
    own = stock_alert_subscribe(product_id=product.pk, email=customer.email, customer=customer)
    guest = stock_alert_subscribe(product_id=product.pk, email="guest@example.com")
    stock_alert_subscribe(product_id=other.pk, email="guest@example.com")

    everything = merchandiser.get(ALL).json()
    filtered = support.get(ALL, {"product_id": product.pk, "status": "pending"}).json()

    assert everything["count"] == 3
    assert {row["id"]: row["customer_id"] for row in everything["results"]}[own.pk] == customer.pk
    assert [row["id"] for row in filtered["results"]] == [guest.pk]
    assert support.get(ALL, {"email": "GUEST@example.com"}).json()["count"] == 2
    assert customer_client.get(ALL).status_code == 403
    assert dispatcher.get(ALL).status_code == 403
    assert api_client.get(ALL).status_code == 401
    assert merchandiser.get(ALL, {"product_id": "x"}).status_code == 400


def test_lists_cost_the_same_queries_at_any_page_size(merchandiser, customer, customer_client):
    for _ in range(12):
        stock_alert_subscribe(product_id=ProductFactory().pk, email=customer.email, customer=customer)
    merchandiser.get(ALL)  # the token's and the permissions' first look-ups
    customer_client.get(MINE)

    with CaptureQueriesContext(connection) as small:
        merchandiser.get(ALL, {"page_size": 2})
    with CaptureQueriesContext(connection) as large:
        assert len(merchandiser.get(ALL, {"page_size": 12}).json()["results"]) == 12
    with CaptureQueriesContext(connection) as mine:
        assert len(customer_client.get(MINE, {"page_size": 12}).json()["results"]) == 12

    assert len(small) == len(large)
    assert len(mine) <= len(large)
