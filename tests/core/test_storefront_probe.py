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


# --- forms with hostile values ---------------------------------------------------------------------------
#: what a form field gets instead of its value (a list: the field posted twice)
FORM_HOSTILE = {
    "nul_inside": "a\x00b", "overlong": "x" * 5000, "superscript": "\u00b9", "emoji": "\U0001f600\u202e",
    "huge": "9" * 40, "zero_date": "0000-00-00", "twice": ["1", "2"],
}


def _checkout_data(client, *, guest: bool, address=None) -> dict:
    from tests.orders.factories import hidden_input

    html = client.get("/checkout/").content.decode()
    data = {"payment_method": "card", "card_number": "4242 4242 4242 4242", "exp_month": "12", "exp_year": "2030",
            "cvc": "123", "idempotency_key": hidden_input(html, "idempotency_key"),
            "expected_total": hidden_input(html, "expected_total")}
    if guest:
        data.update(email="ann@example.com", recipient="Ann", street="3 Rue Neuve", zip_code="69001", city="Lyon",
                    state="", country="FR")
    else:
        data["address"] = str(address.pk)
    return data


def _forms(world, anonymous: Client) -> list[tuple[Client, str, dict]]:
    from recommendations.models import Question, Review

    product, client, order = world["product"], world["client"], world["order"]
    client.post("/cart/add/", {"product_id": product.pk, "quantity": 1})
    anonymous.post("/cart/add/", {"product_id": product.pk, "quantity": 1})
    line = CartLine.objects.filter(cart__customer=world["customer"]).latest("pk")
    a_review = Review.objects.exclude(customer=world["customer"]).first()
    question = Question.objects.first()
    address = {"label": "Home", "recipient": "Ada", "street": "1 Rue", "city": "Lyon", "state": "", "zip_code": "69001",
               "country": "FR", "is_default": "on"}
    return [
        (anonymous, "/accounts/signup/", {"username": "newbie", "email": "n@example.com", "first_name": "N", "last_name": "B",
                                          "password1": "a-Long-pass-1234", "password2": "a-Long-pass-1234"}),
        (anonymous, "/accounts/login/", {"username": "newbie", "password": "nope"}),
        (client, "/accounts/profile/", {"first_name": "Ada", "last_name": "L", "email": "ada@example.com", "phone": "+33 1 23"}),
        (client, "/accounts/addresses/add/", address),
        (client, f"/accounts/addresses/{world['address'].pk}/edit/", address),
        (client, f"/cart/lines/{line.pk}/quantity/", {"quantity": "2"}),
        (client, "/cart/coupons/apply/", {"code": "WELCOME"}),
        (client, "/cart/shipping/", {"shipping_method": "standard"}),
        (client, "/checkout/", _checkout_data(client, guest=False, address=world["address"])),
        (anonymous, "/checkout/", _checkout_data(anonymous, guest=True)),
        (anonymous, "/orders/find/", {"number": order.number, "email": "ada@example.com"}),
        (client, f"/orders/{order.number}/cancel/", {"reason": "changed my mind"}),
        (client, f"/orders/{order.number}/pay/", {"card_number": "4242 4242 4242 4242", "exp_month": "12", "exp_year": "2030",
                                                  "cvc": "123", "idempotency_key": "k-1"}),
        (client, f"/products/{product.slug}/questions/ask/", {"text": "Does it keep coffee warm for hours?", "category": ""}),
        (client, f"/questions/{question.pk}/answer/", {"text": "Yes, for about three hours."}),
        (client, f"/reviews/{a_review.pk}/vote/", {"helpful": "1"}),
        (client, f"/reviews/{a_review.pk}/flag/", {"reason": "spam", "note": "an advert"}),
        (client, f"/products/{product.slug}/review/", {"title": "Fine", "text": "Does the job.", "rating_overall": "4",
                                                       "rating_quality": "4", "rating_price": "4", "rating_utility": "4",
                                                       "rating_delivery": "4"}),
    ]


FORM_COUNT = 18


@pytest.mark.parametrize("index", range(FORM_COUNT))
def test_forms_answer_a_hostile_value_in_any_field_without_a_server_error(world, index):
    anonymous = Client()
    client, url, data = _forms(world, anonymous)[index]

    failures = {}
    for field in data:
        for name, value in FORM_HOSTILE.items():
            status = client.post(url, {**data, field: value}).status_code
            if status >= 500:
                failures[f"{field}={name}"] = status

    assert failures == {}, url


def test_the_probe_names_every_form(world):
    assert len(_forms(world, Client())) == FORM_COUNT


@pytest.mark.parametrize("index", range(FORM_COUNT))
def test_forms_posted_without_the_csrf_token_are_refused_and_change_nothing(world, index):
    anonymous = Client()
    client, url, data = _forms(world, anonymous)[index]
    client.handler.enforce_csrf_checks = True
    before = state()

    response = client.post(url, data)

    assert response.status_code == 403, url
    assert state() == before
