"""The catalog back office, used the way a Merchandiser uses it: every write goes through a service."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commerce.audit.models import DomainEvent
from commerce.catalog import inventory
from commerce.catalog.models import Category, Manufacturer, Product, StockBatch, StockMovement
from tests.factories import (
    NO_PASSWORD,
    ManufacturerFactory,
    ProductFactory,
    StaffFactory,
    admin_form_data,
    category,
    days_ago,
    days_ahead,
    events,
)

pytestmark = pytest.mark.django_db


# --- products -------------------------------------------------------------------------------------
def test_product_price_edit_through_admin_emits_price_changed_and_staff_audit(client, admin_merchandiser):
    product = ProductFactory(price_amount=Decimal("9.99"))
    inventory.stock_receive(product=product, batch_number="LOT-P1", quantity=5)
    url = reverse("admin:catalog_product_change", args=[product.pk])
    page = client.get(url)

    response = client.post(url, admin_form_data(page, price_amount="12.50"))

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    product.refresh_from_db()
    assert product.price_amount == Decimal("12.50")
    [price_changed] = events("catalog.product.price_changed")
    assert price_changed.payload["old_price"] == {"amount": "9.99", "currency": "EUR"}
    assert price_changed.payload["new_price"] == {"amount": "12.50", "currency": "EUR"}
    assert price_changed.channel == "admin" and price_changed.actor == admin_merchandiser
    # One staff edit, one row: the price event carries what the admin saw change.
    assert price_changed.payload["changes"] == {"price_amount": {"before": "9.99", "after": "12.50"}}
    assert price_changed.product_id == product.pk
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()
    assert not events("catalog.product.updated")  # only the price changed
    # The read-only batch inline was on the page and changed nothing.
    assert StockBatch.objects.get(batch_number="LOT-P1").quantity_on_hand == 5


def test_product_add_through_admin_goes_through_product_create(client, admin_merchandiser):
    food = category("Food")
    maker = ManufacturerFactory()
    page = client.get(reverse("admin:catalog_product_add"))
    data = admin_form_data(
        page, code="NEW-1", name="Oat milk", slug="oat-milk", category=str(food.pk), manufacturer=str(maker.pk),
        price_amount="2.40", price_currency="EUR", is_active="on", is_perishable="on", weight_kg="1.05", volume_l="1",
    )

    response = client.post(reverse("admin:catalog_product_add"), data)

    assert response.status_code == 302
    product = Product.objects.get(code="NEW-1")
    assert product.price == product.price.of("2.40", "EUR") and product.is_perishable
    [created] = events("catalog.product.created")
    assert created.stream_id == str(product.pk) and created.channel == "admin"
    assert created.payload["values"]["code"] == "NEW-1" and created.payload["values"]["weight_kg"] == "1.05"
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()


def test_product_edit_with_bad_input_shows_the_form_and_changes_nothing(client, admin_merchandiser):
    product = ProductFactory(price_amount=Decimal("9.99"), name="Butter")
    url = reverse("admin:catalog_product_change", args=[product.pk])
    page = client.get(url)

    response = client.post(url, admin_form_data(page, price_amount="-1", name="x" * 201))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "price_amount" in errors and "name" in errors
    product.refresh_from_db()
    assert product.price_amount == Decimal("9.99") and product.name == "Butter"
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()


def test_product_code_is_fixed_and_products_are_never_deleted(client, admin_superuser):
    product = ProductFactory(code="KEEP-1")
    url = reverse("admin:catalog_product_change", args=[product.pk])
    page = client.get(url)
    assert "code" not in page.context["adminform"].form.fields

    client.post(url, admin_form_data(page, code="CHANGED"))
    assert Product.objects.filter(code="KEEP-1").exists()
    assert client.post(reverse("admin:catalog_product_delete", args=[product.pk]), {"post": "yes"}).status_code == 403


def test_product_deactivate_action_goes_through_product_update(client, admin_merchandiser):
    keep, drop = ProductFactory(), ProductFactory()

    response = client.post(
        reverse("admin:catalog_product_changelist"), {"action": "deactivate", "_selected_action": [drop.pk]}
    )

    assert response.status_code == 302
    drop.refresh_from_db(), keep.refresh_from_db()
    assert not drop.is_active and keep.is_active
    [updated] = events("catalog.product.updated")
    assert updated.payload["changes"] == {"is_active": {"before": True, "after": False}}
    assert (updated.stream_id, updated.channel, updated.actor) == (str(drop.pk), "admin", admin_merchandiser)
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()


def test_product_changelist_shows_sellable_stock_with_a_fixed_number_of_queries(client, admin_merchandiser):
    def make(n):
        for _ in range(n):
            product = ProductFactory(is_perishable=True)
            inventory.stock_receive(product=product, batch_number=f"LOT-{product.code}", quantity=7, expires_on=days_ahead(9))
            inventory.stock_receive(product=product, batch_number=f"OLD-{product.code}", quantity=5,
                                    received_at=days_ago(20), expires_on=days_ago(1))  # expired: not sellable

    url = reverse("admin:catalog_product_changelist")
    make(3)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    assert [p.available for p in response.context["cl"].result_list] == [7, 7, 7]
    make(12)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 15
    assert len(many.captured_queries) == len(few.captured_queries)


def test_product_filters_by_category_including_subcategories(client, admin_merchandiser):
    groceries = category("Groceries")
    dairy = category("Dairy", parent=groceries)
    milk = ProductFactory(category=dairy)
    radio = ProductFactory(category=category("Electronics"))

    response = client.get(reverse("admin:catalog_product_changelist"), {"category": groceries.pk})

    assert list(response.context["cl"].result_list) == [milk]
    response = client.get(reverse("admin:catalog_product_changelist"), {"q": radio.code})
    assert list(response.context["cl"].result_list) == [radio]


# --- receiving and adjusting stock ----------------------------------------------------------------
def test_receive_stock_form_calls_the_inventory_service(client, admin_merchandiser):
    product = ProductFactory(is_perishable=True)
    product_page = client.get(reverse("admin:catalog_product_change", args=[product.pk]))
    receive_url = reverse("admin:catalog_stockbatch_receive")
    assert f"{receive_url}?product={product.pk}" in product_page.content.decode()
    assert client.get(receive_url, {"product": product.pk}).context["form"].initial["product"] == str(product.pk)

    response = client.post(receive_url, {
        "product": product.pk, "batch_number": "MILK-001", "quantity": "40", "received_at": days_ago(1).isoformat(),
        "expires_on": days_ahead(10).isoformat(), "location": "NORTH", "reason": "Delivery note 778",
    })

    batch = StockBatch.objects.get(batch_number="MILK-001")
    assert response.status_code == 302 and response["Location"] == reverse("admin:catalog_stockbatch_change", args=[batch.pk])
    assert (batch.quantity_on_hand, batch.location, batch.expires_on) == (40, "NORTH", days_ahead(10))
    movement = StockMovement.objects.get(batch=batch)
    assert (movement.kind, movement.on_hand_delta, movement.reason, movement.actor_repr) == ("receipt", 40, "Delivery note 778", "merch")
    [received] = events("catalog.batch.received")
    assert received.payload["quantity"] == 40 and received.channel == "admin"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"expires_on": ""}, "expires_on"),  # perishable without expiry: the service refuses
        ({"batch_number": "TAKEN"}, "batch_number"),  # batch numbers are unique
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "10001"}, "quantity"),
        ({"expires_on": days_ago(5).isoformat()}, "expires_on"),  # before it was received
    ],
)
def test_receive_stock_with_bad_input_shows_the_error_and_receives_nothing(client, admin_merchandiser, change, field):
    product = ProductFactory(is_perishable=True)
    inventory.stock_receive(product=product, batch_number="TAKEN", quantity=1, expires_on=days_ahead(3))
    data = {"product": product.pk, "batch_number": "NEW", "quantity": "5", "received_at": days_ago(1).isoformat(),
            "expires_on": days_ahead(4).isoformat(), "location": "MAIN"}

    response = client.post(reverse("admin:catalog_stockbatch_receive"), {**data, **change})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert StockBatch.objects.count() == 1 and StockMovement.objects.count() == 1
    assert len(events("catalog.batch.received")) == 1


def test_adding_a_batch_is_receiving_stock(client, admin_merchandiser):
    response = client.get(reverse("admin:catalog_stockbatch_add"), {"product": 7})
    assert response["Location"] == reverse("admin:catalog_stockbatch_receive") + "?product=7"


def test_adjust_stock_action_asks_for_delta_and_reason_then_adjusts_every_selected_batch(client, admin_merchandiser):
    product = ProductFactory()
    a = inventory.stock_receive(product=product, batch_number="A", quantity=10)
    b = inventory.stock_receive(product=product, batch_number="B", quantity=10)

    response = client.post(reverse("admin:catalog_stockbatch_changelist"), {"action": "adjust_stock", "_selected_action": [a.pk, b.pk]})
    assert response.status_code == 302
    form_page = client.get(response["Location"])
    assert [x.batch_number for x in form_page.context["batches"]] == ["A", "B"]

    response = client.post(response["Location"], {"ids": f"{a.pk},{b.pk}", "delta": "-3", "reason": "Damaged in transit"})

    assert response.status_code == 302
    assert sorted(StockBatch.objects.values_list("quantity_on_hand", flat=True)) == [7, 7]
    adjustments = StockMovement.objects.filter(kind="adjustment")
    assert sorted((m.batch.batch_number, m.on_hand_delta, m.reason) for m in adjustments) == [
        ("A", -3, "Damaged in transit"), ("B", -3, "Damaged in transit"),
    ]
    assert len(events("catalog.stock.adjusted")) == 2


@pytest.mark.parametrize(("delta", "reason", "field"), [("0", "stock take", "delta"), ("2", "  ", "reason"), ("x", "r", "delta")])
def test_adjust_stock_refuses_bad_input(client, admin_merchandiser, delta, reason, field):
    batch = inventory.stock_receive(product=ProductFactory(), batch_number="A", quantity=10)

    response = client.post(reverse("admin:catalog_stockbatch_adjust"), {"ids": str(batch.pk), "delta": delta, "reason": reason})

    assert response.status_code == 200 and field in response.context["form"].errors
    assert StockBatch.objects.get().quantity_on_hand == 10


def test_adjust_stock_below_reserved_changes_no_batch_at_all(client, admin_merchandiser):
    product = ProductFactory()
    plenty = inventory.stock_receive(product=product, batch_number="PLENTY", quantity=10, received_at=days_ago(1))
    held = inventory.stock_receive(product=product, batch_number="HELD", quantity=4, received_at=days_ago(9))
    inventory.stock_reserve(product=product, quantity=3, reference="order:X")  # FIFO: from HELD

    response = client.post(reverse("admin:catalog_stockbatch_adjust"), {"ids": f"{plenty.pk},{held.pk}", "delta": "-2", "reason": "count"})

    assert response.status_code == 200
    assert "HELD would have 2 on hand but 3 reserved" in str(response.context["form"].non_field_errors())
    assert {b.batch_number: b.quantity_on_hand for b in StockBatch.objects.all()} == {"PLENTY": 10, "HELD": 4}
    assert not StockMovement.objects.filter(kind="adjustment").exists()


def test_batch_page_is_read_only_and_links_to_adjust_and_recall(client, admin_merchandiser):
    batch = inventory.stock_receive(product=ProductFactory(), batch_number="LOT 7/A", quantity=10)
    url = reverse("admin:catalog_stockbatch_change", args=[batch.pk])

    page = client.get(url)

    html = page.content.decode()
    assert 'name="_save"' not in html
    assert f"{reverse('admin:catalog_stockbatch_adjust')}?ids={batch.pk}" in html
    assert reverse("admin:catalog_stockbatch_recall") + "?batch_number=LOT 7/A" in html
    assert client.post(url, {"quantity_on_hand": "99"}).status_code == 403
    assert StockBatch.objects.get().quantity_on_hand == 10


def test_batch_list_filters_near_expiry_and_expired(client, admin_merchandiser):
    product = ProductFactory(is_perishable=True)
    for number, expires in (("SOON", days_ahead(3)), ("LATER", days_ahead(60)), ("GONE", days_ago(2)), ("TODAY", days_ago(0))):
        inventory.stock_receive(product=product, batch_number=number, quantity=5, received_at=days_ago(30), expires_on=expires)
    url = reverse("admin:catalog_stockbatch_changelist")

    def shown(**params):
        return sorted(b.batch_number for b in client.get(url, params).context["cl"].result_list)

    assert shown(expiry="near") == ["SOON"]
    assert shown(expiry="expired") == ["GONE", "TODAY"]
    assert shown(q=product.code) == ["GONE", "LATER", "SOON", "TODAY"]
    assert shown(product=product.pk) == ["GONE", "LATER", "SOON", "TODAY"]
    assert "near expiry" in client.get(url).content.decode()


def test_sales_staff_cannot_receive_or_adjust(client):
    sales = StaffFactory(groups=["Sales"], password=NO_PASSWORD)
    client.force_login(sales)
    batch = inventory.stock_receive(product=ProductFactory(), batch_number="A", quantity=10)

    assert client.get(reverse("admin:catalog_stockbatch_receive")).status_code == 403
    assert client.post(reverse("admin:catalog_stockbatch_adjust"), {"ids": str(batch.pk), "delta": "5", "reason": "x"}).status_code == 403
    assert StockBatch.objects.get().quantity_on_hand == 10


# --- the ledger and reservations ------------------------------------------------------------------
def test_ledger_and_reservations_are_read_only(client, admin_merchandiser):
    product = ProductFactory()
    inventory.stock_receive(product=product, batch_number="A", quantity=10)
    reservation = inventory.stock_reserve(product=product, quantity=2, reference="order:R1")
    movement = StockMovement.objects.filter(kind="reservation").get()

    page = client.get(reverse("admin:catalog_stockreservation_change", args=[reservation.pk]))
    assert page.status_code == 200 and "order:R1" in page.content.decode()
    assert page.context["inline_admin_formsets"][0].formset.queryset.get().batch.batch_number == "A"
    assert client.get(reverse("admin:catalog_stockmovement_change", args=[movement.pk])).status_code == 200
    assert client.get(reverse("admin:catalog_stockmovement_add")).status_code == 403
    assert client.post(reverse("admin:catalog_stockmovement_change", args=[movement.pk]), {"on_hand_delta": 5}).status_code == 403
    listing = client.get(reverse("admin:catalog_stockmovement_changelist"), {"q": "A"})
    assert {m.kind for m in listing.context["cl"].result_list} == {"receipt", "reservation"}


# --- categories and manufacturers -----------------------------------------------------------------
def test_category_add_edit_and_move_through_admin_use_the_services(client, admin_merchandiser):
    groceries = category("Groceries")
    home = category("Home")
    add_page = client.get(reverse("admin:catalog_category_add"))

    client.post(reverse("admin:catalog_category_add"), admin_form_data(
        add_page, name="Dairy", slug="dairy", treebeard_position="sorted-child", treebeard_ref_node=str(groceries.pk)))

    dairy = Category.objects.get(slug="dairy")
    assert Category.objects.get_parent(dairy) == groceries
    assert [e.payload["name"] for e in events("catalog.category.created")][-1] == "Dairy"
    assert events("catalog.category.created")[-1].payload["values"]["slug"] == "dairy"

    url = reverse("admin:catalog_category_change", args=[dairy.pk])
    response = client.post(url, admin_form_data(client.get(url), name="Dairy & eggs", treebeard_ref_node=str(home.pk)))

    assert response.status_code == 302
    dairy.refresh_from_db()
    assert dairy.name == "Dairy & eggs" and Category.objects.get_parent(dairy) == home
    assert events("catalog.category.updated")[0].payload["changes"]["name"] == {"before": "Dairy", "after": "Dairy & eggs"}
    [moved] = events("catalog.category.moved")
    assert (moved.payload["old_parent_id"], moved.payload["new_parent_id"]) == (groceries.pk, home.pk)
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()  # the services' events say it all


def test_category_drag_and_drop_moves_through_the_service_and_refuses_a_cycle(client, admin_merchandiser):
    groceries = category("Groceries")
    dairy = category("Dairy", parent=groceries)
    home = category("Home")
    move_url = reverse("admin:catalog_category_changelist") + "move/"

    assert client.post(move_url, {"node": dairy.pk, "target": home.pk, "relation": "child"}).status_code == 200
    assert Category.objects.get_parent(Category.objects.get(pk=dairy.pk)) == home
    assert len(events("catalog.category.moved")) == 1

    home.refresh_from_db()
    response = client.post(move_url, {"node": home.pk, "target": dairy.pk, "relation": "child"})
    assert response.status_code == 400
    assert Category.objects.get_parent(Category.objects.get(pk=home.pk)) is None
    assert len(events("catalog.category.moved")) == 1


def test_manufacturer_add_and_edit_use_the_services(client, admin_merchandiser):
    add_page = client.get(reverse("admin:catalog_manufacturer_add"))
    client.post(reverse("admin:catalog_manufacturer_add"), admin_form_data(
        add_page, name="Laiterie du Rhône", slug="laiterie-du-rhone", website="https://laiterie.example", support_email="help@laiterie.example"))
    maker = Manufacturer.objects.get(slug="laiterie-du-rhone")
    assert events("catalog.manufacturer.created")[0].stream_id == str(maker.pk)

    url = reverse("admin:catalog_manufacturer_change", args=[maker.pk])
    response = client.post(url, admin_form_data(client.get(url), support_phone="+33 4 00 00 00 00"))

    assert response.status_code == 302
    assert Manufacturer.objects.get().support_phone == "+33 4 00 00 00 00"
    assert events("catalog.manufacturer.updated")[0].payload["changes"] == {"support_phone": {"before": "", "after": "+33 4 00 00 00 00"}}
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()


def test_a_refusal_the_form_could_not_see_rolls_everything_back_with_a_message(client, admin_merchandiser, monkeypatch):
    from commerce.catalog import services
    from commerce.catalog.errors import ProductNotFound

    product = ProductFactory(price_amount=Decimal("9.99"))
    url = reverse("admin:catalog_product_change", args=[product.pk])
    page = client.get(url)

    def gone(**kwargs):  # e.g. the product vanished between the form check and the write
        raise ProductNotFound("No such product.")

    monkeypatch.setattr(services, "product_update", gone)
    response = client.post(url, admin_form_data(page, price_amount="1.00"), follow=True)

    assert response.redirect_chain[0] == (url, 302)
    assert "Nothing was saved: No such product." in [str(m) for m in response.context["messages"]]
    assert Product.objects.get(pk=product.pk).price_amount == Decimal("9.99")
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()
