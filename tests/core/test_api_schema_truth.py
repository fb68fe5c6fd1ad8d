"""The OpenAPI schema tells the truth about the input the server takes, across every operation,
and input errors name fields the way domain errors do (flat paths: ``lines[1].quantity``)."""

import json
import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.test import APIClient

from commerce.accounts.models import User
from commerce.api.errors import exception_handler
from commerce.api.serializers import QuantityField, StrictInputSerializer
from tests.factories import CustomerFactory

# Bodies that are not ours to constrain: the payment gateway's notifications gain fields over time.
TOLERANT_BODIES = {("post", "/api/v1/payments/webhooks/sandbox/")}


@pytest.fixture(scope="module")
def openapi():
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def resolve(openapi, schema):
    while "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def object_schemas(openapi, schema, seen=None):
    """Every object schema a request body holds, nested ones included."""
    seen = set() if seen is None else seen
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return
        seen.add(schema["$ref"])
    schema = resolve(openapi, schema)
    if "properties" in schema:
        yield schema
        for prop in schema["properties"].values():
            yield from object_schemas(openapi, prop, seen)
    for key in ("items", "allOf", "oneOf", "anyOf"):
        parts = schema.get(key)
        for part in parts if isinstance(parts, list) else [parts] if parts else []:
            yield from object_schemas(openapi, part, seen)


UPLOADS = {("post", "/api/v1/products/{product_id}/images/"), ("post", "/api/v1/reviews/{review_id}/photos/"),
           ("post", "/api/v1/logistics/driver/stops/{stop_id}/complete/")}


def request_bodies(openapi):
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                yield method, path, media_type, content["schema"]


def test_every_request_body_is_json_and_refuses_fields_it_does_not_declare(openapi):
    bodies = list(request_bodies(openapi))
    assert len(bodies) > 20  # every JSON body of the API, not one example

    for method, path, media_type, schema in bodies:
        # A file upload is a form; each (a product picture, a review photo, a proof of delivery) refuses undeclared fields too.
        expected = "multipart/form-data" if (method, path) in UPLOADS else "application/json"
        assert media_type == expected, f"{method} {path}"
        if (method, path) in TOLERANT_BODIES:
            continue
        for part in object_schemas(openapi, schema):
            assert part.get("additionalProperties") is False, f"{method} {path}: {sorted(part['properties'])}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/v1/accounts/register/", {"username": "mallory", "password": "a-long-passphrase", "is_staff": True}),
        ("post", "/api/v1/auth/token/", {"username": "ada", "password": "x", "otp": "123456"}),
        ("patch", "/api/v1/me/", {"first_name": "Ada", "is_superuser": True}),
        ("post", "/api/v1/me/addresses/", {"recipient": "Ada", "street": "1 Rue", "city": "Lyon", "zip_code": "69001",
                                           "country": "FR", "customer": 1}),
    ],
)
def test_account_endpoints_refuse_unknown_fields_like_every_other_endpoint(method, url, body):
    client = APIClient()
    customer = CustomerFactory(username="ada")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=customer).key}")
    users = list(User.objects.values_list("pk", "first_name", "is_staff", "is_superuser"))

    response = getattr(client, method)(url, body, format="json")

    assert response.status_code == 400, response.json()
    unknown = sorted(set(body) - {"username", "password", "first_name", "recipient", "street", "city", "zip_code", "country"})
    assert response.json()["code"] == "unknown_field"
    assert response.json()["fields"] == {name: ["Unknown field."] for name in unknown}
    assert list(User.objects.values_list("pk", "first_name", "is_staff", "is_superuser")) == users
    assert not customer.addresses.exists()


def test_patch_bodies_require_nothing_when_the_update_is_partial_and_what_the_server_requires_otherwise(openapi):
    patches = {path: resolve(openapi, op["requestBody"]["content"]["application/json"]["schema"])
               for path, ops in openapi["paths"].items() for method, op in ops.items() if method == "patch"}
    assert len(patches) >= 5

    # The cart lines' PATCH (a customer's, a guest's) validates its body whole (quantity is the change);
    # the others are partial updates.
    assert patches.pop("/api/v1/cart/items/{line_id}/")["required"] == ["quantity"]
    assert patches.pop("/api/v1/guest/cart/items/{line_id}/")["required"] == ["quantity"]
    for path, schema in patches.items():
        assert "required" not in schema, path


def test_documented_quantity_bounds_are_the_enforced_ones(openapi):
    """Every `quantity` a request body takes is documented 1 to 10000, as the services enforce."""
    quantities = [
        (method, path, part["properties"]["quantity"])
        for method, path, _, schema in request_bodies(openapi)
        for part in object_schemas(openapi, schema)
        if "quantity" in part["properties"] and part["properties"]["quantity"].get("type") == "integer"
    ]
    assert len(quantities) >= 5
    for method, path, quantity in quantities:
        assert (quantity.get("minimum"), quantity.get("maximum")) == (1, 10000), f"{method} {path}"


# --- one shape for every field error --------------------------------------------------------------
class Line(StrictInputSerializer):
    product_id = serializers.IntegerField(min_value=1)
    quantity = QuantityField()


class Card(StrictInputSerializer):
    number = serializers.CharField()


class Order(StrictInputSerializer):
    lines = Line(many=True, allow_empty=False)
    card = Card(required=False)
    tags = serializers.ListField(child=serializers.IntegerField(max_value=5), required=False)
    note = serializers.CharField(max_length=5, required=False)


def answer(data, *, partial=False):
    serializer = Order(data=data, partial=partial)
    try:
        serializer.is_valid(raise_exception=True)
    except Exception as exc:  # noqa: BLE001 - whatever the serializer raises, the one handler answers
        response = exception_handler(exc, {})
        return response.status_code, response.data
    return 200, serializer.validated_data


def test_nested_errors_are_flat_paths_with_list_indexes():
    status, body = answer({
        "lines": [{"product_id": 1, "quantity": 1}, {"product_id": 0}],
        "card": {"number": ""},
        "tags": [1, 9],
        "note": "too long",
    })

    assert status == 400
    assert body["code"] == "invalid"
    assert body["fields"] == {
        "lines[1].product_id": ["Ensure this value is greater than or equal to 1."],
        "lines[1].quantity": ["This field is required."],
        "card.number": ["This field may not be blank."],
        "tags[1]": ["Ensure this value is less than or equal to 5."],
        "note": ["Ensure this field has no more than 5 characters."],
    }


def test_a_list_own_error_and_a_whole_request_error_are_keyed_by_the_list_and_non_field_errors():
    assert answer({"lines": []})[1]["fields"] == {"lines": ["This list may not be empty."]}
    assert answer({"lines": [7]})[1]["fields"] == {"lines[0]": ["Invalid data. Expected a dictionary, but got int."]}
    assert answer([1])[1]["fields"] == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}


def test_a_nested_domain_error_keeps_its_code_and_gets_its_path():
    status, body = answer({"lines": [{"product_id": 1, "quantity": 1}, {"product_id": 2, "quantity": 10001}]})

    assert (status, body["code"]) == (400, "invalid_quantity")
    assert body["fields"] == {"lines[1].quantity": ["Must be at most 10000."]}
    assert body["detail"] == "lines[1].quantity: Must be at most 10000."


def test_a_top_level_domain_error_is_answered_as_the_service_would():
    class Add(StrictInputSerializer):
        quantity = QuantityField()

    serializer = Add(data={"quantity": 0})
    with pytest.raises(Exception) as raised:
        serializer.is_valid(raise_exception=True)
    body = exception_handler(raised.value, {}).data

    assert body == {"code": "invalid_quantity", "detail": "Quantity must be at least 1.", "fields": {"quantity": ["Must be at least 1."]}}


def test_unknown_fields_are_named_by_their_path_and_win_over_other_errors():
    status, body = answer({"lines": [{"product_id": 1, "quantity": 0, "unit_price": "0.01"}], "total": "1"})

    assert (status, body["code"]) == (400, "unknown_field")
    assert body["detail"] == "The request has fields this endpoint does not take: lines[0].unit_price, total."
    assert body["fields"] == {
        "lines[0].unit_price": ["Unknown field."],
        "lines[0].quantity": ["Must be at least 1."],
        "total": ["Unknown field."],
    }


def test_a_partial_update_may_leave_out_top_level_fields_but_not_a_nested_item_s_required_ones():
    assert answer({"note": "ok"}, partial=True) == (200, {"note": "ok"})

    status, body = answer({"lines": [{"quantity": 2}]}, partial=True)

    assert (status, body["fields"]) == (400, {"lines[0].product_id": ["This field is required."]})


def test_a_drf_error_raised_by_hand_is_flattened_too():
    error = ValidationError({"lines": [{}, {"quantity": [ErrorDetail("Too many.", code="max_value")]}]})

    assert exception_handler(error, {}).data["fields"] == {"lines[1].quantity": ["Too many."]}


@pytest.mark.django_db
def test_a_partial_promotion_update_with_an_incomplete_tier_is_refused_not_a_server_error():
    # Was a 500 (KeyError): under PATCH's partial validation DRF skipped the tier's required fields.
    from django.contrib.auth.models import Group

    from promotions.models import PromotionTier
    from tests.factories import StaffFactory
    from tests.promotions.factories import PromotionFactory

    promotion = PromotionFactory(tiered=True, tiers=[(5, 10)])
    merchandiser = StaffFactory()
    merchandiser.groups.add(Group.objects.get(name="Merchandisers"))
    client = APIClient()
    client.force_authenticate(merchandiser)

    response = client.patch(f"/api/v1/promotions/{promotion.pk}/", {"tiers": [{"percent": "15"}]}, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {"tiers[0].min_quantity": ["This field is required."]}
    assert list(PromotionTier.objects.values_list("min_quantity", "percent")) == [(5, 10)]


def test_list_sizes_decimal_signs_and_user_names_are_documented_as_enforced(openapi):
    components = openapi["components"]["schemas"]
    simulate_lines = components["SimulationInputRequest"]["properties"]["lines"]
    assert (simulate_lines["minItems"], simulate_lines["maxItems"]) == (1, 200)
    assert "minItems" not in components["CartLinesSetInputRequest"]["properties"]["lines"]  # an empty list empties the cart

    order_filters = {p["name"]: p["schema"] for p in openapi["paths"]["/api/v1/orders/"]["get"]["parameters"]}
    assert not re.fullmatch(order_filters["max_total"]["pattern"], "-71")
    assert re.fullmatch(order_filters["max_total"]["pattern"], "71.50")
    assert not any(re.fullmatch(order_filters["max_total"]["pattern"], value) for value in ("", "."))  # a digit at least
    latitude = components["AddressCreateInputRequest"]["properties"]["latitude"]
    assert re.fullmatch(latitude["pattern"], "-45.5") and "at least -90 and at most 90" in latitude["description"]

    card_number = components["CardInputRequest"]["properties"]["number"]["pattern"]
    assert re.fullmatch(card_number, "4242 4242-4242 4242") and not re.fullmatch(card_number, "4242")
    assert not re.fullmatch(card_number, "¹²³⁴⁵⁶⁷⁸⁹¹²³⁴⁵⁶")  # ASCII digits only

    username = components["CustomerRegisterInputRequest"]["properties"]["username"]["pattern"]
    assert re.fullmatch(username, "ada.lovelace+shop@1815") and not re.fullmatch(username, "\x89\x1d")


def test_every_operation_with_a_path_parameter_documents_404(openapi):
    """A path value that matches no URL (a customer id that is not a number, an empty code) is a 404."""
    operations = [(method, path, op) for path, ops in openapi["paths"].items() if "{" in path for method, op in ops.items()]
    assert len(operations) > 30
    for method, path, operation in operations:
        assert "404" in operation["responses"], f"{method} {path}"


def test_every_text_that_may_not_be_blank_says_it_holds_a_non_space_character(openapi):
    """DRF trims text before the blank check, so `minLength: 1` alone would promise that "\\t" is taken."""
    texts = [
        (method, path, name, prop)
        for method, path, _, schema in request_bodies(openapi)
        for part in object_schemas(openapi, schema)
        for name, prop in part["properties"].items()
        if prop.get("type") == "string" and prop.get("minLength", 0) >= 1 and "enum" not in prop
        and name != "password"  # taken as typed, never trimmed: "\t " is a (weak) password, not a blank one
    ]
    assert len(texts) > 20
    for method, path, name, prop in texts:
        assert "pattern" in prop, f"{method} {path} {name}"
        for blank in ("\t ", "\x1c", "\x85\u3000"):  # what str.strip() removes, DRF's trim
            assert not blank.strip() and not re.search(prop["pattern"], blank), f"{method} {path} {name} {blank!r}"


def test_no_request_text_takes_a_nul_character(openapi):
    """DRF refuses U+0000 in every text field; every free text of a request body says so in its pattern."""
    texts = [
        (method, path, name, prop)
        for method, path, _, schema in request_bodies(openapi)
        for part in object_schemas(openapi, schema)
        for name, prop in part["properties"].items()
        if prop.get("type") == "string" and "enum" not in prop and "format" not in prop
    ]
    assert len(texts) > 20
    for method, path, name, prop in texts:
        assert "pattern" in prop and not re.search(prop["pattern"], "\x00") and not re.search(prop["pattern"], "a\x00b"), \
            f"{method} {path} {name}"


def test_a_number_for_a_text_field_is_refused_as_the_schema_says_string():
    status, body = answer({"lines": [{"product_id": 1, "quantity": 1}], "note": 12})

    assert (status, body["fields"]) == (400, {"note": ["Not a valid string."]})


@pytest.mark.django_db
def test_an_address_with_a_number_for_its_recipient_is_refused_and_not_created():
    # Was 201 with recipient "-35857527": DRF's text fields take numbers, the schema says string.
    customer = CustomerFactory()
    client = APIClient()
    client.force_authenticate(customer)
    body = {"recipient": -35857527, "street": "1 Rue", "city": "Lyon", "zip_code": "69001", "country": "FR"}

    response = client.post("/api/v1/me/addresses/", body, format="json")

    assert (response.status_code, response.json()["fields"]) == (400, {"recipient": ["Not a valid string."]})
    assert not customer.addresses.exists()
