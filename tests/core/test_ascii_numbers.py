"""Numbers read from input are ASCII digits, whatever the surface: Python's ``int("٣")`` is 3 and
``Decimal("１２")`` is 12, so DRF's and Django's number fields (and a primary key looked up from a
string) would take other scripts' digits. The API refuses them at the one base of its input
serializers; the catalog's price filters at their form field."""

import pytest

from orders.models import CartLine
from tests.factories import token_client
from tests.orders.factories import customer_with_address, stocked_product

pytestmark = pytest.mark.django_db

OTHER_DIGITS = ["\u0663", "\uff12", "\u00b2", "1\u0663", "\u0661\u0662.50"]


@pytest.mark.parametrize("value", OTHER_DIGITS)
def test_a_quantity_in_other_digits_is_refused_and_adds_nothing(value):
    customer, _address = customer_with_address()
    product = stocked_product(quantity=10)

    response = token_client(customer).post("/api/v1/cart/items/", {"product_id": product.pk, "quantity": value}, format="json")

    assert response.status_code == 400, response.json()
    assert "quantity" in response.json()["fields"]
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("value", OTHER_DIGITS)
def test_a_product_id_in_other_digits_is_refused_and_adds_nothing(value):
    customer, _address = customer_with_address()
    stocked_product(quantity=10)

    response = token_client(customer).post("/api/v1/cart/items/", {"product_id": value, "quantity": 1}, format="json")

    assert response.status_code == 400, response.json()
    assert "product_id" in response.json()["fields"]
    assert not CartLine.objects.exists()


def test_ascii_digits_sent_as_text_still_read_as_numbers():
    customer, _address = customer_with_address()
    product = stocked_product(quantity=10)

    response = token_client(customer).post("/api/v1/cart/items/", {"product_id": str(product.pk), "quantity": 2}, format="json")

    assert response.status_code in (200, 201), response.json()
    assert CartLine.objects.get().quantity == 2


@pytest.mark.parametrize("param", ["min_price", "max_price"])
@pytest.mark.parametrize("value", OTHER_DIGITS)
def test_a_price_filter_in_other_digits_is_a_400_on_the_api(api_client, param, value):
    response = api_client.get("/api/v1/products/", {param: value})

    assert response.status_code == 400
    assert param in response.json()["fields"]


def test_text_fields_keep_other_scripts_digits():
    customer, _address = customer_with_address()

    response = token_client(customer).post("/api/v1/me/addresses/", {
        "recipient": "Ada", "street": "\u0661\u0662 Rue", "city": "Lyon", "zip_code": "69001", "country": "FR",
    }, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["street"] == "\u0661\u0662 Rue"


@pytest.mark.parametrize(("url", "param"), [
    ("/api/v1/orders/", "customer_id"), ("/api/v1/orders/", "min_total"), ("/api/v1/events/", "customer_id"),
])
@pytest.mark.parametrize("value", OTHER_DIGITS)
def test_query_filters_in_other_digits_are_400(url, param, value):
    from tests.factories import StaffFactory

    staff = token_client(StaffFactory(is_superuser=True))

    response = staff.get(url, {param: value})

    assert response.status_code == 400, response.json()
    assert param in response.json()["fields"]


def test_availability_quantity_in_other_digits_is_400(api_client):
    product = stocked_product(quantity=10)

    response = api_client.get(f"/api/v1/products/{product.pk}/availability/", {"quantity": "\u0663"})

    assert response.status_code == 400
