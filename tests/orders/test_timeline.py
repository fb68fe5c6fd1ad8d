"""orders/timeline.py is the one place that says what an order event means; it must know every one."""

from types import SimpleNamespace

from commerce.audit import events
from orders.models import Order
from orders.timeline import STATUS_BY_EVENT, cash_collected, event_details, payload_summary, timeline_entry

# Order-stream events that do not move the order to a status of their own: the order is created
# pending, a refund's status depends on whether it was full, a refused refund changes nothing, a
# payment moves the payment status.
NOT_A_STATUS = {"orders.order.created", "orders.order.refunded", "orders.order.refund_failed", "orders.payment.processed",
                "orders.order.claimed"}


def order_stream_types() -> set[str]:
    events.discover()
    return {t for t in events.event_types() if events.event_class(t).stream_type == "order"}


def test_every_status_changing_order_event_has_its_status_and_only_those():
    assert set(STATUS_BY_EVENT) == order_stream_types() - NOT_A_STATUS
    assert set(STATUS_BY_EVENT.values()) <= set(Order.Status.values)


def test_a_cash_on_delivery_capture_reads_the_same_for_the_read_model_and_the_page():
    payload = {"order_id": 1, "order_number": "A1", "gateway": "cod", "status": "captured", "amount": "1234.5",
               "currency": "EUR"}
    event = SimpleNamespace(event_type="orders.payment.processed", payload=payload, occurred_at=None)

    assert cash_collected(payload)
    assert not cash_collected({**payload, "gateway": "sandbox"})
    entry = timeline_entry(event)
    assert (entry.label, entry.detail, entry.tone) == ("Cash collected on delivery", "1,234.50 EUR", "ok")
    assert event_details(payload) == {"gateway": "cod", "status": "captured", "amount": "1234.5", "currency": "EUR"}
    assert payload_summary(payload) == "gateway: cod; status: captured; amount: 1234.5 EUR"
