"""The orders app's management commands: rebuild_order_summaries and seed_demo_orders (run by seed_demo)."""

import io
import re

import pytest
from django.core.management import call_command

from commerce.audit.models import DomainEvent
from commerce.catalog.selectors import stock_reconcile
from orders.models import Cart, Order, OrderLineAllocation, OrderSummary, Payment, Refund, ShippingHoliday, ShippingMethod
from orders.services import lifecycle
from orders.services.payments import order_refund
from tests.orders.factories import paid_order, placed_order, stocked_product

pytestmark = pytest.mark.django_db


def run(name: str, *args) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def summaries() -> list[dict]:
    return list(OrderSummary.objects.order_by("order_id").values())


# --- rebuild_order_summaries ---------------------------------------------------------------------------
def test_rebuild_order_summaries_replays_the_audit_table_into_the_same_rows():
    pending = placed_order([(stocked_product(), 1)])
    shipped = paid_order([(stocked_product(price="30.00"), 2)])
    lifecycle.order_allocate(order=shipped)
    lifecycle.order_mark_ready(order=shipped)
    lifecycle.order_ship(order=shipped, carrier="DPD", tracking_number="T1")
    refunded = paid_order([(stocked_product(), 3)])
    order_refund(order=refunded, amount=5, reason="late")
    lifecycle.order_cancel(order=pending, reason="too slow")
    before = summaries()
    assert {s["status"] for s in before} == {"cancelled", "shipped", "paid"}
    OrderSummary.objects.filter(order_id=shipped.pk).delete()  # a lost row ...
    OrderSummary.objects.filter(order_id=refunded.pk).update(status="completed", refunded_amount=0)  # ... and a wrong one

    output = run("rebuild_order_summaries")

    assert re.search(r"Rebuilt 3 order summaries from the audit table in \d+\.\d s\.", output)
    assert summaries() == before


def test_rebuild_order_summaries_with_no_orders_says_so():
    assert "Rebuilt 0 order summaries" in run("rebuild_order_summaries")
    assert not OrderSummary.objects.exists()


# --- seed_demo_orders ----------------------------------------------------------------------------------
def test_seed_demo_places_demo_orders_through_the_services_and_a_second_run_changes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the refund runs once the cancel committed
        output = run("seed_demo", "--products", "60", "--customers", "8")

    orders = Order.objects.all()
    assert 30 <= orders.count() <= 60
    statuses = set(orders.values_list("status", flat=True))
    assert {"pending", "confirmed", "paid", "allocated", "ready_to_ship", "shipped", "delivered", "completed",
            "cancelled"} <= statuses
    assert orders.filter(payment_status="partially_refunded").count() == 1
    assert orders.filter(status="cancelled", refunded_amount__gt=0).exists()  # cancelled after payment: refunded
    assert orders.filter(payment_method="cod", status="delivered", payment_status="paid").exists()  # cash collected
    assert Payment.objects.filter(status="declined").count() == 1  # one shopper's card was declined first
    assert Refund.objects.exists()
    # Made the way a shopper and staff make them: carts checked out, events, batches on the lines, the read model.
    assert Cart.objects.filter(status="checked_out").count() == orders.count()
    for kind in ("created", "paid", "inventory_allocated", "shipped", "delivered", "completed", "cancelled", "refunded"):
        assert DomainEvent.objects.filter(event_type=f"orders.order.{kind}").exists(), kind
    assert DomainEvent.objects.filter(event_type="orders.order.created").count() == orders.count()
    shipped = orders.filter(status__in=["shipped", "delivered", "completed"])
    assert not shipped.filter(tracking_number="").exists()
    assert OrderLineAllocation.objects.filter(line__order__in=shipped).count() >= shipped.count()
    assert OrderSummary.objects.count() == orders.count()
    assert stock_reconcile() == []
    # Some customers come back: reorder suggestions have something to show.
    assert orders.values("customer").distinct().count() < orders.count()
    assert re.search(r"Demo orders placed in \d+\.\d s: \d+ orders \(.*\); 1 partly refunded", output)
    # Delivery promises: the methods and holidays, orders keeping theirs; a guest's orders, one shipped.
    assert set(ShippingMethod.objects.values_list("code", flat=True)) == {"standard", "express", "economy"}
    assert ShippingHoliday.objects.count() == 16
    assert {"standard", "express"} <= set(orders.values_list("shipping_method_code", flat=True))
    assert not orders.filter(delivery_earliest__isnull=True).exists()
    guests = orders.filter(customer__isnull=True)
    assert guests.count() == 2 and set(guests.values_list("guest_email", flat=True)) == {"guest.shopper@example.com"}
    assert set(guests.values_list("status", flat=True)) == {"paid", "shipped"}
    assert "look it up at /orders/find/ with guest.shopper@example.com" in output

    before = (Order.objects.count(), DomainEvent.objects.count(), Payment.objects.count())
    again = run("seed_demo", "--products", "60", "--customers", "8")

    assert (Order.objects.count(), DomainEvent.objects.count(), Payment.objects.count()) == before
    assert "Demo orders already present: nothing changed." in again


def test_seed_demo_orders_without_a_shop_places_nothing_and_says_why():
    output = run("seed_demo_orders")

    assert "no demo orders placed" in output
    assert not Order.objects.exists()
