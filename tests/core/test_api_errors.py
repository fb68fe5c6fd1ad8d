"""The one error format of the API, and bad input that changes nothing."""

from enum import StrEnum

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from commerce.accounts.models import Address, User
from commerce.api.errors import exception_handler
from commerce.audit.models import DomainEvent
from commerce.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db


class _Codes(StrEnum):
    BAD_THING = "bad_thing"
    THING_NOT_FOUND = "thing_not_found"
    THING_TAKEN = "thing_taken"


class _BadThing(ValidationError):
    default_code = _Codes.BAD_THING


class _ThingNotFound(NotFound):
    default_code = _Codes.THING_NOT_FOUND


class _ThingTaken(Conflict):
    default_code = _Codes.THING_TAKEN

ADDRESSES_URL = "/api/v1/me/addresses/"
REGISTER_URL = "/api/v1/accounts/register/"


def snapshot():
    return User.objects.count(), Address.objects.count(), DomainEvent.objects.count(), Token.objects.count()


@pytest.mark.parametrize("body", ['{"street": "1 Road",', "not json at all", '{"street": NaN}'])
def test_malformed_json_is_400_malformed_request_and_changes_nothing(customer_client, body):
    before = snapshot()

    response = customer_client.post(ADDRESSES_URL, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"
    assert response.json()["fields"] == {}
    assert snapshot() == before


def test_malformed_json_from_an_anonymous_client_is_400_too():
    before = snapshot()

    response = APIClient().post(REGISTER_URL, "{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"
    assert snapshot() == before


def test_a_json_array_instead_of_an_object_is_invalid(customer_client):
    before = snapshot()

    response = customer_client.post(ADDRESSES_URL, [1, 2], format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "non_field_errors" in response.json()["fields"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "application/xml"],
)
def test_wrong_content_type_is_415_and_changes_nothing(customer_client, content_type):
    before = snapshot()

    response = customer_client.post(ADDRESSES_URL, "recipient=Ada&street=1+Road", content_type=content_type)

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert snapshot() == before


def test_wrong_content_type_on_sign_up_is_415():
    before = snapshot()

    response = APIClient().post(REGISTER_URL, {"username": "ada", "password": "an-engine-of-analysis"})  # multipart

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", ADDRESSES_URL), ("patch", "/api/v1/me/"), ("delete", "/api/v1/auth/token/"), ("delete", f"{ADDRESSES_URL}1/")],
)
def test_unauthenticated_writes_are_401_and_change_nothing(method, url):
    before = snapshot()

    response = getattr(APIClient(), method)(url, {"street": "1 Road"}, format="json")

    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
        "fields": {},
    }
    assert snapshot() == before


def test_an_unknown_api_route_method_is_405_in_the_error_format(customer_client):
    response = customer_client.put("/api/v1/me/", {"first_name": "Ada"}, format="json")

    assert response.status_code == 405
    assert response.json() == {"code": "method_not_allowed", "detail": 'Method "PUT" not allowed.', "fields": {}}


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (_BadThing("Bad.", fields={"x": ["Wrong."]}), 400),
        (PermissionDenied("No."), 403),
        (_ThingNotFound("Gone."), 404),
        (_ThingTaken("Taken.", extra={"id": 3}), 409),
        (DomainError("Plain."), 400),
    ],
)
def test_domain_errors_map_to_their_status_in_one_place(error, status):
    response = exception_handler(error, {})

    assert response.status_code == status
    assert response.data["code"] == error.code
    assert response.data["detail"] == error.message
    assert response.data["fields"] == error.fields
    assert response.data.get("extra", {}) == error.extra


def test_an_unexpected_error_is_a_500_that_reveals_nothing(caplog):
    response = exception_handler(RuntimeError("password=hunter2 in /srv/secret.py"), {})

    assert response.status_code == 500
    assert response.data == {"code": "server_error", "detail": "Something went wrong on our side.", "fields": {}}
    assert "Unhandled API error" in caplog.text


@pytest.mark.django_db
def test_unrouted_api_urls_answer_in_the_api_error_format(client):
    response = client.get("/api/v1/products/not-a-number/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No such resource.", "fields": {}}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
