import pytest
from rest_framework.test import APIClient

from commerce.accounts.models import Address
from commerce.audit.models import DomainEvent
from tests.factories import AddressFactory, CustomerFactory, token_client

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/me/addresses/"
HOME = {
    "label": "Home",
    "recipient": "Ada Lovelace",
    "street": "12 Rue de la République",
    "city": "Lyon",
    "zip_code": "69002",
    "country": "fr",
    "latitude": "45.764043",
    "longitude": 4.835659,
}


def detail_url(address_id: int) -> str:
    return f"/api/v1/me/addresses/{address_id}/"


def snapshot():
    return list(Address.objects.order_by("id").values()), DomainEvent.objects.count()


@pytest.fixture
def customer():
    return CustomerFactory(username="ada")


def test_address_create_with_token_auth_records_the_event_with_channel_and_actor(customer):
    response = token_client(customer).post(LIST_URL, HOME, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["country"], body["latitude"], body["longitude"], body["is_default"]) == ("FR", "45.764043", "4.835659", True)
    address = Address.objects.get(pk=body["id"])
    assert address.customer == customer
    event = DomainEvent.objects.get(event_type="accounts.address.added")
    assert event.channel == "api"
    assert event.actor == customer
    assert event.actor_repr == "ada"
    assert (event.customer_id, event.payload["address_id"]) == (customer.pk, address.pk)


def test_address_list_shows_only_my_addresses_default_first(customer):
    older = AddressFactory(customer=customer, street="1 Old Road")
    default = AddressFactory(customer=customer, street="2 New Road", is_default=True)
    AddressFactory(street="3 Someone Else's Road")

    response = token_client(customer).get(LIST_URL)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [default.pk, older.pk]


def test_address_get_update_and_delete_my_address(customer):
    first = AddressFactory(customer=customer, is_default=True)
    second = AddressFactory(customer=customer)
    client = token_client(customer)

    assert client.get(detail_url(second.pk)).json()["street"] == second.street
    changed = client.patch(detail_url(second.pk), {"street": "9 Other Street", "is_default": True}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["street"], changed.json()["is_default"], changed.json()["city"]) == ("9 Other Street", True, "Lyon")
    first.refresh_from_db()
    assert first.is_default is False

    assert client.delete(detail_url(second.pk)).status_code == 204

    assert list(Address.objects.filter(customer=customer)) == [first]
    first.refresh_from_db()
    assert first.is_default is True
    types = list(DomainEvent.objects.filter(customer_id=customer.pk).values_list("event_type", "channel", "actor_id"))
    assert types == [
        ("accounts.address.updated", "api", customer.pk),
        ("accounts.address.removed", "api", customer.pk),
    ]


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_someone_elses_or_an_unknown_address_is_not_found_and_untouched(customer, method):
    theirs = AddressFactory(street="1 Their Street")
    client = token_client(customer)
    before = snapshot()

    for address_id in (theirs.pk, 999_999):
        response = getattr(client, method)(detail_url(address_id), {"street": "Mine now"}, format="json")
        assert response.status_code == 404
        assert response.json()["code"] == "address_not_found"

    assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"street": "x" * 201}, "street"),
        ({"recipient": "r" * 121}, "recipient"),
        ({"country": "FRA"}, "country"),
        ({"latitude": "91"}, "latitude"),
        ({"longitude": "12.1234567"}, "longitude"),
        ({"city": ""}, "city"),
        ({"zip_code": None}, "zip_code"),
    ],
)
def test_address_create_refuses_bad_input_and_changes_nothing(customer, change, field):
    client = token_client(customer)
    before = snapshot()

    response = client.post(LIST_URL, {**HOME, **change}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == [field]
    assert snapshot() == before


def test_address_create_missing_fields_are_named(customer):
    response = token_client(customer).post(LIST_URL, {"street": "1 Road"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"recipient", "city", "zip_code", "country"}
    assert not Address.objects.exists()


def test_address_update_refuses_an_over_long_street_and_changes_nothing(customer):
    address = AddressFactory(customer=customer)
    before = snapshot()

    response = token_client(customer).patch(detail_url(address.pk), {"street": "x" * 300}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"street": ["Ensure this field has no more than 200 characters."]}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", LIST_URL), ("post", LIST_URL), ("get", detail_url(1)), ("patch", detail_url(1)), ("delete", detail_url(1))],
)
def test_addresses_need_a_logged_in_customer(method, url):
    AddressFactory(pk=1)
    before = snapshot()

    response = getattr(APIClient(), method)(url, HOME, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert snapshot() == before


def test_a_bad_token_is_refused_and_changes_nothing():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    before = snapshot()

    response = client.post(LIST_URL, HOME, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert snapshot() == before
