"""Bodies the API refuses before any view works on them: nested too deep (400), too large (413).

Both were 500s on every JSON endpoint, without logging in: ``json`` recursed until
``RecursionError``, and Django's ``RequestDataTooBig`` reached the API's error handler unmapped.
"""

import json
import time

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from commerce.accounts.models import Address, User
from commerce.api.parsers import MAX_JSON_DEPTH, json_depth_exceeds
from commerce.audit.models import DomainEvent
from orders.models import Cart, GatewayNotification, Order
from orders.services.payments import webhook_signature
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000
DEEP_ARRAY = "[" * 1000 + "]" * 1000
WEBHOOK_URL = "/api/v1/payments/webhooks/sandbox/"


def snapshot():
    return (User.objects.count(), Address.objects.count(), Cart.objects.count(), Order.objects.count(),
            GatewayNotification.objects.count(), DomainEvent.objects.count(), Token.objects.count())


def anonymous():
    return APIClient()


def customer():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=CustomerFactory()).key}")
    return client


def signed_headers(body: bytes) -> dict:
    now = int(time.time())
    return {"HTTP_X_SANDBOX_SIGNATURE": f"t={now},v1={webhook_signature(body, now, settings.ORDERS_WEBHOOK_SECRET)}"}


ENDPOINTS = [
    (anonymous, "post", "/api/v1/accounts/register/"),
    (anonymous, "post", "/api/v1/auth/token/"),
    (customer, "post", "/api/v1/me/addresses/"),
    (customer, "patch", "/api/v1/me/"),
    (customer, "post", "/api/v1/cart/items/"),
    (customer, "put", "/api/v1/cart/lines/"),
    (customer, "post", "/api/v1/checkout/"),
]


@pytest.mark.parametrize("body", [DEEP_OBJECT, DEEP_ARRAY], ids=["object", "array"])
@pytest.mark.parametrize(("make_client", "method", "url"), ENDPOINTS)
def test_json_nested_a_thousand_levels_is_400_malformed_request_and_changes_nothing(make_client, method, url, body):
    client = make_client()
    before = snapshot()

    response = getattr(client, method)(url, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"code": "malformed_request", "detail": response.json()["detail"], "fields": {}}
    assert "nested deeper" in response.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("body", [DEEP_OBJECT, DEEP_ARRAY], ids=["object", "array"])
def test_a_signed_webhook_nested_a_thousand_levels_is_400_malformed_request(body):
    raw = body.encode()
    before = snapshot()

    response = APIClient().post(WEBHOOK_URL, raw, content_type="application/json", **signed_headers(raw))

    assert (response.status_code, response.json()["code"]) == (400, "malformed_request")
    assert snapshot() == before


def test_nesting_just_past_the_limit_is_malformed_and_up_to_it_reaches_the_serializer():
    client = customer()
    at_limit = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    past_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH

    ok = client.post("/api/v1/me/addresses/", '{"street": ' + at_limit + '}', content_type="application/json")
    deep = client.post("/api/v1/me/addresses/", '{"street": ' + past_limit + '}', content_type="application/json")

    assert (ok.status_code, ok.json()["code"]) == (400, "invalid")
    assert "street" in ok.json()["fields"]
    assert (deep.status_code, deep.json()["code"]) == (400, "malformed_request")


@pytest.mark.parametrize(
    ("data", "deep"),
    [
        ({}, False),
        ([], False),
        ("text", False),
        ({"a": [{"b": 1}]}, False),
        (json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH), False),
        (json.loads("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)), True),
        ({"wide": [[1]] * 10_000}, False),
    ],
)
def test_json_depth_counts_nesting_levels_without_recursion(data, deep):
    assert json_depth_exceeds(data) is deep


def test_json_depth_of_a_structure_deeper_than_the_recursion_limit_is_measured():
    data: list = []
    for _ in range(100_000):
        data = [data]
    assert json_depth_exceeds(data) is True


def too_large_body() -> str:
    return json.dumps({"street": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})


@pytest.mark.parametrize(("make_client", "method", "url"), ENDPOINTS)
def test_a_body_over_the_upload_limit_is_413_in_the_error_format_and_changes_nothing(make_client, method, url):
    client = make_client()
    before = snapshot()

    response = getattr(client, method)(url, too_large_body(), content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {
        "code": "request_too_large",
        "detail": f"The request body is too large (at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024} KB).",
        "fields": {},
    }
    assert snapshot() == before


def test_a_webhook_body_over_the_upload_limit_is_413():
    raw = too_large_body().encode()
    before = snapshot()

    response = APIClient().post(WEBHOOK_URL, raw, content_type="application/json", **signed_headers(raw[:10]))

    assert (response.status_code, response.json()["code"]) == (413, "request_too_large")
    assert snapshot() == before


def test_the_upload_limit_follows_the_setting(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = customer()

    small = client.post("/api/v1/me/addresses/", {"street": "x" * 100}, format="json")
    large = client.post("/api/v1/me/addresses/", {"street": "x" * 2000}, format="json")

    assert small.status_code == 400 and small.json()["code"] == "invalid"
    assert (large.status_code, large.json()["code"]) == (413, "request_too_large")
