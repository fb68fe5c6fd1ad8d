"""``commerce.api.schema``: what ``documented`` adds to an operation's own parts, by kind of operation."""

from rest_framework import serializers

from commerce.api.schema import (
    NOT_AUTHENTICATED,
    PAGE_NOT_FOUND,
    PERMISSION_DENIED,
    PUBLIC,
    STAFF,
    THROTTLED,
    UNKNOWN_FIELD,
    UNSUPPORTED_MEDIA_TYPE,
    error_example,
    responses_for,
)
from commerce.api.serializers import StrictInputSerializer


class _Strict(StrictInputSerializer):
    quantity = serializers.IntegerField()


class _Lenient(serializers.Serializer):
    quantity = serializers.IntegerField()


def _codes(response) -> list[str]:
    return [example.value["code"] for example in response.examples]


def test_a_read_answers_its_success_then_the_refusals_of_its_access_in_status_order():
    assert responses_for("Out", errors={404: PAGE_NOT_FOUND}) == {
        200: "Out", 401: NOT_AUTHENTICATED, 404: PAGE_NOT_FOUND, 429: THROTTLED,
    }
    assert responses_for("Out", access=PUBLIC) == {200: "Out", 429: THROTTLED}
    assert responses_for("Out", access=STAFF) == {200: "Out", 401: NOT_AUTHENTICATED, 403: PERMISSION_DENIED, 429: THROTTLED}
    assert responses_for("Out", access={}) == {200: "Out"}
    assert list(responses_for(None, status=204, errors={404: PAGE_NOT_FOUND})) == [204, 401, 404, 429]


def test_a_body_adds_400_with_the_shared_input_errors_and_415():
    responses = responses_for("Out", request=_Strict, invalid=[error_example("invalid_quantity", "Quantity must be at least 1.")])

    assert list(responses) == [200, 400, 401, 415, 429]
    assert responses[415] is UNSUPPORTED_MEDIA_TYPE
    # the endpoint's own, then unknown_field (a strict body refuses undeclared fields), then malformed JSON
    assert _codes(responses[400]) == ["invalid_quantity", "unknown_field", "malformed_request"]


def test_unknown_field_is_listed_once_only_for_a_strict_body_and_not_when_turned_off():
    assert _codes(responses_for(request=_Lenient)[400]) == ["malformed_request"]
    assert _codes(responses_for(request=_Strict(partial=True))[400]) == ["unknown_field", "malformed_request"]
    assert _codes(responses_for(request=_Strict, invalid=[UNKNOWN_FIELD])[400]) == ["unknown_field", "malformed_request"]
    assert _codes(responses_for(request=_Strict, unknown_field=False)[400]) == ["malformed_request"]


def test_no_body_no_400_nor_415():
    assert list(responses_for("Out", request=None, access=STAFF)) == [200, 401, 403, 429]


def test_unsorted_keeps_the_order_given_the_body_and_own_errors_then_access_then_415():
    responses = responses_for("Out", status=201, request=_Strict, access=STAFF, errors={404: PAGE_NOT_FOUND}, sort=False)

    assert list(responses) == [201, 400, 404, 401, 403, 429, 415]
