"""Every registered admin page loads; who may enter the back office at all; the event browser is read-only."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from commerce.accounts import services as account_services
from commerce.audit.models import DomainEvent
from commerce.catalog import inventory
from tests.factories import NO_PASSWORD, CustomerFactory, ProductFactory, SalesRegionFactory, StaffFactory, days_ago, days_ahead

pytestmark = pytest.mark.django_db

@pytest.fixture
def shop():
    """A little of everything, so that every change page has an object to show."""
    product = ProductFactory(is_perishable=True)
    inventory.stock_receive(product=product, batch_number="LOT-1", quantity=10, received_at=days_ago(3), expires_on=days_ahead(5))
    shipped = inventory.stock_reserve(product=product, quantity=2, reference="order:A1")
    inventory.stock_consume(reservation=shipped)
    inventory.stock_reserve(product=product, quantity=1, reference="order:B2")
    region = SalesRegionFactory(code="lyon-north", name="Lyon North")
    customer = account_services.customer_register(username="ada", password="a-long-passphrase-42", sales_region=region)
    account_services.address_create(
        customer=customer, recipient="Ada", street="1 Rue de la République", city="Lyon", zip_code="69002", country="FR"
    )
    return product


def test_every_registered_admin_page_loads_for_a_superuser(client, superuser, shop):
    client.force_login(superuser)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    assert client.get(reverse("admin:index")).status_code == 200
    checked = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        response = client.get(reverse(f"{name}_changelist"))
        assert response.status_code == 200, f"{name} changelist: {response.status_code}"

        response = client.get(reverse(f"{name}_add"))
        if not model_admin.has_add_permission(request):
            assert response.status_code == 403, f"{name} add: {response.status_code}"
        elif model is inventory.StockBatch:
            assert response.status_code == 302 and response["Location"] == reverse("admin:catalog_stockbatch_receive")
        else:
            assert response.status_code == 200, f"{name} add: {response.status_code}"

        obj = model._default_manager.first()
        if obj is not None:
            response = client.get(reverse(f"{name}_change", args=[obj.pk]))
            assert response.status_code == 200, f"{name} change: {response.status_code}"
            checked.append(name)
    for expected in (
        "admin:catalog_category", "admin:catalog_manufacturer", "admin:catalog_product", "admin:catalog_stockbatch",
        "admin:catalog_stockmovement", "admin:catalog_stockreservation", "admin:accounts_user",
        "admin:accounts_salesregion", "admin:accounts_customerprofile", "admin:accounts_address", "admin:audit_domainevent",
    ):
        assert expected in checked


def test_a_customer_gets_no_back_office(client):
    customer = CustomerFactory(password=NO_PASSWORD)
    client.force_login(customer)

    for url in (reverse("admin:index"), reverse("admin:catalog_product_changelist"), reverse("admin:catalog_stockbatch_recall")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_merchandisers_see_the_whole_catalog_back_office(client, shop):
    merchandiser = StaffFactory(groups=["Merchandisers"], password=NO_PASSWORD)
    client.force_login(merchandiser)
    batch = inventory.StockBatch.objects.get(batch_number="LOT-1")

    for name in ("category", "manufacturer", "product", "stockbatch", "stockmovement", "stockreservation"):
        assert client.get(reverse(f"admin:catalog_{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:catalog_product_change", args=[shop.pk])).status_code == 200
    assert client.get(reverse("admin:catalog_product_add")).status_code == 200
    assert client.get(reverse("admin:catalog_category_add")).status_code == 200
    assert client.get(reverse("admin:catalog_stockbatch_change", args=[batch.pk])).status_code == 200
    assert client.get(reverse("admin:catalog_stockbatch_receive")).status_code == 200
    assert client.get(reverse("admin:catalog_stockbatch_recall")).status_code == 200
    assert client.get(reverse("admin:audit_domainevent_changelist")).status_code == 200
    # ... but no customer data: that is Support's.
    assert client.get(reverse("admin:accounts_address_changelist")).status_code == 403


def test_the_event_browser_is_read_only_even_for_a_superuser(client, superuser, shop):
    client.force_login(superuser)
    event = DomainEvent.objects.filter(event_type="catalog.stock.consumed").get()
    count = DomainEvent.objects.count()

    assert client.get(reverse("admin:audit_domainevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_domainevent_add"), {"event_type": "forged"}).status_code == 403
    assert client.get(reverse("admin:audit_domainevent_delete", args=[event.pk])).status_code == 403
    assert client.post(reverse("admin:audit_domainevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403

    change = client.get(reverse("admin:audit_domainevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert all(f.is_readonly for fieldset in change.context["adminform"] for line in fieldset for f in line)
    assert client.post(reverse("admin:audit_domainevent_change", args=[event.pk]), {"event_type": "forged"}).status_code == 403

    changelist = client.get(reverse("admin:audit_domainevent_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert DomainEvent.objects.count() == count
    assert DomainEvent.objects.get(pk=event.pk).event_type == "catalog.stock.consumed"


def test_the_audit_trail_is_newest_first_names_its_actor_and_shows_event_data_readably(client, superuser, shop):
    client.force_login(superuser)
    newest = DomainEvent.objects.order_by("-occurred_at", "-id").first()

    changelist = client.get(reverse("admin:audit_domainevent_changelist"))
    html = changelist.content.decode()

    assert list(changelist.context["cl"].result_list)[0].pk == newest.pk
    assert "Actor repr" not in html and ">Actor<" in html
    event = DomainEvent.objects.filter(event_type="catalog.stock.consumed").get()
    page = client.get(reverse("admin:audit_domainevent_change", args=[event.pk])).content.decode()
    assert '<dl class="event-data">' in page
    for key in event.payload:
        assert f"<dt>{key}</dt>" in page
