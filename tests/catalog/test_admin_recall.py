"""The batch recall page: from a batch number to every reference, customer and delivery that got its units."""

import pytest
from django.urls import reverse

from commerce.catalog import inventory
from commerce.catalog.traceability import register_resolver, unregister_resolver
from tests.factories import NO_PASSWORD, CustomerFactory, ProductFactory, StaffFactory, days_ago, days_ahead

pytestmark = pytest.mark.django_db

RECALL = "admin:catalog_stockbatch_recall"


@pytest.fixture
def batch():
    product = ProductFactory(name="Raw-milk Brie", code="BRIE-1", is_perishable=True)
    lot = inventory.stock_receive(product=product, batch_number="BRIE-2405", quantity=20, received_at=days_ago(4),
                                  expires_on=days_ahead(6))
    shipped = inventory.stock_reserve(product=product, quantity=3, reference="order:SHIP1")
    inventory.stock_consume(reservation=shipped)
    inventory.stock_reserve(product=product, quantity=2, reference="order:HOLD2")
    released = inventory.stock_reserve(product=product, quantity=4, reference="order:GONE3")
    inventory.stock_release(reservation=released)
    inventory.stock_return(batch_number="BRIE-2405", quantity=1, reference="order:SHIP1")
    return lot


def staff(client, group):
    user = StaffFactory(groups=[group], password=NO_PASSWORD)
    client.force_login(user)
    return user


def test_recall_page_lists_every_reference_that_received_or_holds_units(client, batch):
    staff(client, "Merchandisers")

    response = client.get(reverse(RECALL), {"batch_number": "BRIE-2405"})

    assert response.status_code == 200
    rows = {row["entry"].reference: (row["entry"].status, row["entry"].quantity) for row in response.context["rows"]}
    assert rows == {"order:SHIP1": ("consumed", 3), "order:HOLD2": ("active", 2)}  # the released one never left
    html = response.content.decode()
    assert "Raw-milk Brie" in html and "order:SHIP1" in html and "order:HOLD2" in html and "order:GONE3" not in html
    assert response.context["expiry_state"] == "near expiry"  # 6 days left
    trace = response.context["trace"]
    assert (trace.shipped_quantity, trace.reserved_quantity, trace.returned) == (3, 2, 1)


def test_recall_page_shows_what_the_orders_app_resolves(client, batch):
    staff(client, "Support")
    customer = CustomerFactory(username="ada", password=NO_PASSWORD)

    def orders(references):
        return {"order:SHIP1": {"order": "SHIP1", "order_line": 1, "customer_id": customer.pk, "delivery": "Route 7, 2 June",
                                "carrier": "van 3"}}

    register_resolver(orders)
    try:
        response = client.get(reverse(RECALL), {"batch_number": "BRIE-2405"})
    finally:
        unregister_resolver(orders)

    [shipped] = [row for row in response.context["rows"] if row["entry"].reference == "order:SHIP1"]
    assert (shipped["order"], shipped["delivery"], shipped["other"]) == ("SHIP1", "Route 7, 2 June", "carrier: van 3")
    assert shipped["customer_url"] == reverse("admin:accounts_user_change", args=[customer.pk])
    html = response.content.decode()
    assert "Route 7, 2 June" in html and shipped["customer_url"] in html
    assert response.context["trace"].customer_ids == [customer.pk]


def test_recall_page_tells_the_batchs_history_in_words_oldest_first(client, batch, django_assert_max_num_queries):
    staff(client, "Merchandisers")
    inventory.stock_receive(product=batch.product, batch_number="OTHER-1", quantity=5, expires_on=days_ahead(9))  # not its history
    inventory.stock_adjust(batch_number="BRIE-2405", delta=-1, reason="Damaged box")

    response = client.get(reverse(RECALL), {"batch_number": "BRIE-2405"})

    sentences = [row["sentence"] for row in response.context["history"]]
    product = batch.product.pk
    assert sentences == [
        f"Batch BRIE-2405 of product {product}: 20 units received, expires {batch.expires_on.isoformat()}, at MAIN",
        f"Order SHIP1 reserved 3 units of product {product}: batch BRIE-2405 × 3",
        f"Order SHIP1 took 3 units of product {product}: batch BRIE-2405 × 3",
        f"Order HOLD2 reserved 2 units of product {product}: batch BRIE-2405 × 2",
        f"Batch BRIE-2405 of product {product}: 1 unit returned from Order SHIP1: customer return",
        f"Batch BRIE-2405 of product {product} adjusted by -1: Damaged box",
    ]  # the released reservation (GONE3) and the other batch are not in it
    html = response.content.decode()
    assert 'id="recall-history"' in html and "adjusted by -1: Damaged box" in html
    assert [row["status"] for row in response.context["rows"]] == ["shipped", "reserved"]
    assert "the shop, " in html  # who did it (a service called outside a request: the shop)

    with django_assert_max_num_queries(12):  # the page's cost does not grow with the history
        client.get(reverse(RECALL), {"batch_number": "BRIE-2405"})


def test_recall_page_says_clearly_when_the_batch_is_unknown(client, batch):
    staff(client, "Merchandisers")

    response = client.get(reverse(RECALL), {"batch_number": "NOPE-1"})

    assert response.status_code == 200
    assert response.context["trace"] is None
    assert "No batch numbered “NOPE-1”" in response.content.decode()


def test_recall_page_is_linked_and_searchable_without_a_number(client, batch):
    staff(client, "Merchandisers")

    empty = client.get(reverse(RECALL))
    assert empty.status_code == 200 and empty.context["trace"] is None and not empty.context["error"]
    changelist = client.get(reverse("admin:catalog_stockbatch_changelist")).content.decode()
    assert reverse(RECALL) in changelist


def test_recall_exports_csv_for_the_recall_notice(client, batch):
    staff(client, "Support")

    response = client.get(reverse(RECALL), {"batch_number": "BRIE-2405", "format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="recall-BRIE-2405.csv"'
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0].startswith("batch_number,product_code,reference,status,quantity")
    assert sorted(line.split(",")[2] for line in lines[1:]) == ["order:HOLD2", "order:SHIP1"]


def test_recall_csv_cannot_carry_a_spreadsheet_formula(client, batch):
    inventory.stock_reserve(product=batch.product, quantity=1, reference="=HYPERLINK(\"http://x\")")
    staff(client, "Support")

    response = client.get(reverse(RECALL), {"batch_number": "BRIE-2405", "format": "csv"})

    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


@pytest.mark.parametrize("group", ["Sales", "Dispatchers"])
def test_recall_page_needs_the_recall_permission(client, batch, group):
    staff(client, group)

    assert client.get(reverse(RECALL), {"batch_number": "BRIE-2405"}).status_code == 403
    assert client.get(reverse(RECALL), {"batch_number": "BRIE-2405", "format": "csv"}).status_code == 403
