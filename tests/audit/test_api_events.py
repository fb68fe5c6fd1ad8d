import datetime
import hashlib

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.test import APIClient

from commerce.accounts import services as accounts
from commerce.audit.journey import JourneyAction, journey_record
from commerce.audit.models import DomainEvent
from commerce.audit.store import append_row
from tests.factories import CustomerFactory, ProductFactory, StaffFactory, token_client

pytestmark = pytest.mark.django_db

EVENTS_URL = "/api/v1/events/"


def staff_with(*perms: str):
    staff = StaffFactory()
    for perm in perms:
        app_label, codename = perm.split(".")
        staff.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return staff


@pytest.fixture
def auditor():
    return token_client(staff_with("audit.view_audit_trail"))


def test_event_list_shows_events_oldest_first(auditor):
    customer = CustomerFactory()
    accounts.address_create(customer=customer, recipient="Ada", street="1 Road", city="Lyon", zip_code="69001", country="FR")

    response = auditor.get(EVENTS_URL)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["event_type"] for row in rows] == ["accounts.address.added"]
    event = DomainEvent.objects.get()
    assert rows[0] | {"occurred_at": None} == {
        "id": event.pk,
        "event_type": "accounts.address.added",
        "stream_type": "customer",
        "stream_id": str(customer.pk),
        "version": 1,
        "payload": event.payload,
        "actor_id": None,
        "actor_repr": "",
        "channel": "system",
        "customer_id": customer.pk,
        "product_id": None,
        "session": "",
        "request_id": "",
        "trace_id": event.trace_id,
        "occurred_at": None,
    }


def test_event_list_filters(auditor):
    milk, bread = ProductFactory(), ProductFactory()  # their categories' events come first
    start = timezone.now()
    append_row(event_type="x.thing.done", stream_type="thing", stream_id=1, payload={}, product_id=milk.pk)
    append_row(event_type="x.thing.done", stream_type="thing", stream_id=2, payload={}, product_id=bread.pk, customer_id=7)
    append_row(event_type="x.other.done", stream_type="other", stream_id=1, payload={}, customer_id=7)
    later = timezone.now() + datetime.timedelta(minutes=1)

    def stream_ids(**params):
        response = auditor.get(EVENTS_URL, params)
        assert response.status_code == 200, response.json()
        return [(row["stream_type"], row["stream_id"]) for row in response.json()["results"]]

    assert stream_ids(event_type="x.thing.done") == [("thing", "1"), ("thing", "2")]
    assert stream_ids(stream_type="thing", stream_id="2") == [("thing", "2")]
    assert stream_ids(customer_id=7) == [("thing", "2"), ("other", "1")]
    assert stream_ids(product_id=milk.pk) == [("thing", "1")]
    assert stream_ids(since=start.isoformat()) == [("thing", "1"), ("thing", "2"), ("other", "1")]
    assert stream_ids(since=later.isoformat()) == []
    assert {stream_type for stream_type, _ in stream_ids(until=start.isoformat())} == {"category"}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"since": "yesterday"}, "since"), ({"customer_id": "abc"}, "customer_id"), ({"product_id": "0"}, "product_id"),
     ({"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until")],
)
def test_event_list_rejects_bad_filters(auditor, params, field):
    response = auditor.get(EVENTS_URL, params)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == [field]


def test_event_list_is_paginated(auditor):
    for i in range(5):
        append_row(event_type="x.thing.done", stream_type="thing", stream_id=i, payload={})

    body = auditor.get(EVENTS_URL, {"page_size": 2, "page": 3}).json()

    assert body["count"] == 5
    assert [row["stream_id"] for row in body["results"]] == ["4"]
    assert body["next"] is None


def test_event_list_never_shows_a_raw_session_key(auditor):
    append_row(event_type="x.cart.touched", stream_type="session", stream_id="secret-session-key",
               session_id="secret-session-key", payload={})

    row = auditor.get(EVENTS_URL).json()["results"][0]

    digest = hashlib.sha256(b"secret-session-key").hexdigest()[:16]
    assert "secret-session-key" not in str(row)
    assert (row["stream_type"], row["stream_id"], row["session"]) == ("session", digest, digest)


@pytest.mark.parametrize(
    "who",
    ["customer", "staff_without_permission", "permission_without_staff"],
)
def test_event_list_is_refused_without_the_audit_permission(who):
    user = {
        "customer": CustomerFactory,
        "staff_without_permission": StaffFactory,
        "permission_without_staff": lambda: _non_staff_with_audit_permission(),
    }[who]()

    response = token_client(user).get(EVENTS_URL)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def _non_staff_with_audit_permission():
    user = CustomerFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_audit_trail"))
    return user


def test_event_list_needs_a_logged_in_client():
    response = APIClient().get(EVENTS_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_stream_events_from_a_version(auditor):
    for n in range(4):
        append_row(event_type=f"x.step.{n}", stream_type="order", stream_id="A1", payload={})
    append_row(event_type="x.step.0", stream_type="order", stream_id="B2", payload={})

    response = auditor.get("/api/v1/streams/order/A1/events/", {"from_version": 3})

    assert response.status_code == 200
    assert [(row["version"], row["event_type"]) for row in response.json()["results"]] == [(3, "x.step.2"), (4, "x.step.3")]
    assert auditor.get("/api/v1/streams/order/A1/events/").json()["count"] == 4


@pytest.mark.parametrize("from_version", ["0", "-1", "one"])
def test_stream_events_rejects_a_bad_version(auditor, from_version):
    response = auditor.get("/api/v1/streams/order/A1/events/", {"from_version": from_version})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["from_version"]


def test_stream_events_needs_the_audit_permission():
    response = token_client(CustomerFactory()).get("/api/v1/streams/order/A1/events/")

    assert response.status_code == 403


def _journey_of(customer):
    milk = ProductFactory()
    journey_record(action=JourneyAction.PRODUCT_SEARCH, session_id="s1", customer_id=customer.pk, details={"query": "milk"})
    journey_record(action=JourneyAction.PRODUCT_VIEW, session_id="s1", customer_id=customer.pk, product_id=milk.pk)
    journey_record(action=JourneyAction.PRODUCT_VIEW, session_id="s2", customer_id=customer.pk, product_id=milk.pk)
    return milk


def test_customer_journey_for_the_customer_themself():
    customer = CustomerFactory()
    milk = _journey_of(customer)

    response = token_client(customer).get(f"/api/v1/customers/{customer.pk}/journey/")

    assert response.status_code == 200
    body = response.json()
    assert body["customer_id"] == customer.pk
    assert body["action_counts"] == {"product_search": 1, "product_view": 2}
    assert body["viewed_products"] == [milk.pk]
    assert body["searches"] == ["milk"]
    assert [session["actions"] for session in body["sessions"]] == [["product_search", "product_view"], ["product_view"]]
    first = body["sessions"][0]
    assert first["session"] == hashlib.sha256(b"s1").hexdigest()[:16]
    assert [(step["action"], step["product_id"], step["details"]) for step in first["steps"]] == [
        ("product_search", None, {"query": "milk"}),
        ("product_view", milk.pk, {}),
    ]
    assert '"s1"' not in response.content.decode()


def test_customer_journey_for_staff_who_may_view_customers():
    # view_customers over every region (Support); the regional rule: tests/accounts/test_customer_data_access.py
    customer = CustomerFactory()
    _journey_of(customer)

    response = token_client(StaffFactory(groups=["Support"])).get(f"/api/v1/customers/{customer.pk}/journey/")

    assert response.status_code == 200
    assert response.json()["action_counts"]["product_view"] == 2


def test_customer_journey_since_filters_by_time():
    customer = CustomerFactory()
    _journey_of(customer)
    later = (timezone.now() + datetime.timedelta(minutes=1)).isoformat()

    body = token_client(customer).get(f"/api/v1/customers/{customer.pk}/journey/", {"since": later}).json()

    assert body["sessions"] == []
    assert body["action_counts"] == {}


@pytest.mark.parametrize("who", ["other_customer", "staff_without_permission"])
def test_customer_journey_of_someone_else_is_refused(who):
    customer = CustomerFactory()
    _journey_of(customer)
    user = CustomerFactory() if who == "other_customer" else StaffFactory()

    response = token_client(user).get(f"/api/v1/customers/{customer.pk}/journey/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_customer_journey_needs_a_logged_in_client():
    customer = CustomerFactory()

    response = APIClient().get(f"/api/v1/customers/{customer.pk}/journey/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
