"""An outside reviewer's probe of the shop's own pages, its access rules and the admin's add forms.

The API is fuzzed by schemathesis (``test_api_fuzz``) and the admin's lists get hostile query
parameters (``test_hostile_input``); this module attacks what those leave out: the server-rendered
storefront (its filters, paging, paths and forms, with and without CSRF), who may read what by id or
token, and every registered model admin's add form with garbage in each field. Every answer is a 2xx,
3xx or 4xx, never a 500, and a refused request changes nothing.
"""

import re
import uuid
from urllib.parse import quote

import pytest
from django.test import Client

from commerce.audit.models import DomainEvent
from commerce.catalog.models import StockBatch
from orders.models import Cart, CartLine, Order
from tests.factories import UserFactory, customer_with_address
from tests.orders.factories import placed_order, stocked_product

pytestmark = pytest.mark.django_db

#: values that are not what a field expects
HOSTILE = {
    "nul": "\x00",
    "nul_inside": "a\x00b",
    "superscript": "\u00b9\u00b2",
    "arabic_indic": "\u0663",
    "huge": "9" * 400,
    "past_64_bits": str(2**64),
    "negative": "-1",
    "page_far": "999999999999",
    "nan": "NaN",
    "overlong": "x" * 5000,
    "zero_date": "0000-00-00",
    "emoji": "\U0001f600\u202e",
    "bad_uuid": "not-a-uuid",
}


def q(value: str) -> str:
    return quote(value, safe="")


def state():
    return (
        Order.objects.count(), Cart.objects.count(), CartLine.objects.count(),
        list(StockBatch.objects.order_by("id").values_list("quantity_on_hand", "quantity_reserved")),
        DomainEvent.objects.count(),
    )


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    rates = {scope: "100000/minute" for scope in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world():
    """A product with a review and a question, a customer with a placed order, logged in."""
    from recommendations.services import questions as question_services
    from tests.recommendations.factories import review

    product = stocked_product()
    customer, address = customer_with_address()
    order = placed_order([(product, 1)], customer=customer, address=address)
    review(product)
    question_services.question_ask(customer=customer, product_id=product.pk, text="Is it good for espresso at home?") \
        if hasattr(question_services, "question_ask") else None
    client = Client()
    client.force_login(customer)
    return {"product": product, "customer": customer, "address": address, "order": order, "client": client}


# --- pages with hostile query parameters ---------------------------------------------------------------
PAGE_QUERIES = [
    "/products/{slug}/?rq={v}", "/products/{slug}/?rsort={v}", "/products/{slug}/?rstars={v}", "/products/{slug}/?rpage={v}",
    "/products/{slug}/?rverified={v}&rphotos={v}", "/products/{slug}/?qsort={v}", "/products/{slug}/?qcategory={v}",
    "/products/{slug}/?qpage={v}", "/products/{slug}/?rq={v}&rq=a&rpage={v}&rpage=2",
    "/c/{category}/?page={v}&sort={v}&min_price={v}", "/manufacturers/{manufacturer}/?page={v}",
    "/?q={v}&q=b&page={v}&page=2", "/orders/?page={v}", "/accounts/coupons/?status={v}&page={v}",
    "/accounts/questions/?page={v}", "/accounts/reviews/?page={v}", "/cart/?next={v}", "/checkout/?step={v}",
    "/orders/{number}/?page={v}", "/orders/{number}/thank-you/?placed={v}",
]


@pytest.mark.parametrize("template", PAGE_QUERIES)
def test_pages_answer_hostile_query_parameters_without_a_server_error(world, template):
    product = world["product"]
    before = state()

    answers = {}
    for name, value in HOSTILE.items():
        url = template.format(slug=product.slug, category=product.category.slug, manufacturer=product.manufacturer.slug,
                              number=world["order"].number, v=q(value))
        answers[name] = world["client"].get(url).status_code

    assert {name: status for name, status in answers.items() if status >= 500} == {}
    assert state() == before


PATHS = [
    "/orders/{v}/", "/orders/{v}/thank-you/", "/orders/{v}/pay/", "/orders/guest/{v}/", "/orders/claim/{v}/",
    "/track/{v}/", "/track/{v}/proof/photo/", "/track/{v}/proof/{v}/", "/reviews/request/{v}/",
    "/recommendations/r/{uuid}/{v}/", "/products/{v}/", "/c/{v}/", "/manufacturers/{v}/",
    "/deliveries/stops/{v}/proof/photo/", "/accounts/addresses/{v}/edit/",
]


@pytest.mark.parametrize("template", PATHS)
def test_paths_with_hostile_segments_are_answered_without_a_server_error(world, template):
    answers = {name: world["client"].get(template.format(v=q(value), uuid=uuid.uuid4())).status_code
               for name, value in HOSTILE.items()}

    assert {name: status for name, status in answers.items() if status >= 500} == {}


def test_a_recommendation_click_of_an_unknown_list_still_leads_to_the_product(world):
    product = world["product"]

    response = world["client"].get(f"/recommendations/r/{uuid.uuid4()}/{product.pk}/")

    assert response.status_code in (302, 404)
