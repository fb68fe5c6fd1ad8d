"""The shopper journey has its own table: cheap to write, indexed for its readers, out of the audit trail."""

import datetime
from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from rest_framework.test import APIClient

from commerce.audit import selectors
from commerce.audit.events import DomainEventData, record
from commerce.audit.journey import JourneyAction, journey_record
from commerce.audit.models import DomainEvent, JourneyStep
from tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True, kw_only=True)
class ParcelNoted(DomainEventData):
    event_type: ClassVar[str] = "tests.parcel.noted"
    stream_type: ClassVar[str] = "parcel"
    parcel_id: int
    customer_id: int | None
    session_id: str

    @property
    def stream_id(self):
        return self.parcel_id


def test_journey_steps_are_not_in_the_event_list():
    auditor = StaffFactory()
    auditor.user_permissions.add(Permission.objects.get(content_type__app_label="audit", codename="view_audit_trail"))
    client = APIClient()
    client.force_authenticate(auditor)
    journey_record(action=JourneyAction.PRODUCT_VIEW, session_id="s1", customer_id=5, product_id=1)

    body = client.get("/api/v1/events/").json()

    assert body["count"] == 0 and DomainEvent.objects.count() == 0
    assert JourneyStep.objects.count() == 1


def test_customer_journey_interleaves_the_customers_domain_events_by_time():
    customer = CustomerFactory()
    journey_record(action=JourneyAction.PRODUCT_SEARCH, session_id="s1", customer_id=customer.pk, details={"query": "tea"})
    with transaction.atomic():
        record(ParcelNoted(parcel_id=1, customer_id=customer.pk, session_id="s1"))
    journey_record(action=JourneyAction.PRODUCT_VIEW, session_id="s1", customer_id=customer.pk, product_id=4)

    journey = selectors.customer_journey(customer_id=customer.pk)

    actions = [step["action"] for session in journey.sessions for step in session.steps]
    assert actions == ["product_search", "tests.parcel.noted", "product_view"]
    assert journey.searches == ["tea"] and journey.viewed_products == [4]


def test_customer_journey_costs_two_queries_whatever_its_length(django_assert_num_queries):
    for n in range(30):
        journey_record(action=JourneyAction.PRODUCT_VIEW, session_id=f"s{n % 3}", customer_id=9, product_id=n + 1)

    with django_assert_num_queries(2):  # its steps, its domain events
        journey = selectors.customer_journey(customer_id=9)

    assert sum(len(s.steps) for s in journey.sessions) == 30 and len(journey.sessions) == 3


def test_a_search_step_keeps_its_query_in_its_own_column():
    journey_record(action=JourneyAction.PRODUCT_SEARCH, session_id="s1", details={"query": "q" * 300, "results": 2})
    journey_record(action=JourneyAction.PRODUCT_VIEW, session_id="s1", product_id=3, details={"query": "not a search"})

    search, view = JourneyStep.objects.order_by("id")
    assert search.query == "q" * 200 and search.payload["results"] == 2
    assert view.query == ""


def test_journey_steps_stream_by_action_product_customer_and_time(django_assert_num_queries):
    start = timezone.now()
    journey_record(action=JourneyAction.PRODUCT_VIEW, session_id="a", customer_id=1, product_id=10)
    journey_record(action=JourneyAction.ADD_TO_CART, session_id="a", customer_id=1, product_id=10)
    journey_record(action=JourneyAction.PRODUCT_VIEW, session_id="b", customer_id=None, product_id=11)
    journey_record(action=JourneyAction.PRODUCT_SEARCH, session_id="b", details={"query": "milk"})

    with django_assert_num_queries(1):
        views = list(selectors.journey_steps(since=start, actions=[JourneyAction.PRODUCT_VIEW], fields=("session_id", "product_id")))
    assert views == [("a", 10), ("b", 11)]
    assert [r[2] for r in selectors.journey_steps(since=start, product_id=10)] == ["product_view", "add_to_cart"]
    assert len(list(selectors.journey_steps(since=start, customer_id=1))) == 2
    assert [r[-1] for r in selectors.journey_steps(since=start, session_id="b")] == ["", "milk"]
    assert list(selectors.journey_steps(since=timezone.now() + datetime.timedelta(seconds=1))) == []
    assert [s.action for s in selectors.session_journey(session_id="a")] == ["product_view", "add_to_cart"]


def test_journey_steps_needs_a_starting_point():
    with pytest.raises(TypeError):
        selectors.journey_steps(actions=["product_view"])


def test_the_journey_table_is_indexed_for_its_readers():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, JourneyStep._meta.db_table)
    indexed = {tuple(c["columns"]) for c in constraints.values() if c["index"] and not c["primary_key"]}
    assert {("customer_id", "occurred_at"), ("session_id", "occurred_at"), ("action", "occurred_at"),
            ("product_id", "occurred_at")} <= indexed


def _migration_function(name: str):
    loader = MigrationLoader(connection)
    migration = loader.get_migration("audit", "0003_move_journey_rows")
    state = loader.project_state(("audit", "0003_move_journey_rows"))
    operation = migration.operations[0]
    return (operation.code if name == "forwards" else operation.reverse_code), state.apps


def test_the_data_migration_moves_journey_rows_out_of_the_event_table_and_back():
    from commerce.audit.store import append_row

    at = timezone.now()
    append_row(event_type="journey.product_search", stream_type="session", stream_id="d1", session_id="d1",
               customer_id=3, payload={"query": "milk", "results": 4})
    append_row(event_type="journey.product_view", stream_type="session", stream_id="d1", session_id="d1",
               customer_id=3, product_id=8, payload={})
    append_row(event_type="orders.order.created", stream_type="order", stream_id="1", customer_id=3, payload={"total": "1"})
    forwards, historical_apps = _migration_function("forwards")

    forwards(historical_apps, None)

    assert list(DomainEvent.objects.values_list("event_type", flat=True)) == ["orders.order.created"]
    steps = list(JourneyStep.objects.order_by("id").values_list("action", "customer_id", "session_id", "product_id", "query", "payload"))
    assert steps == [
        ("product_search", 3, "d1", None, "milk", {"query": "milk", "results": 4}),
        ("product_view", 3, "d1", 8, "", {}),
    ]
    assert all(s.occurred_at >= at for s in JourneyStep.objects.all())

    backwards, historical_apps = _migration_function("backwards")
    backwards(historical_apps, None)

    assert not JourneyStep.objects.exists()
    moved_back = DomainEvent.objects.filter(stream_type="session", stream_id="d1").order_by("version")
    assert [(e.event_type, e.version, e.product_id) for e in moved_back] == [
        ("journey.product_search", 1, None), ("journey.product_view", 2, 8)]


def test_staff_who_browse_the_audit_trail_browse_the_journey_read_only(client):
    journey_record(action=JourneyAction.PRODUCT_SEARCH, session_id="s1", customer_id=5, details={"query": "milk"})
    step = JourneyStep.objects.get()
    auditor = StaffFactory(groups=["Support"])
    client.force_login(auditor)

    listing = client.get("/admin/audit/journeystep/", {"q": "milk"})
    page = client.get(f"/admin/audit/journeystep/{step.pk}/change/")

    assert listing.status_code == 200 and [s.pk for s in listing.context["cl"].result_list] == [step.pk]
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/audit/journeystep/{step.pk}/delete/", {"post": "yes"}).status_code == 403
    client.force_login(StaffFactory(groups=["Dispatchers"]))
    assert client.get("/admin/audit/journeystep/").status_code == 403
