"""Notify me when it is back in stock: customers at once, guests after confirming their address; one
mail when stock returns (after the stock event's commit); unsubscribe; the back office's list."""

import re

import pytest
from django.core import mail as django_mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commerce.audit.models import DomainEvent
from commerce.catalog import inventory
from commerce.catalog.errors import StockAlertInvalid, StockAlertNotNeeded
from commerce.catalog.models import StockAlert
from commerce.catalog.stock_alerts import stock_alert_subscribe, stock_alert_unsubscribe, stock_alerts_notify
from commerce.mail.models import Mail
from tests.factories import CustomerFactory, ProductFactory, days_ago, messages_of

pytestmark = pytest.mark.django_db

_batch = iter(range(1, 10_000))


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def restock(product, quantity=5):
    return inventory.stock_receive(product=product, batch_number=f"ALERT-{next(_batch)}", quantity=quantity,
                                   received_at=days_ago(1))


def link(mail: Mail, kind: str) -> str:
    return re.search(rf"https?://\S+(/stock-alerts/{kind}/\S+/)", mail.body_text).group(1)


def test_a_guest_confirms_by_mail_and_is_mailed_once_when_stock_returns(client, django_capture_on_commit_callbacks):
    product = ProductFactory(name="Blue Cheese")
    page = client.get(product.get_absolute_url()).content.decode()
    assert 'id="notify"' in page and 'name="email"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalog:stock_alert_subscribe", args=[product.slug]), {"email": " Ann@Example.com "})
    assert response.url == product.get_absolute_url()
    assert "Check your mailbox" in messages_of(response)[0]
    alert = StockAlert.objects.get()
    assert (alert.email, alert.status, alert.customer_id) == ("ann@example.com", StockAlert.Status.PENDING, None)
    confirm = Mail.objects.get(template="catalog/mail/stock_alert_confirm")

    # stock returns before the address is confirmed: nothing is sent to an unproved address
    with django_capture_on_commit_callbacks(execute=True):
        restock(product)
    assert not Mail.objects.filter(template="catalog/mail/back_in_stock").exists()
    inventory.stock_adjust(batch_number=product.batches.get().batch_number, delta=-5, reason="damaged")

    path = link(confirm, "confirm")
    assert "Confirm my alert" in client.get(path).content.decode()
    assert StockAlert.objects.get().status == StockAlert.Status.PENDING  # a GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert "Confirmed" in client.post(path).content.decode()
    assert StockAlert.objects.get().status == StockAlert.Status.WAITING

    with django_capture_on_commit_callbacks(execute=True):
        restock(product)
    with django_capture_on_commit_callbacks(execute=True):
        restock(product)  # more stock: no second mail

    sent = Mail.objects.filter(template="catalog/mail/back_in_stock")
    assert [m.to for m in sent] == ["ann@example.com"]
    assert "Blue Cheese is back in stock" == sent[0].subject
    assert StockAlert.objects.get().status == StockAlert.Status.SENT
    assert DomainEvent.objects.filter(event_type="catalog.stock_alert.sent").count() == 1
    assert {e.event_type for e in DomainEvent.objects.filter(event_type__startswith="catalog.stock_alert.")} == {
        "catalog.stock_alert.requested", "catalog.stock_alert.confirmed", "catalog.stock_alert.sent"}


def test_a_customers_own_address_waits_at_once_and_can_cancel_from_the_product_page(client, django_capture_on_commit_callbacks):
    product = ProductFactory()
    ann = CustomerFactory(email="ann@example.com")
    client.force_login(ann)
    assert "One mail to <strong>ann@example.com</strong>" in client.get(product.get_absolute_url()).content.decode()
    with CaptureQueriesContext(connection) as before:
        client.get(product.get_absolute_url())

    response = client.post(reverse("catalog:stock_alert_subscribe", args=[product.slug]), {})
    assert "We will mail ann@example.com once" in messages_of(response)[0]
    alert = StockAlert.objects.get()
    assert (alert.status, alert.customer_id) == (StockAlert.Status.WAITING, ann.pk)
    assert not Mail.objects.exists()  # nothing to confirm
    with CaptureQueriesContext(connection) as after:
        html = client.get(product.get_absolute_url()).content.decode()
    assert "We will mail <strong>ann@example.com</strong>" in html and "Cancel my alert" in html
    assert len(after) == len(before)  # the alert comes with the product's row

    client.post(reverse("catalog:stock_alert_cancel", args=[product.slug]))
    assert StockAlert.objects.get().status == StockAlert.Status.CANCELLED
    with django_capture_on_commit_callbacks(execute=True):
        restock(product)
    assert not Mail.objects.exists()


def test_asking_again_after_the_mail_starts_a_new_round_with_its_own_mail(django_capture_on_commit_callbacks):
    product = ProductFactory()
    ann = CustomerFactory(email="ann@example.com")
    stock_alert_subscribe(product_id=product.pk, email="ann@example.com", customer=ann)
    assert stock_alert_subscribe(product_id=product.pk, email="ANN@example.com", customer=ann).round == 1  # asked already
    with django_capture_on_commit_callbacks(execute=True):
        batch = restock(product, 2)
    inventory.stock_adjust(batch_number=batch.batch_number, delta=-2, reason="sold out at the counter")

    again = stock_alert_subscribe(product_id=product.pk, email="ann@example.com", customer=ann)
    assert (again.round, again.status) == (2, StockAlert.Status.WAITING)
    with django_capture_on_commit_callbacks(execute=True):
        restock(product)
    assert Mail.objects.filter(template="catalog/mail/back_in_stock").count() == 2


def test_the_unsubscribe_link_of_the_mail_asks_then_stops_it(client):
    product = ProductFactory()
    alert = stock_alert_subscribe(product_id=product.pk, email="bob@example.com", customer=CustomerFactory(email="bob@example.com"))
    from commerce.catalog.stock_alerts import unsubscribe_url

    path = re.search(r"(/stock-alerts/unsubscribe/\S+/)", unsubscribe_url(alert)).group(1)
    assert "Unsubscribe" in client.get(path).content.decode()
    assert "Unsubscribed" in client.post(path).content.decode()
    assert StockAlert.objects.get().status == StockAlert.Status.CANCELLED
    assert DomainEvent.objects.filter(event_type="catalog.stock_alert.cancelled").count() == 1
    assert stock_alerts_notify(type("E", (), {"payload": {"product_id": product.pk}})()) == 0


@pytest.mark.parametrize("token", ["nonsense", "eyJhIjoxLCJlIjoieCJ9:forged:sig"])
def test_a_forged_link_is_a_404_and_changes_nothing(client, token):
    for kind in ("confirm", "unsubscribe"):
        assert client.post(f"/stock-alerts/{kind}/{token}/").status_code == 404


def test_refusals_change_nothing(client):
    product = ProductFactory()
    with pytest.raises(StockAlertInvalid):
        stock_alert_subscribe(product_id=product.pk, email="not an address")
    restock(product)
    with pytest.raises(StockAlertNotNeeded):
        stock_alert_subscribe(product_id=product.pk, email="ann@example.com")
    response = client.post(reverse("catalog:stock_alert_subscribe", args=[product.slug]), {"email": "x" * 300})
    assert response.status_code == 302 and messages_of(response)
    assert client.post(reverse("catalog:stock_alert_subscribe", args=["no-such-product"]), {"email": "a@b.co"}).status_code == 404
    assert not StockAlert.objects.exists() and not Mail.objects.exists()


def test_guest_requests_are_throttled_per_client(client, settings):
    settings.CATALOG_STOCK_ALERTS_PER_HOUR = 2
    products = [ProductFactory() for _ in range(3)]
    for product in products:
        client.post(reverse("catalog:stock_alert_subscribe", args=[product.slug]), {"email": "ann@example.com"})
    assert StockAlert.objects.count() == 2


def test_the_out_of_stock_card_links_to_notify_me(client):
    product = ProductFactory(name="Gone")
    html = client.get(reverse("catalog:product_list")).content.decode()
    assert f'href="{product.get_absolute_url()}#notify"' in html


def test_the_back_office_lists_alerts_for_merchandisers_and_unsubscribes_through_the_service(client, admin_merchandiser):
    product = ProductFactory(name="Rare Tea")
    stock_alert_subscribe(product_id=product.pk, email="ann@example.com", customer=CustomerFactory(email="ann@example.com"))
    url = reverse("admin:catalog_stockalert_changelist")
    page = client.get(url).content.decode()
    assert "ann@example.com" in page and "Most awaited" in page and "Rare Tea" in page
    alert = StockAlert.objects.get()
    response = client.post(url, {"action": "unsubscribe", "_selected_action": [alert.pk]})
    assert response.status_code == 302
    assert StockAlert.objects.get().status == StockAlert.Status.CANCELLED
    assert client.get(reverse("admin:catalog_stockalert_change", args=[alert.pk])).status_code == 200  # view only


def test_customers_cannot_see_the_back_office_list(client):
    client.force_login(CustomerFactory())
    assert client.get(reverse("admin:catalog_stockalert_changelist")).status_code == 302


def test_a_released_reservation_that_brings_stock_back_mails_the_waiting(django_capture_on_commit_callbacks):
    product = ProductFactory()
    restock(product, 1)
    reservation = inventory.stock_reserve(product=product, quantity=1, reference="order:1")
    alert = stock_alert_subscribe(product_id=product.pk, email="cy@example.com", customer=CustomerFactory(email="cy@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        inventory.stock_release(reservation=reservation)
    assert Mail.objects.filter(template="catalog/mail/back_in_stock", to="cy@example.com").count() == 1
    stock_alert_unsubscribe(alert=alert)


def test_seed_demo_sells_out_three_products_and_has_shoppers_wait_once(monkeypatch, django_capture_on_commit_callbacks):
    import io

    from django.core.management import call_command

    from commerce.catalog.management.commands import seed_demo as seed_demo_command
    from commerce.catalog.selectors import stock_reconcile

    monkeypatch.setattr(seed_demo_command, "DEMO_STEPS", [s for s in seed_demo_command.DEMO_STEPS if s[1] == "seed_demo_stock_alerts"])
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--products", "60", "--customers", "6", stdout=out)

    assert "Stock alerts: 3 products sold out" in out.getvalue()
    products = {a.product_id for a in StockAlert.objects.all()}
    assert len(products) == 3 and all(inventory.available_quantities(products).get(p, 0) == 0 for p in products)
    assert StockAlert.objects.filter(status=StockAlert.Status.WAITING, customer__isnull=False).count() == 6
    assert StockAlert.objects.filter(status=StockAlert.Status.PENDING, customer__isnull=True).count() == 2
    assert not Mail.objects.exists() and django_mail.outbox == []  # the guests' confirmation mails too: demo addresses
    assert stock_reconcile() == []
    before = StockAlert.objects.count()
    call_command("seed_demo_stock_alerts", stdout=io.StringIO())
    assert StockAlert.objects.count() == before
