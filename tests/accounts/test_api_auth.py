import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def test_auth_token_create_then_use_it_as_a_mobile_client(api_client):
    customer = CustomerFactory(username="ada")

    response = api_client.post(TOKEN_URL, {"username": "ada", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    key = response.json()["token"]
    assert response.json() == {"token": key, "user_id": customer.pk, "username": "ada"}
    assert Token.objects.get(user=customer).key == key
    mobile = APIClient()
    mobile.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = mobile.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "ada"


def test_auth_token_create_returns_the_same_token_on_a_second_log_in(api_client):
    CustomerFactory(username="ada")

    first = api_client.post(TOKEN_URL, {"username": "ada", "password": PASSWORD}, format="json").json()["token"]
    second = api_client.post(TOKEN_URL, {"username": "ada", "password": PASSWORD}, format="json").json()["token"]

    assert first == second
    assert Token.objects.count() == 1


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "ada", "password": "wrong-password"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "inactive", "password": PASSWORD},
    ],
)
def test_auth_token_create_with_bad_credentials_is_400_and_issues_nothing(api_client, credentials):
    CustomerFactory(username="ada")
    UserFactory(username="inactive", is_active=False)

    response = api_client.post(TOKEN_URL, credentials, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not Token.objects.exists()


def test_auth_token_create_without_password_names_the_field(api_client):
    response = api_client.post(TOKEN_URL, {"username": "ada"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"] == {"password": ["This field is required."]}


def test_auth_token_delete_logs_the_client_out(api_client):
    customer = CustomerFactory()
    key = Token.objects.create(user=customer).key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert api_client.delete(TOKEN_URL).status_code == 204

    assert not Token.objects.filter(user=customer).exists()
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_auth_token_delete_needs_a_logged_in_client(api_client):
    Token.objects.create(user=CustomerFactory())

    response = api_client.delete(TOKEN_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"
    assert Token.objects.count() == 1


def test_auth_token_endpoint_is_throttled_after_its_limit(api_client):
    CustomerFactory(username="ada")
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "3/minute"}
    cache.clear()

    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        statuses = [api_client.post(TOKEN_URL, {"username": "ada", "password": "guess"}, format="json").status_code for _ in range(3)]
        throttled = api_client.post(TOKEN_URL, {"username": "ada", "password": PASSWORD}, format="json")

    assert statuses == [400, 400, 400]
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    assert not Token.objects.exists()
