import pytest

from commerce.accounts import access, selectors, services
from commerce.accounts.errors import AddressNotFound, RegistrationInvalid
from commerce.audit.models import DomainEvent
from commerce.errors import ValidationError
from tests.factories import AddressFactory, CustomerFactory, SalesRegionFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = {"recipient": "Ada", "street": "1 Rue de la République", "city": "Lyon", "zip_code": "69001", "country": "FR"}


def test_customer_register_creates_a_customer_who_may_place_orders():
    user = services.customer_register(username="ada", password="a-long-pass-phrase", email="ada@example.com")

    assert access.groups_of(user) == ["Customers"]
    assert access.has_permission(user, "place_orders")
    assert not access.has_permission(user, "view_all_orders")
    assert user.customer_profile is not None
    event = DomainEvent.objects.get(event_type="accounts.customer.registered")
    assert (event.stream_type, event.stream_id, event.customer_id) == ("customer", str(user.pk), user.pk)


def test_customer_register_refuses_weak_password_and_taken_name():
    services.customer_register(username="ada", password="a-long-pass-phrase")
    with pytest.raises(RegistrationInvalid) as taken:
        services.customer_register(username="ADA", password="a-long-pass-phrase")
    assert "username" in taken.value.fields
    with pytest.raises(RegistrationInvalid) as weak:
        services.customer_register(username="bob", password="123")
    assert "password" in weak.value.fields
    assert DomainEvent.objects.filter(event_type="accounts.customer.registered").count() == 1


def test_first_address_becomes_default_and_default_moves():
    customer = CustomerFactory()
    first = services.address_create(customer=customer, **ADDRESS)
    second = services.address_create(customer=customer, is_default=True, **{**ADDRESS, "street": "2 Quai"})
    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    services.address_delete(customer=customer, address_id=second.pk)
    first.refresh_from_db()
    assert first.is_default
    assert selectors.default_address(customer=customer) == first


def test_address_validation_errors_change_nothing():
    customer = CustomerFactory()
    with pytest.raises(ValidationError) as err:
        services.address_create(customer=customer, **{**ADDRESS, "street": "x" * 201, "latitude": 123})
    assert set(err.value.fields) >= {"street", "latitude"}
    assert selectors.address_list(customer=customer).count() == 0
    assert not DomainEvent.objects.filter(event_type="accounts.address.added").exists()


def test_someone_elses_address_is_not_found():
    mine, theirs = CustomerFactory(), AddressFactory()
    with pytest.raises(AddressNotFound):
        services.address_update(customer=mine, address_id=theirs.pk, city="Paris")
    with pytest.raises(AddressNotFound):
        services.address_delete(customer=mine, address_id=theirs.pk)
    with pytest.raises(AddressNotFound):
        selectors.address_get(customer=mine, address_id=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.city == "Lyon"


def test_profile_update_records_what_changed():
    customer = CustomerFactory(first_name="Ada")
    services.profile_update(user=customer, first_name="Augusta", phone="+33 4 00 00 00 00")
    event = DomainEvent.objects.get(event_type="accounts.customer.profile_updated")
    assert event.payload["changes"]["first_name"] == {"before": "Ada", "after": "Augusta"}
    assert event.payload["changes"]["phone"]["after"] == "+33 4 00 00 00 00"


def test_regional_access_for_sales_staff():
    north, south = SalesRegionFactory(code="north"), SalesRegionFactory(code="south")
    sales = StaffFactory(groups=["Sales"])
    sales.sales_regions.add(north)
    support = StaffFactory(groups=["Support"])
    customer = CustomerFactory()
    stranger = UserFactory()

    assert access.can_view_region(sales, north.pk)
    assert not access.can_view_region(sales, south.pk)
    assert access.can_view_region(support, south.pk)  # Support sees all orders
    assert access.can_access_customer_data(customer, customer.pk)
    assert not access.can_access_customer_data(stranger, customer.pk, north.pk)
    assert access.can_access_customer_data(sales, customer.pk, north.pk)
    assert access.validate_group_access(sales, access.SALES)
    assert not access.validate_group_access(customer, access.SALES)
    assert "accounts.view_region_orders" in access.effective_permissions(sales)
