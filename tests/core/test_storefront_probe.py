"""An outside reviewer's probe of the shop's own pages, its access rules and the admin's add forms.

The API is fuzzed by schemathesis (``test_api_fuzz``) and the admin's lists get hostile query
parameters (``test_hostile_input``); this module attacks what those leave out: the server-rendered
storefront (its filters, paging, paths and forms, with and without CSRF), who may read what by id or
token, and every registered model admin's add form with garbage in each field. Every answer is a 2xx,
3xx or 4xx, never a 500, and a refused request changes nothing.
"""

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
    # The pages' own hourly limits too: past them every hostile value would meet the 429, not the form.
    settings.ORDERS_CHECKOUTS_PER_HOUR = settings.ORDERS_GUEST_LOOKUPS_PER_HOUR = settings.CATALOG_STOCK_ALERTS_PER_HOUR = 100000


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
    "/products/{slug}/?rq={v}&rsort={v}&rverified={v}", "/products/{slug}/?rstars={v}&rpage={v}&rphotos={v}",
    "/products/{slug}/?qsort={v}&qcategory={v}&qpage={v}", "/products/{slug}/?rq={v}&rq=a&rpage={v}&rpage=2&qpage=1&qpage={v}",
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


@pytest.mark.parametrize("path", ["/products/%D9%A3/", "/api/v1/products/%F0%9F%98%80/", "/admin/catalog/product/%CE%B1/change/",
                                  "/%E2%80%AE/"])
def test_a_path_past_latin1_is_answered_on_every_surface(client, path):
    """The tracing middleware quoted Django's decoded path as Latin-1 before routing: a 500 everywhere."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert client.get(path).status_code in (302, 404)


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


# --- access: one customer's things through another's hands ----------------------------------------------
@pytest.fixture
def two_customers():
    """Customer A with an order, an address and a review awaiting moderation; customer B, logged in."""
    from recommendations.services import reviews

    product = stocked_product()
    owner, address = customer_with_address()
    order = placed_order([(product, 1)], customer=owner, address=address)
    pending = reviews.review_submit(customer=owner, product_id=product.pk, title="Draft", text="Not yet moderated.",
                                    ratings={"overall": 3, "quality": 3, "price": 3, "utility": 3, "delivery": 3})
    intruder, _ = customer_with_address()
    client = Client()
    client.force_login(intruder)
    return {"order": order, "address": address, "review": pending, "client": client, "intruder": intruder}


def _owned_state(world):
    from recommendations.models import Review

    address, order = world["address"], world["order"]
    address.refresh_from_db()
    order.refresh_from_db()
    return (order.status, address.street, address.is_default, Review.objects.filter(pk=world["review"].pk).exists(),
            CartLine.objects.filter(cart__customer=world["intruder"]).count(), DomainEvent.objects.count())


def test_a_customer_cannot_read_or_change_anothers_order_address_or_review(two_customers):
    from rest_framework.test import APIClient

    world = two_customers
    number, address, review = world["order"].number, world["address"].pk, world["review"].pk
    page, api = world["client"], APIClient()
    api.force_authenticate(world["intruder"])
    before = _owned_state(world)

    answers = {
        "order page": page.get(f"/orders/{number}/").status_code,
        "thank-you page": page.get(f"/orders/{number}/thank-you/").status_code,
        "pay page": page.get(f"/orders/{number}/pay/").status_code,
        "cancel": page.post(f"/orders/{number}/cancel/", {"reason": "mine now"}).status_code,
        "reorder": page.post(f"/orders/{number}/reorder/").status_code,
        "address edit page": page.get(f"/accounts/addresses/{address}/edit/").status_code,
        "address edit": page.post(f"/accounts/addresses/{address}/edit/", {"recipient": "X", "street": "Elsewhere",
                                  "city": "Paris", "zip_code": "75001", "country": "FR"}).status_code,
        "address default": page.post(f"/accounts/addresses/{address}/default/").status_code,
        "address delete": page.post(f"/accounts/addresses/{address}/delete/").status_code,
        "review delete": page.post(f"/reviews/{review}/delete/").status_code,
        "api order": api.get(f"/api/v1/orders/{number}/").status_code,
        "api cancel": api.post(f"/api/v1/orders/{number}/cancel/", {"reason": "x"}, format="json").status_code,
        "api reorder": api.post(f"/api/v1/orders/{number}/reorder/").status_code,
        "api address": api.get(f"/api/v1/me/addresses/{address}/").status_code,
        "api address patch": api.patch(f"/api/v1/me/addresses/{address}/", {"street": "Elsewhere"}, format="json").status_code,
        "api address delete": api.delete(f"/api/v1/me/addresses/{address}/").status_code,
        "api review draft": api.get(f"/api/v1/reviews/{review}/").status_code,
    }

    assert {what: status for what, status in answers.items() if status not in (403, 404)} == {}
    assert _owned_state(world) == before


# --- access: staff groups outside their work -------------------------------------------------------------
#: guarded surfaces, each with the permission it needs: page (admin) and REST
GUARDED = {
    "accounts.dispatch_routes": [("get", "/admin/logistics/dispatchconsole/"), ("post", "/api/v1/logistics/dispatch/stops/move/")],
    "accounts.manage_promotions": [("get", "/admin/promotions/promotion/"), ("get", "/admin/promotions/promotion/add/"),
                                   ("post", "/api/v1/promotions/")],
    "accounts.refund_orders": [("get", "/admin/orders/order/{order}/refund/"), ("post", "/admin/orders/order/{order}/refund/"),
                               ("post", "/api/v1/orders/{number}/refund/")],
}


@pytest.mark.parametrize("group", ["Merchandisers", "Dispatchers", "Support", "Sales", "Customers"])
def test_staff_groups_cannot_reach_what_their_permissions_do_not_name(group):
    """Each group against every guarded surface whose permission it lacks: 403, and nothing changes."""
    from rest_framework.test import APIClient

    from commerce.accounts.groups import GROUP_PERMISSIONS
    from tests.factories import StaffFactory

    order = placed_order([(stocked_product(), 1)])
    staff = StaffFactory(groups=[group])
    page, api = Client(), APIClient()
    page.force_login(staff)
    api.force_authenticate(staff)
    before = state()

    answers = {}
    for permission, targets in GUARDED.items():
        if permission in GROUP_PERMISSIONS[group]:
            continue
        for method, template in targets:
            url = template.format(order=order.pk, number=order.number)
            client, kwargs = (api, {"format": "json"}) if url.startswith("/api/") else (page, {})
            answers[f"{method} {url}"] = getattr(client, method)(url, {}, **kwargs).status_code

    assert answers
    assert {what: status for what, status in answers.items() if status != 403} == {}
    assert state() == before


# --- the admin: every add form with garbage in its fields -------------------------------------------------
def _admin_add_urls() -> list[str]:
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    urls = []
    for model in admin.site._registry:
        try:
            urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
        except NoReverseMatch:
            continue
    return sorted(urls)


@pytest.mark.parametrize("url", _admin_add_urls())
def test_admin_add_forms_answer_garbage_in_any_field_without_a_server_error(url):
    from tests.core.admin_garbage import server_errors

    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    page = client.get(url)
    if page.status_code != 200 or "adminform" not in (page.context or {}):
        assert page.status_code < 500
        return
    assert server_errors(client, url, page) == {}


def test_a_customer_cannot_remove_the_photo_of_anothers_review(two_customers):
    from recommendations.models import ReviewPhoto
    from recommendations.services import reviews
    from tests.recommendations.factories import picture

    world = two_customers
    photo = reviews.review_photo_add(review_id=world["review"].pk, customer=world["order"].customer, upload=picture())
    before = DomainEvent.objects.count()

    response = world["client"].post(f"/review-photos/{photo.pk}/delete/")

    assert response.status_code in (302, 403, 404)
    assert ReviewPhoto.objects.filter(pk=photo.pk).exists()
    assert DomainEvent.objects.count() == before
