"""The accounts back office: staff edits are audited with before and after; addresses go through services."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from commerce.accounts import services
from commerce.accounts.models import Address, CustomerProfile, SalesRegion, User
from commerce.audit.models import DomainEvent
from tests.factories import NO_PASSWORD, CustomerFactory, SalesRegionFactory, StaffFactory, admin_form_data, events

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    user = CustomerFactory(username="ada", password=NO_PASSWORD)
    services.address_create(customer=user, recipient="Ada", street="1 Rue Mercière", city="Lyon", zip_code="69002", country="FR")
    return user


def test_user_admin_edits_sales_regions_and_groups_and_audits_them(client, admin_superuser):
    north = SalesRegionFactory(code="north", name="Lyon North")
    seller = StaffFactory(username="seller", password=NO_PASSWORD)
    url = reverse("admin:accounts_user_change", args=[seller.pk])
    page = client.get(url)
    assert "sales_regions" in page.context["adminform"].form.fields

    response = client.post(url, admin_form_data(
        page, sales_regions=[str(north.pk)], groups=[str(Group.objects.get(name="Sales").pk)], email="seller@shop.example"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(seller.sales_regions.all()) == [north]
    [edit] = events("admin.accounts.user.changed")  # one staff edit, one row: fields and relations
    assert edit.payload["changes"]["email"]["after"] == "seller@shop.example"
    assert {k: edit.payload["changes"][k] for k in ("groups", "sales_regions")} == {
        "groups": {"before": [], "after": ["Sales"]},
        "sales_regions": {"before": [], "after": ["Lyon North"]},
    }
    assert edit.actor == admin_superuser and edit.channel == "admin"


def test_user_password_change_in_admin_is_audited_without_the_password(client, admin_superuser):
    staff = StaffFactory(password=NO_PASSWORD)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[staff.pk]),
        {"password1": "another-long-pass-77", "password2": "another-long-pass-77"},
    )

    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("another-long-pass-77")
    [event] = events("admin.accounts.user.password_changed")
    assert "another-long-pass-77" not in str(event.payload) and event.stream_id == str(staff.pk)


def test_address_search_by_customer_city_and_zip(client, admin_superuser, customer):
    other = CustomerFactory(username="bob", password=NO_PASSWORD)
    services.address_create(customer=other, recipient="Bob", street="2 Quai", city="Villeurbanne", zip_code="69100", country="FR")
    url = reverse("admin:accounts_address_changelist")

    def found(q):
        return [a.customer.username for a in client.get(url, {"q": q}).context["cl"].result_list]

    assert found("ada") == ["ada"]
    assert found("Villeurbanne") == ["bob"]
    assert found("69002") == ["ada"]


def test_address_add_change_and_delete_in_admin_go_through_the_services(client, admin_superuser, customer):
    add_page = client.get(reverse("admin:accounts_address_add"))
    response = client.post(reverse("admin:accounts_address_add"), admin_form_data(
        add_page, customer=str(customer.pk), recipient="Ada L.", street="9 Place Bellecour", city="Lyon", zip_code="69002",
        country="FR", latitude="45.757800", longitude="4.832000", make_default="on"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    new = Address.objects.get(street="9 Place Bellecour")
    assert new.is_default and Address.objects.filter(customer=customer, is_default=True).count() == 1
    added = events("accounts.address.added")[-1]  # the service's event is the staff edit's one row
    assert added.payload["address_id"] == new.pk and added.customer_id == customer.pk
    assert added.payload["values"]["street"] == "9 Place Bellecour" and added.channel == "admin"

    url = reverse("admin:accounts_address_change", args=[new.pk])
    response = client.post(url, admin_form_data(client.get(url), city="Lyon 2e"))
    assert response.status_code == 302
    assert Address.objects.get(pk=new.pk).city == "Lyon 2e"
    assert events("accounts.address.updated")[0].payload["address"]["city"] == "Lyon 2e"
    assert events("accounts.address.updated")[0].payload["changes"] == {"city": {"before": "Lyon", "after": "Lyon 2e"}}

    response = client.post(reverse("admin:accounts_address_delete", args=[new.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Address.objects.filter(pk=new.pk).exists()
    assert Address.objects.get(customer=customer).is_default  # the remaining address took over
    removed = events("accounts.address.removed")[0]
    assert removed.payload["address_id"] == new.pk and removed.customer_id == customer.pk
    assert removed.payload["values"]["city"] == "Lyon 2e" and removed.actor == admin_superuser
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()


def test_address_with_bad_coordinates_shows_the_form_and_saves_nothing(client, admin_superuser, customer):
    add_page = client.get(reverse("admin:accounts_address_add"))
    response = client.post(reverse("admin:accounts_address_add"), admin_form_data(
        add_page, customer=str(customer.pk), recipient="X", street="Y", city="Lyon", zip_code="69001", country="FR", latitude="95"))

    assert response.status_code == 200 and "latitude" in response.context["adminform"].form.errors
    assert Address.objects.count() == 1 and not events("admin.accounts.address.created")


def test_make_default_action(client, admin_superuser, customer):
    second = services.address_create(customer=customer, recipient="Ada", street="3 Rue", city="Lyon", zip_code="69003", country="FR")

    client.post(reverse("admin:accounts_address_changelist"), {"action": "make_default", "_selected_action": [second.pk]})

    assert Address.objects.get(customer=customer, is_default=True) == second
    [updated] = events("accounts.address.updated")
    assert updated.payload["changes"] == {"is_default": {"before": False, "after": True}} and updated.channel == "admin"
    assert not DomainEvent.objects.filter(event_type__startswith="admin.").exists()


def test_profile_region_change_is_audited_on_the_customer(client, admin_superuser, customer):
    region = SalesRegionFactory(code="south", name="Lyon South")
    profile = CustomerProfile.objects.get(user=customer)
    url = reverse("admin:accounts_customerprofile_change", args=[profile.pk])

    response = client.post(url, admin_form_data(client.get(url), sales_region=str(region.pk), phone="+33 6 00 00 00 00"))

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.sales_region == region
    assert not events("admin.accounts.customerprofile.changed")  # one staff edit, one row: the service's
    [domain] = events("accounts.customer.profile_updated")
    assert domain.customer_id == customer.pk and (domain.actor, domain.channel) == (admin_superuser, "admin")
    assert domain.payload["changes"]["sales_region"] == {"before": None, "after": region.pk}
    assert client.get(reverse("admin:accounts_customerprofile_add")).status_code == 403


def test_sales_region_is_created_and_renamed_through_its_service(client, admin_superuser):
    add = reverse("admin:accounts_salesregion_add")
    assert client.post(add, {"code": "west", "name": "Lyon West"}).status_code == 302
    region = SalesRegion.objects.get(code="west")
    change = reverse("admin:accounts_salesregion_change", args=[region.pk])
    assert client.post(change, {"code": "west", "name": "Lyon Ouest"}).status_code == 302
    bad = client.post(add, {"code": "not a slug!", "name": "x"})
    assert bad.status_code == 200 and SalesRegion.objects.count() == 1
    saved = events("accounts.sales_region.saved")
    assert [(e.payload["name"], e.payload["created"]) for e in saved] == [("Lyon West", True), ("Lyon Ouest", False)]


def test_support_staff_see_customers_but_change_nothing(client, customer):
    support = StaffFactory(groups=["Support"], password=NO_PASSWORD)
    client.force_login(support)
    address = Address.objects.get(customer=customer)
    url = reverse("admin:accounts_address_change", args=[address.pk])

    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, {"city": "Paris"}).status_code == 403
    assert Address.objects.get(pk=address.pk).city == "Lyon"
    assert client.get(reverse("admin:accounts_salesregion_changelist")).status_code == 403


def test_sales_region_list_counts_staff_and_customers(client, admin_superuser):
    region = SalesRegionFactory(code="east", name="Lyon East")
    seller = StaffFactory(password=NO_PASSWORD)
    seller.sales_regions.add(region)
    services.customer_register(username="eve", password="a-long-passphrase-42", sales_region=region)

    response = client.get(reverse("admin:accounts_salesregion_changelist"))

    [row] = [r for r in response.context["cl"].result_list if r.pk == region.pk]
    assert (row.staff_total, row.customer_total) == (1, 1)
    assert User.objects.filter(username="eve").exists()


def test_adding_a_staff_user_is_audited_with_the_password_masked(client, admin_superuser):
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "newbie", "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42", "usable_password": "true"},
    )

    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    [created] = events("admin.accounts.user.created")
    assert created.stream_id == str(user.pk) and created.actor == admin_superuser
    assert created.payload["values"]["password"] == "***"
    assert created.payload["values"]["username"] == "newbie"
