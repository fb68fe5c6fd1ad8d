"""What staff see on an order: the customer's contact and history, staff-only notes, a printable
packing slip and invoice; each within the orders the member of staff may see."""

import pytest
from django.urls import reverse

from commerce.audit import wording
from commerce.audit.models import DomainEvent
from orders.models import OrderNote
from orders.services import lifecycle
from tests.factories import NO_PASSWORD, SalesRegionFactory, StaffFactory, messages_of
from tests.orders.factories import customer_with_address, paid_order, placed_order, stocked_product

pytestmark = pytest.mark.django_db


def change_url(order):
    return reverse("admin:orders_order_change", args=[order.pk])


def test_order_page_shows_the_customers_contact_and_history(client, admin_support):
    customer, address = customer_with_address(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    customer.customer_profile.phone = "+33 4 72 00 00 00"
    customer.customer_profile.save()
    first = paid_order([(stocked_product(price="10.00"), 2)], customer=customer, address=address)
    second = paid_order([(stocked_product(price="5.00"), 1)], customer=customer, address=address)

    response = client.get(change_url(second))

    overview = response.context["customer_overview"]
    assert (overview.name, overview.email, overview.phone, overview.order_count) == ("Ada Lovelace", "ada@example.com", "+33 4 72 00 00 00", 2)
    assert overview.spent == {"EUR": first.total_amount + second.total_amount}
    html = response.content.decode()
    assert 'href="mailto:ada@example.com"' in html and f"{first.number}</a>" in html
    assert '<span class="status status-paid">Paid</span>' in html  # the status as said, not its code


def test_codes_in_event_data_read_as_words():
    assert wording.value_text("ready_to_ship") == "ready to ship"
    assert wording.value_text("B-17_x") == "B-17_x" and wording.value_text("Ready_To") == "Ready_To"  # not a code


def test_a_note_is_added_for_staff_only_and_audited_on_its_own_stream(client, admin_support):
    order = paid_order([(stocked_product(), 1)])
    response = client.post(reverse("admin:orders_order_note", args=[order.pk]), {"text": "Called: <b>leave at door</b>"})
    assert response.status_code == 302 and messages_of(response) == ["The note was added."]
    note = OrderNote.objects.get(order=order)
    assert (note.author, note.text) == (admin_support, "Called: <b>leave at door</b>")
    event = DomainEvent.objects.get(event_type="orders.order.note_added")
    assert (event.stream_type, event.actor) == ("order_note", admin_support)
    page = client.get(change_url(order)).content.decode()
    assert "Called: &lt;b&gt;leave at door&lt;/b&gt;" in page  # escaped
    # the shopper's order page and the API's timeline read the order stream: the note is not there
    client.force_login(order.customer)
    assert "leave at door" not in client.get(reverse("orders:order_detail", args=[order.number])).content.decode()


@pytest.mark.parametrize("text,error", [("   ", "This field is required."), ("x" * 2001, "at most 2000 characters")])
def test_a_bad_note_shows_the_error_and_changes_nothing(client, admin_support, text, error):
    order = paid_order([(stocked_product(), 1)])
    response = client.post(reverse("admin:orders_order_note", args=[order.pk]), {"text": text})
    assert response.status_code == 400 and error in response.content.decode()
    assert not OrderNote.objects.exists()


def test_packing_slip_lists_what_to_pick_with_batches_and_no_prices(client, admin_dispatcher):
    order = paid_order([(stocked_product(price="12.34", name="Comté"), 3)])
    lifecycle.order_allocate(order=order)
    html = client.get(reverse("admin:orders_order_packing_slip", args=[order.pk])).content.decode()
    batch = order.lines.get().allocations.get().batch_number
    assert "Comté" in html and f"{batch} × 3" in html and order.shipping_address["city"] in html
    assert "12.34" not in html


def test_invoice_shows_lines_and_totals_and_exists_only_for_placed_orders(client, admin_support):
    order = paid_order([(stocked_product(price="12.34", name="Comté"), 3)])
    html = client.get(reverse("admin:orders_order_invoice", args=[order.pk])).content.decode()
    assert "Comté" in html and "37.02 EUR" in html and f"{order.total_amount} EUR" in html
    pending = placed_order([(stocked_product(), 1)])
    assert client.get(reverse("admin:orders_order_invoice", args=[pending.pk])).status_code == 404


def test_documents_and_notes_follow_the_order_scope(client):
    north, south = SalesRegionFactory(code="north"), SalesRegionFactory(code="south")
    customer_s, address_s = customer_with_address(profile__sales_region=south)
    theirs = paid_order([(stocked_product(), 1)], customer=customer_s, address=address_s)
    sales = StaffFactory(groups=["Sales"], password=NO_PASSWORD)
    sales.sales_regions.add(north)
    client.force_login(sales)
    for name in ("orders_order_packing_slip", "orders_order_invoice"):
        assert client.get(reverse(f"admin:{name}", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("admin:orders_order_note", args=[theirs.pk]), {"text": "hi"}).status_code == 404
    assert client.get(reverse("admin:orders_order_note", args=[theirs.pk])).status_code == 405
    assert not OrderNote.objects.exists()


def test_the_note_form_is_not_nested_in_the_read_only_change_form(client, admin_support):
    """A browser drops a form inside a form: the note's field and button belong to their own form,
    after the change form, so "Add note" posts to the note view, not to the read-only change page."""
    order = paid_order([(stocked_product(), 1)])

    html = client.get(change_url(order)).content.decode()

    change_form_end = html.index("</form>", html.index('id="order_form"'))
    note_form = html.index('<form id="order-note-form" method="post" action="{}">'.format(
        reverse("admin:orders_order_note", args=[order.pk])))
    assert note_form > change_form_end
    assert 'form="order-note-form"' in html[:change_form_end]  # the textarea and the button point to it
    assert html.count('form="order-note-form"') == 2
