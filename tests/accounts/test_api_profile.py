import pytest

from commerce.accounts.models import CustomerProfile, User
from commerce.audit.models import DomainEvent
from tests.factories import CustomerFactory, SalesRegionFactory, StaffFactory, token_client

pytestmark = pytest.mark.django_db

REGISTER_URL = "/api/v1/accounts/register/"
ME_URL = "/api/v1/me/"


def counts():
    return User.objects.count(), CustomerProfile.objects.count(), DomainEvent.objects.count()


def test_customer_register_creates_a_shopper_with_a_profile(api_client):
    response = api_client.post(
        REGISTER_URL,
        {"username": "ada", "password": "an-engine-of-analysis", "email": "ada@example.com", "first_name": "Ada"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "ada"
    assert body["first_name"] == "Ada"
    assert body["groups"] == ["Customers"]
    assert body["phone"] == ""
    user = User.objects.get(username="ada")
    assert user.check_password("an-engine-of-analysis")
    event = DomainEvent.objects.get(event_type="accounts.customer.registered")
    assert (event.channel, event.customer_id) == ("api", user.pk)
    assert "password" not in str(event.payload)


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"username": "ada", "password": "an-engine-of-analysis", "first_name": "x" * 300}, "invalid", "first_name"),
        ({"username": "u" * 151, "password": "an-engine-of-analysis"}, "invalid", "username"),
        ({"username": "ada", "password": "123"}, "registration_invalid", "password"),
        ({"username": "taken", "password": "an-engine-of-analysis"}, "registration_invalid", "username"),
        ({"username": "bad name!", "password": "an-engine-of-analysis"}, "invalid", "username"),
        ({"username": "ada", "password": "an-engine-of-analysis", "email": "not-an-email"}, "invalid", "email"),
    ],
)
def test_customer_register_refuses_bad_input_and_creates_nothing(api_client, data, code, field):
    CustomerFactory(username="taken")
    before = counts()

    response = api_client.post(REGISTER_URL, data, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["fields"]
    assert counts() == before


def test_profile_get_shows_the_logged_in_user():
    region = SalesRegionFactory(code="lyon", name="Lyon")
    customer = CustomerFactory(username="ada", first_name="Ada", profile__phone="+33 6", profile__sales_region=region)

    response = token_client(customer).get(ME_URL)

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("id", "username", "first_name", "phone", "groups")} == {
        "id": customer.pk,
        "username": "ada",
        "first_name": "Ada",
        "phone": "+33 6",
        "groups": ["Customers"],
    }
    assert body["sales_region"] == {"id": region.pk, "code": "lyon", "name": "Lyon"}


def test_profile_get_of_staff_without_a_customer_profile():
    response = token_client(StaffFactory()).get(ME_URL)

    assert response.status_code == 200
    assert response.json()["phone"] is None
    assert response.json()["sales_region"] is None


def test_profile_update_changes_only_the_fields_sent_and_records_the_change():
    customer = CustomerFactory(first_name="Ada", last_name="Byron")
    client = token_client(customer)

    response = client.patch(ME_URL, {"last_name": "Lovelace", "phone": "+33 6 12"}, format="json")

    assert response.status_code == 200
    assert (response.json()["first_name"], response.json()["last_name"], response.json()["phone"]) == ("Ada", "Lovelace", "+33 6 12")
    customer.refresh_from_db()
    assert customer.last_name == "Lovelace"
    event = DomainEvent.objects.get(event_type="accounts.customer.profile_updated")
    assert (event.channel, event.actor_id) == ("api", customer.pk)
    assert event.payload["changes"]["last_name"] == {"before": "Byron", "after": "Lovelace"}


@pytest.mark.parametrize(
    "data",
    [{"first_name": "x" * 300}, {"phone": "1" * 33}, {"email": "nope"}, {"first_name": None}],
)
def test_profile_update_refuses_bad_input_and_changes_nothing(data):
    customer = CustomerFactory(first_name="Ada", email="ada@example.com")
    client = token_client(customer)
    before = counts()

    response = client.patch(ME_URL, data, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == list(data)
    customer.refresh_from_db()
    assert (customer.first_name, customer.email) == ("Ada", "ada@example.com")
    assert counts() == before


@pytest.mark.parametrize("method", ["get", "patch"])
def test_profile_needs_a_logged_in_user(api_client, method):
    before = counts()

    response = getattr(api_client, method)(ME_URL, {"first_name": "Eve"}, format="json") if method == "patch" else api_client.get(ME_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert counts() == before


def test_profile_works_with_the_session_cookie_too(api_client):
    customer = CustomerFactory()
    api_client.force_login(customer)

    response = api_client.patch(ME_URL, {"first_name": "Grace"}, format="json")

    assert response.status_code == 200
    assert DomainEvent.objects.get(event_type="accounts.customer.profile_updated").actor_id == customer.pk
