"""One regional rule for every customer-data endpoint (commerce.accounts.access.can_access_customer_data).

Sales staff read the journey of customers outside their regions, and of customers with no region,
while the same customer's lifetime value answered 403. Every surface now asks the same question:
the customer themselves; staff with ``view_customers`` for the customer's region (every region
with ``view_all_orders``); superusers.
"""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from commerce.accounts import access
from commerce.accounts.models import Address, CustomerProfile, User
from tests.factories import AddressFactory, CustomerFactory, SalesRegionFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

CUSTOMER_DATA_ENDPOINTS = ["journey", "lifetime-value", "purchase-pattern"]


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def customer_in(region):
    customer = CustomerFactory()
    customer.customer_profile.sales_region = region
    customer.customer_profile.save()
    AddressFactory(customer=customer)
    return customer


@pytest.fixture
def world():
    north, south = SalesRegionFactory(code="north"), SalesRegionFactory(code="south")
    seller = StaffFactory(groups=["Sales"])
    seller.sales_regions.add(north)
    return {
        "north_customer": customer_in(north),
        "south_customer": customer_in(south),
        "no_region_customer": customer_in(None),
        "seller": seller,
        "support": StaffFactory(groups=["Support"]),
        "dispatcher": StaffFactory(groups=["Dispatchers"]),  # every order, but not customers
        "superuser": UserFactory(is_staff=True, is_superuser=True),
        "viewer_without_region": _staff_with_perm("view_customers"),
    }


def _staff_with_perm(codename):
    user = StaffFactory()
    user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="accounts"))
    return user


@pytest.mark.parametrize("endpoint", CUSTOMER_DATA_ENDPOINTS)
@pytest.mark.parametrize(
    ("who", "whose", "expected"),
    [
        ("seller", "north_customer", 200),  # own region
        ("seller", "south_customer", 403),  # another region: was 200 for the journey
        ("seller", "no_region_customer", 403),  # no region: was 200 for the journey
        ("support", "north_customer", 200),
        ("support", "no_region_customer", 200),
        ("superuser", "south_customer", 200),
        ("superuser", "no_region_customer", 200),
        ("dispatcher", "north_customer", 403),
        ("viewer_without_region", "north_customer", 403),
        ("viewer_without_region", "no_region_customer", 403),
        ("north_customer", "north_customer", 200),  # their own
        ("north_customer", "south_customer", 403),
        ("no_region_customer", "no_region_customer", 200),
    ],
)
def test_every_customer_data_endpoint_applies_the_regional_rule(world, endpoint, who, whose, expected):
    response = token_client(world[who]).get(f"/api/v1/customers/{world[whose].pk}/{endpoint}/")

    assert response.status_code == expected, response.content
    if expected == 403:
        assert response.json()["code"] == "permission_denied"
        assert set(response.json()) >= {"code", "detail", "fields"}
    else:
        assert response.json()["customer_id"] == world[whose].pk


@pytest.mark.parametrize("endpoint", CUSTOMER_DATA_ENDPOINTS)
def test_an_unknown_customer_is_404_for_all_region_staff_and_403_for_regional_staff(world, endpoint):
    unknown = User.objects.order_by("-pk").first().pk + 1000

    assert token_client(world["superuser"]).get(f"/api/v1/customers/{unknown}/{endpoint}/").json()["code"] == "customer_not_found"
    assert token_client(world["support"]).get(f"/api/v1/customers/{unknown}/{endpoint}/").status_code == 404
    # no hint to regional staff whether someone outside their regions exists
    assert token_client(world["seller"]).get(f"/api/v1/customers/{unknown}/{endpoint}/").status_code == 403


def test_can_access_customer_data_is_the_one_rule(world):
    north, south = world["north_customer"], world["south_customer"]
    north_region = north.customer_profile.sales_region_id
    south_region = south.customer_profile.sales_region_id

    assert access.can_access_customer_data(world["seller"], north.pk, north_region)
    assert not access.can_access_customer_data(world["seller"], south.pk, south_region)
    assert not access.can_access_customer_data(world["seller"], south.pk, None)
    assert access.can_access_customer_data(world["support"], south.pk, None)
    assert not access.can_access_customer_data(world["dispatcher"], south.pk, south_region)
    assert access.can_access_customer_data(world["superuser"], south.pk, None)
    assert access.can_access_customer_data(south, south.pk, south_region)
    assert not access.can_access_customer_data(None, south.pk, south_region)
    assert access.customer_region_id(north.pk) == (True, north_region)
    assert access.customer_region_id(world["no_region_customer"].pk) == (True, None)


# --- the admin's customer pages ---------------------------------------------------------------------
ADMIN_PAGES = [
    ("accounts/user", User, lambda customer: customer.pk),
    ("accounts/customerprofile", CustomerProfile, lambda customer: customer.customer_profile.pk),
    ("accounts/address", Address, lambda customer: customer.addresses.get().pk),
]


@pytest.fixture
def regional_viewer(world):
    """Sales staff given the admin's view permissions on users, profiles and addresses."""
    seller = world["seller"]
    for codename in ("view_user", "view_customerprofile", "view_address"):
        seller.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="accounts"))
    return seller


@pytest.mark.parametrize(("page", "model", "pk_of"), ADMIN_PAGES)
def test_admin_customer_pages_show_regional_staff_their_regions_customers_only(client, world, regional_viewer, page, model, pk_of):
    client.force_login(regional_viewer)

    listing = client.get(f"/admin/{page}/")
    assert listing.status_code == 200
    shown = {obj.pk for obj in listing.context["cl"].result_list}
    assert pk_of(world["north_customer"]) in shown
    assert pk_of(world["south_customer"]) not in shown
    assert pk_of(world["no_region_customer"]) not in shown

    assert client.get(f"/admin/{page}/{pk_of(world['north_customer'])}/change/").status_code == 200
    for other in ("south_customer", "no_region_customer"):
        # the admin answers an object outside the queryset as missing (redirect with a message)
        assert client.get(f"/admin/{page}/{pk_of(world[other])}/change/").status_code == 302


@pytest.mark.parametrize(("page", "model", "pk_of"), ADMIN_PAGES)
@pytest.mark.parametrize("who", ["support", "superuser"])
def test_admin_customer_pages_show_all_region_staff_every_customer(client, world, page, model, pk_of, who):
    client.force_login(world[who])

    listing = client.get(f"/admin/{page}/")

    shown = {obj.pk for obj in listing.context["cl"].result_list}
    assert {pk_of(world[c]) for c in ("north_customer", "south_customer", "no_region_customer")} <= shown
