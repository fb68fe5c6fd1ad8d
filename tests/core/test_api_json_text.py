"""JSON bodies whose strings are not Unicode text, and the views' parsers.

JSON can spell a lone UTF-16 surrogate (``"\\ud800"``) that no UTF-8 text holds. A choice field
echoed it in its error and the answer failed to encode (a 500 on reviews' flags, answers' votes,
checkout's payment method, a driver's failed stop, promotions, campaigns, placements, training
runs); a text field took it as far as the database driver or a page. Every JSON endpoint parses
with the one parser, which refuses such a body: 400 ``malformed_request``, nothing changed.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.parsers import JSONParser as DrfJSONParser
from rest_framework.test import APIClient

from commerce.api.parsers import JSONParser, json_text_unencodable
from commerce.audit.models import DomainEvent
from recommendations.models import Review, ReviewFlag
from tests.factories import CustomerFactory
from tests.logistics.driver_factories import todays_route
from tests.recommendations.factories import review

pytestmark = pytest.mark.django_db

SURROGATE = "\\ud800"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("body", [
    '{"reason": "' + SURROGATE + '"}',
    '{"reason": "spam", "note": "a' + SURROGATE + 'b"}',
    '{"' + SURROGATE + '": "spam"}',
], ids=["choice", "text", "key"])
def test_a_review_flag_with_a_lone_surrogate_is_400_malformed_and_changes_nothing(body):
    flagged = review()
    before = (ReviewFlag.objects.count(), DomainEvent.objects.count())

    response = _client(CustomerFactory()).post(f"/api/v1/reviews/{flagged.pk}/flag/", body, content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (400, "malformed_request")
    assert (ReviewFlag.objects.count(), DomainEvent.objects.count()) == before
    assert Review.objects.filter(pk=flagged.pk).exists()


def test_a_driver_failing_a_stop_with_a_lone_surrogate_is_400_malformed():
    route, courier = todays_route(count=1, start=True)
    stop = route.stops.get()
    before = (stop.state, DomainEvent.objects.count())

    response = _client(courier.user).post(f"/api/v1/logistics/driver/stops/{stop.pk}/fail/",
                                          '{"reason": "' + SURROGATE + '"}', content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (400, "malformed_request")
    stop.refresh_from_db()
    assert (stop.state, DomainEvent.objects.count()) == before


@pytest.mark.parametrize(("data", "bad"), [
    ({"a": ["b", {"c": "d\U0001f600"}]}, False),
    ({"a": ["b", {"c": "d\ud800"}]}, True),
    ({"\udfff": 1}, True),
    ([[["\ud83d"]]], True),
    ("\ud83d\ude00", True),  # a pair spelled as two escapes stays two lone halves in Python
    (1, False),
])
def test_json_text_unencodable_finds_lone_surrogates_anywhere(data, bad):
    assert json_text_unencodable(data) is bad


def _views(resolver=None):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry)
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "view_class"):
            yield entry.callback.view_class


def test_every_api_view_that_parses_json_uses_the_apis_parser():
    """A view that named DRF's parser (the driver's failed stop did) skipped the depth and text checks."""
    offenders = sorted({view.__name__ for view in _views() for parser in getattr(view, "parser_classes", ())
                        if issubclass(parser, DrfJSONParser) and not issubclass(parser, JSONParser)})

    assert offenders == []
