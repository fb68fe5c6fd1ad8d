"""Attribution: an add to cart or a purchase counts for the list the shopper last clicked the product in,
within the window (24 hours, 7 days); guests by their session, customers by their account; written off
the request (a task, the bus), once however often it is retried, never into the audit table."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commerce.audit.journey import JourneyAction, journey_record
from commerce.audit.models import DomainEvent
from commerce.context import session_digest
from recommendations.models import RecommendationClick, RecommendationConversion, RecommendationList
from recommendations.serving import attribution
from recommendations.serving.attribution import add_to_carts_attribute, order_attribute
from recommendations.serving.shopper import Shopper
from tests.factories import CustomerFactory, customer_with_address
from tests.orders.factories import placed_order, stocked_product
from tests.recommendations.serving_factories import pairs_rebuilt

pytestmark = pytest.mark.django_db


def clicked(shopper: Shopper, *products, at=None):
    """A list of ``products`` served to the shopper, and a click on its first product (``at``: when)."""
    now = at or timezone.now()
    row = RecommendationList.objects.create(placement="product_similar", intent="similar", customer_id=shopper.customer_id,
                                            session_id=shopper.session_id, product_ids=[p.pk for p in products],
                                            created_at=now, impressed_at=now)
    RecommendationClick.objects.create(recommendation_list=row, product_id=products[0].pk, position=1,
                                       customer_id=shopper.customer_id, session_id=shopper.session_id, clicked_at=now)
    attribution.click_noted(customer_id=shopper.customer_id, session_id=shopper.session_id)  # as the click service does
    return row


def test_an_order_line_counts_for_the_last_list_clicked_with_its_revenue(django_capture_on_commit_callbacks):
    a, b = stocked_product(quantity=50), stocked_product(quantity=50)
    customer, address = customer_with_address()
    shopper = Shopper(customer_id=customer.pk)
    clicked(shopper, a, at=timezone.now() - datetime.timedelta(days=2))
    latest = clicked(shopper, a, b, at=timezone.now() - datetime.timedelta(hours=1))
    audit_before = DomainEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):  # the bus's reaction, in Celery after commit
        order = placed_order([(a, 2), (b, 1)], customer=customer, address=address)
    purchase = RecommendationConversion.objects.get(kind="purchase")
    assert purchase.recommendation_list_id == latest.pk and purchase.product_id == a.pk and purchase.quantity == 2
    line = order.lines.get(product_id=a.pk)
    assert purchase.revenue_amount == line.line_total_amount > 0 and purchase.revenue_currency == order.currency
    assert purchase.order_id == order.pk and purchase.customer_id == customer.pk
    # b was never clicked: not attributed; tracking writes no audit row of its own
    assert not RecommendationConversion.objects.filter(product_id=b.pk, kind="purchase").exists()
    assert not DomainEvent.objects.filter(pk__gt=audit_before, event_type__startswith="recommendations.").exclude(
        event_type="recommendations.generated").exists()


def test_a_click_older_than_the_window_or_someone_elses_counts_for_nothing(settings):
    a = stocked_product()
    customer = CustomerFactory()
    clicked(Shopper(customer_id=customer.pk), a, at=timezone.now() - datetime.timedelta(days=8))
    clicked(Shopper(customer_id=CustomerFactory().pk), a)
    lines = [{"product_id": a.pk, "quantity": 1, "line_total": "9.00"}]
    assert order_attribute(order_id=1, customer_id=customer.pk, session_id="", lines=lines, currency="EUR",
                           at=timezone.now()) == 0
    settings.RECOMMENDATIONS_ATTRIBUTION = {"add_to_cart_hours": 24, "purchase_days": 10}  # the window in one place
    assert order_attribute(order_id=1, customer_id=customer.pk, session_id="", lines=lines, currency="EUR",
                           at=timezone.now()) == 1


def test_a_retried_attribution_adds_nothing():
    a = stocked_product()
    guest = Shopper(session_id=session_digest("guest-session"))
    clicked(guest, a)
    lines = [{"product_id": a.pk, "quantity": 1, "line_total": "12.50"}, {"product_id": None, "quantity": 1, "line_total": "1"}]
    for _ in range(2):
        order_attribute(order_id=7, customer_id=None, session_id=guest.session_id, lines=lines, currency="EUR",
                        at=timezone.now())
        add_to_carts_attribute(customer_id=None, session_id=guest.session_id, product_ids=[a.pk], at=timezone.now(),
                               reference="r1")
    assert RecommendationConversion.objects.filter(kind="purchase", revenue_amount=Decimal("12.50")).count() == 1
    assert RecommendationConversion.objects.filter(kind="add_to_cart").count() == 1


def test_an_add_to_cart_older_than_a_day_after_the_click_counts_for_nothing():
    a = stocked_product()
    customer = CustomerFactory()
    clicked(Shopper(customer_id=customer.pk), a, at=timezone.now() - datetime.timedelta(hours=25))
    assert add_to_carts_attribute(customer_id=customer.pk, session_id="", product_ids=[a.pk], at=timezone.now(),
                                  reference="x") == 0


def test_the_journey_attributes_an_add_to_cart_in_one_query_after_commit(django_capture_on_commit_callbacks,
                                                                         django_assert_num_queries):
    a = stocked_product()
    customer = CustomerFactory()
    row = clicked(Shopper(customer_id=customer.pk), a)
    with django_capture_on_commit_callbacks() as callbacks:
        journey_record(action=JourneyAction.ADD_TO_CART, session_id="", customer_id=customer.pk, product_id=a.pk)
    assert not RecommendationConversion.objects.exists()  # nothing on the request itself
    with django_assert_num_queries(2):  # the clicks, the INSERT
        for callback in callbacks:
            callback()
    assert RecommendationConversion.objects.get().recommendation_list_id == row.pk


def test_an_add_to_cart_after_no_click_queues_nothing(django_capture_on_commit_callbacks):
    customer = CustomerFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        journey_record(action=JourneyAction.ADD_TO_CART, session_id="", customer_id=customer.pk,
                       product_id=stocked_product().pk)
    assert not [c for c in callbacks if c.__module__ == attribution.__name__]  # no attribution task


def test_a_guest_clicks_a_shelf_and_adds_to_cart_on_the_pages(client, django_capture_on_commit_callbacks):
    a, b = stocked_product(quantity=50), stocked_product(quantity=50)
    pairs_rebuilt([a, b], times=2)
    client.get(a.get_absolute_url())  # the session starts, the shelves are served
    served = RecommendationList.objects.get(placement="product_bought_together")
    assert client.get(reverse("recommendations:recommendation_click", args=[served.pk, b.pk])).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orders:cart_add"), {"product_id": b.pk, "quantity": 1})
    assert response.status_code == 302
    conversion = RecommendationConversion.objects.get()
    assert conversion.kind == "add_to_cart" and conversion.recommendation_list_id == served.pk
    assert conversion.customer_id is None and conversion.session_id == served.session_id != ""


def test_a_customers_add_to_cart_through_the_api(customer_client, customer, django_capture_on_commit_callbacks):
    a, b = stocked_product(quantity=50), stocked_product(quantity=50)
    pairs_rebuilt([a, b], times=2)
    body = customer_client.get(reverse("recommendations_api:recommendations_bought_together",
                                       kwargs={"product_id": a.pk})).json()
    customer_client.post(reverse("recommendations_api:recommendations_clicks"),
                         {"list_id": body["list_id"], "product_id": b.pk}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(reverse("orders_api:cart_item_add"), {"product_id": b.pk, "quantity": 1}, format="json")
    assert response.status_code in (200, 201), response.content
    assert RecommendationConversion.objects.get(kind="add_to_cart").recommendation_list_id.hex == body["list_id"].replace("-", "")
