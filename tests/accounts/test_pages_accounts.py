"""Shopper account pages through the test client: sign up, log in/out, profile, address book."""

import pytest
from django.test import Client
from django.urls import reverse

from commerce.accounts.models import Address, CustomerProfile, User
from commerce.accounts.services import address_create
from commerce.audit.models import DomainEvent
from tests.factories import PASSWORD, AddressFactory, CustomerFactory, messages_of

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
PROFILE = reverse("accounts:profile")
ADDRESSES = reverse("accounts:address_list")
ADDRESS_ADD = reverse("accounts:address_add")


def address_data(**overrides) -> dict:
    data = {
        "label": "Home",
        "recipient": "Ada Lovelace",
        "street": "12 Rue de la République",
        "city": "Lyon",
        "state": "",
        "zip_code": "69001",
        "country": "fr",
        "latitude": "45.764043",
        "longitude": "4.835659",
    }
    data.update(overrides)
    return data


@pytest.fixture
def customer():
    return CustomerFactory(first_name="Ada", last_name="Lovelace")


@pytest.fixture
def shopper(client, customer):
    client.force_login(customer)
    return client


# --- sign up ----------------------------------------------------------------------------------------
def test_signup_creates_a_customer_logs_them_in_and_redirects(client):
    response = client.post(
        SIGNUP,
        {"username": "grace", "email": "grace@example.com", "first_name": "Grace", "last_name": "Hopper",
         "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == reverse("catalog:product_list")
    user = User.objects.get(username="grace")
    assert user.groups.filter(name="Customers").exists()
    assert CustomerProfile.objects.filter(user=user).exists()
    assert int(client.session["_auth_user_id"]) == user.pk
    assert any("Welcome, Grace" in m for m in messages_of(response))
    assert DomainEvent.objects.filter(customer_id=user.pk, event_type__endswith="registered").exists()


def test_signup_follows_a_safe_next_and_ignores_a_foreign_one(client):
    ok = client.post(SIGNUP + "?next=/accounts/addresses/", {"username": "a1", "password1": PASSWORD, "password2": PASSWORD})
    client.post(LOGOUT)
    evil = client.post(SIGNUP + "?next=https://evil.example.com/", {"username": "a2", "password1": PASSWORD, "password2": PASSWORD})

    assert ok.url == ADDRESSES
    assert evil.url == reverse("catalog:product_list")


def test_signup_shows_the_service_error_on_the_username_field_and_creates_nothing(client, customer):
    users_before = User.objects.count()

    response = client.post(
        SIGNUP, {"username": customer.username.upper(), "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["A user with that user name already exists."]
    assert User.objects.count() == users_before
    assert "_auth_user_id" not in client.session


def test_signup_shows_a_weak_password_on_the_password_field(client):
    response = client.post(SIGNUP, {"username": "newbie", "password1": "123", "password2": "123"})

    errors = response.context["form"].errors
    assert "password1" in errors and any("too short" in e for e in errors["password1"])
    assert not User.objects.filter(username="newbie").exists()


def test_signup_rejects_mismatched_passwords_and_bad_shapes(client):
    response = client.post(
        SIGNUP,
        {"username": "bad name!", "email": "not-an-email", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )

    errors = response.context["form"].errors
    assert set(errors) >= {"email", "password2"}
    assert "The two passwords differ." in response.content.decode()
    assert not User.objects.filter(username="bad name!").exists()


def test_signup_rejects_an_invalid_username_through_the_service(client):
    response = client.post(SIGNUP, {"username": "bad name!", "password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert not User.objects.filter(username="bad name!").exists()


def test_signup_page_redirects_someone_already_signed_in(shopper):
    assert shopper.get(SIGNUP).url == PROFILE


# --- log in and log out -----------------------------------------------------------------------------
def test_login_page_logs_in_and_redirects(client, customer):
    assert client.get(LOGIN).status_code == 200

    response = client.post(LOGIN, {"username": customer.username, "password": PASSWORD, "next": PROFILE})

    assert response.url == PROFILE
    assert int(client.session["_auth_user_id"]) == customer.pk


def test_login_with_a_wrong_password_shows_the_form_again(client, customer):
    response = client.post(LOGIN, {"username": customer.username, "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_get_changes_nothing(shopper, customer):
    assert shopper.get(LOGOUT).status_code == 405
    assert int(shopper.session["_auth_user_id"]) == customer.pk

    response = shopper.post(LOGOUT)

    assert response.status_code == 302
    assert "_auth_user_id" not in shopper.session


def test_header_shows_account_links_and_a_logout_form(client, customer):
    anonymous = client.get(reverse("catalog:product_list")).content.decode()
    assert LOGIN in anonymous and SIGNUP in anonymous

    client.force_login(customer)
    html = client.get(reverse("catalog:product_list")).content.decode()
    assert f'action="{LOGOUT}"' in html and PROFILE in html and ADDRESSES in html


# --- login required ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [PROFILE, ADDRESSES, ADDRESS_ADD, reverse("accounts:address_edit", args=[1]), reverse("accounts:address_delete", args=[1])],
)
def test_account_pages_need_a_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN + "?next=")


def test_an_anonymous_post_changes_nothing(client):
    address = AddressFactory()

    response = client.post(reverse("accounts:address_delete", args=[address.pk]))

    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert Address.objects.filter(pk=address.pk).exists()


# --- CSRF -------------------------------------------------------------------------------------------
def test_every_account_form_carries_a_csrf_token(shopper, customer):
    address = address_create(customer=customer, **{k: v for k, v in address_data().items() if v})
    for url in (PROFILE, ADDRESSES, ADDRESS_ADD, reverse("accounts:address_edit", args=[address.pk]),
                reverse("accounts:address_delete", args=[address.pk])):
        html = shopper.get(url).content.decode()
        assert html.count('method="post"') == html.count('name="csrfmiddlewaretoken"'), url


def test_a_post_without_csrf_token_is_refused(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)

    response = client.post(ADDRESS_ADD, address_data())

    assert response.status_code == 403
    assert not Address.objects.filter(customer=customer).exists()


# --- profile ----------------------------------------------------------------------------------------
def test_profile_page_shows_the_current_details(shopper, customer):
    response = shopper.get(PROFILE)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["first_name"] == "Ada"
    assert form.initial["email"] == customer.email
    assert customer.username in response.content.decode()


def test_profile_update_saves_and_redirects_with_a_notice(shopper, customer):
    response = shopper.post(
        PROFILE, {"first_name": "Augusta", "last_name": "King", "email": "augusta@example.com", "phone": "+44 20 7946 0000"}
    )

    assert response.status_code == 302 and response.url == PROFILE
    customer.refresh_from_db()
    assert (customer.first_name, customer.email) == ("Augusta", "augusta@example.com")
    assert customer.customer_profile.phone == "+44 20 7946 0000"
    assert "Your profile was saved." in messages_of(response)
    assert DomainEvent.objects.filter(customer_id=customer.pk, event_type__contains="profile").exists()


def test_profile_update_with_bad_input_shows_errors_and_changes_nothing(shopper, customer):
    response = shopper.post(PROFILE, {"first_name": "X" * 151, "last_name": "", "email": "nope", "phone": "1" * 40})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"first_name", "email", "phone"}
    customer.refresh_from_db()
    assert customer.first_name == "Ada"
    assert not DomainEvent.objects.filter(customer_id=customer.pk, event_type__contains="profile").exists()


# --- address book -----------------------------------------------------------------------------------
def test_address_list_shows_only_my_addresses(shopper, customer):
    mine = AddressFactory(customer=customer, street="1 Mine Street")
    AddressFactory(street="9 Theirs Street")

    response = shopper.get(ADDRESSES)

    assert list(response.context["addresses"]) == [mine]
    html = response.content.decode()
    assert "1 Mine Street" in html and "9 Theirs Street" not in html


def test_address_add_creates_my_first_address_as_default(shopper, customer):
    response = shopper.post(ADDRESS_ADD, address_data())

    assert response.status_code == 302 and response.url == ADDRESSES
    address = Address.objects.get(customer=customer)
    assert address.country == "FR"
    assert str(address.latitude) == "45.764043"
    assert address.is_default
    assert "The address was added." in messages_of(response)


def test_address_add_with_bad_input_shows_errors_and_creates_nothing(shopper, customer):
    response = shopper.post(
        ADDRESS_ADD, address_data(street="", country="France", latitude="200", zip_code="9" * 21)
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"street", "country", "latitude", "zip_code"}
    assert "Please correct the errors below." in response.content.decode()
    assert not Address.objects.filter(customer=customer).exists()


def test_address_add_as_default_moves_the_default(shopper, customer):
    first = AddressFactory(customer=customer, is_default=True)

    shopper.post(ADDRESS_ADD, address_data(is_default="on"))

    first.refresh_from_db()
    assert not first.is_default
    assert Address.objects.get(customer=customer, is_default=True).street == "12 Rue de la République"


def test_address_edit_shows_and_saves_my_address(shopper, customer):
    address = AddressFactory(customer=customer, city="Lyon")
    url = reverse("accounts:address_edit", args=[address.pk])

    assert shopper.get(url).context["form"].initial["city"] == "Lyon"
    response = shopper.post(url, address_data(city="Paris", zip_code="75001"))

    assert response.status_code == 302 and response.url == ADDRESSES
    address.refresh_from_db()
    assert (address.city, address.zip_code) == ("Paris", "75001")


def test_address_edit_with_bad_input_changes_nothing(shopper, customer):
    address = AddressFactory(customer=customer, city="Lyon")

    response = shopper.post(reverse("accounts:address_edit", args=[address.pk]), address_data(city="", longitude="abc"))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"city", "longitude"}
    address.refresh_from_db()
    assert address.city == "Lyon"


def test_address_edit_of_the_default_address_offers_no_unset(shopper, customer):
    address = AddressFactory(customer=customer, is_default=True)
    url = reverse("accounts:address_edit", args=[address.pk])

    assert "is_default" not in shopper.get(url).context["form"].fields
    shopper.post(url, address_data())

    address.refresh_from_db()
    assert address.is_default


def test_address_make_default_switches_the_default(shopper, customer):
    first = AddressFactory(customer=customer, is_default=True)
    second = AddressFactory(customer=customer)
    url = reverse("accounts:address_default", args=[second.pk])

    assert shopper.get(url).status_code == 405
    response = shopper.post(url)

    assert response.url == ADDRESSES
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)


def test_address_delete_asks_then_deletes_on_post(shopper, customer):
    address = AddressFactory(customer=customer)
    url = reverse("accounts:address_delete", args=[address.pk])

    assert shopper.get(url).status_code == 200
    assert Address.objects.filter(pk=address.pk).exists()
    response = shopper.post(url)

    assert response.url == ADDRESSES
    assert not Address.objects.filter(pk=address.pk).exists()
    assert "The address was deleted." in messages_of(response)


@pytest.mark.parametrize("name,method", [
    ("address_edit", "get"), ("address_edit", "post"), ("address_delete", "get"), ("address_delete", "post"),
    ("address_default", "post"),
])
def test_someone_elses_address_is_404_and_untouched(shopper, name, method):
    theirs = AddressFactory(city="Lyon", is_default=False)

    response = getattr(shopper, method)(reverse(f"accounts:{name}", args=[theirs.pk]), address_data(city="Paris"))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.city, theirs.is_default) == ("Lyon", False)


def test_address_added_from_checkout_returns_to_checkout(client):
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    client.force_login(customer)
    data = {"label": "Home", "recipient": "Ada", "street": "1 Rue", "city": "Lyon", "state": "", "zip_code": "69001",
            "country": "FR", "latitude": "", "longitude": ""}
    response = client.post("/accounts/addresses/add/?next=/checkout/", {**data, "next": "/checkout/"})
    assert response.status_code == 302 and response["Location"] == "/checkout/"
    evil = client.post("/accounts/addresses/add/", {**data, "street": "2 Rue", "next": "https://evil.example/"})
    assert evil["Location"] != "https://evil.example/"
