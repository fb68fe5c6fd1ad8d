from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.audit.models import DomainEvent, JourneyStep
from commerce.catalog import inventory
from commerce.catalog.models import StockBatch
from tests.catalog.factories import add_picture
from tests.factories import CustomerFactory, ManufacturerFactory, ProductFactory, category, days_ago, days_ahead, token_client

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/products/"


def receive(product, number, qty, *, expires=None, received=5):
    return inventory.stock_receive(product=product, batch_number=number, quantity=qty, received_at=days_ago(received), expires_on=expires)


def names(response):
    return [row["name"] for row in response.json()["results"]]


def test_product_list_shows_the_fields_a_shopper_needs(api_client):
    dairy = category("Dairy")
    maker = ManufacturerFactory(name="Alpine Farms", slug="alpine-farms")
    milk = ProductFactory(name="Milk", code="MILK-1", category=dairy, manufacturer=maker, price_amount=Decimal("1.49"), is_perishable=True)
    receive(milk, "M1", 12, expires=days_ahead(10))

    response = api_client.get(LIST_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": milk.pk,
            "code": "MILK-1",
            "name": "Milk",
            "slug": milk.slug,
            "price": {"amount": "1.49", "currency": "EUR"},
            "price_now": {"amount": "1.49", "currency": "EUR"},  # no promotion: the regular price
            "was_price": None,
            "offers": [],
            "category": {"id": dairy.pk, "slug": dairy.slug, "name": "Dairy"},
            "manufacturer": {"id": maker.pk, "slug": "alpine-farms", "name": "Alpine Farms"},
            "is_perishable": True,
            "available": None,  # 12 is plenty: a shopper is told "in stock", not the count
            "in_stock": True,
            "url": f"http://testserver/api/v1/products/{milk.pk}/",
            "images": [],
        }
    ]


def test_product_list_hides_inactive_products(api_client):
    ProductFactory(name="Shown")
    ProductFactory(name="Hidden", is_active=False)

    assert names(api_client.get(LIST_URL)) == ["Shown"]


def test_product_list_category_filter_includes_sub_categories(api_client):
    food = category("Food")
    dairy = category("Dairy", parent=food)
    toys = category("Toys")
    ProductFactory(name="Bread", category=food)
    ProductFactory(name="Cheese", category=dairy)
    ProductFactory(name="Ball", category=toys)

    assert names(api_client.get(LIST_URL, {"category": food.slug})) == ["Bread", "Cheese"]
    assert names(api_client.get(LIST_URL, {"category": dairy.slug})) == ["Cheese"]


def test_product_list_unknown_category_is_a_clear_400(api_client):
    response = api_client.get(LIST_URL, {"category": "no-such-category"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "category" in response.json()["fields"]


def test_product_list_manufacturer_filter_takes_slug_or_id(api_client):
    alpine = ManufacturerFactory(slug="alpine")
    ProductFactory(name="Cheese", manufacturer=alpine)
    ProductFactory(name="Ball")

    assert names(api_client.get(LIST_URL, {"manufacturer": "alpine"})) == ["Cheese"]
    assert names(api_client.get(LIST_URL, {"manufacturer": str(alpine.pk)})) == ["Cheese"]
    assert api_client.get(LIST_URL, {"manufacturer": "nobody"}).status_code == 400


@pytest.mark.parametrize("value", ["\u00b9", "\u0663", "\U0001d7d9", "9" * 400, "-1", "0", "1\x00"])
def test_product_list_manufacturer_that_is_not_an_ascii_id_nor_a_slug_is_a_clear_400(api_client, value):
    """'¹'.isdigit() is true but int('¹') fails; '٣' reads as 3; 400 digits overflow the driver: none is an id."""
    ManufacturerFactory(pk=3, slug="three")

    response = api_client.get(LIST_URL, {"manufacturer": value})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "manufacturer" in response.json()["fields"]


def test_product_list_price_range_is_inclusive(api_client):
    for name, price in [("Cheap", "1.00"), ("Mid", "5.00"), ("Dear", "9.50")]:
        ProductFactory(name=name, price_amount=Decimal(price))

    assert names(api_client.get(LIST_URL, {"min_price": "1.00", "max_price": "5"})) == ["Cheap", "Mid"]
    assert names(api_client.get(LIST_URL, {"min_price": "5.01"})) == ["Dear"]


@pytest.mark.parametrize("value", ["abc", "-1", "1.001", "1e400"])
def test_product_list_rejects_a_bad_price(api_client, value):
    response = api_client.get(LIST_URL, {"min_price": value})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "min_price" in response.json()["fields"]


def test_product_list_in_stock_filter_ignores_expired_and_reserved_units(api_client):
    stocked, sold_out, expired = ProductFactory(name="Stocked"), ProductFactory(name="Sold out"), ProductFactory(name="Expired", is_perishable=True)
    receive(stocked, "S1", 3)
    receive(sold_out, "O1", 2)
    inventory.stock_reserve(product=sold_out, quantity=2, reference="order:1")
    receive(expired, "E1", 5, expires=days_ago(1), received=30)
    ProductFactory(name="Never stocked")

    assert names(api_client.get(LIST_URL, {"in_stock": "true"})) == ["Stocked"]
    assert names(api_client.get(LIST_URL, {"in_stock": "false"})) == ["Expired", "Never stocked", "Sold out"]


def test_product_list_text_search_matches_every_word(api_client):
    maker = ManufacturerFactory(name="Alpine Farms")
    ProductFactory(name="Whole milk", manufacturer=maker)
    ProductFactory(name="Oat milk", code="OAT-9")
    ProductFactory(name="Cheddar", description="Aged milk cheese")

    # best match first: the names holding "milk", then the description that does
    assert names(api_client.get(LIST_URL, {"q": "milk"})) == ["Oat milk", "Whole milk", "Cheddar"]
    assert names(api_client.get(LIST_URL, {"q": "milk", "ordering": "name"})) == ["Cheddar", "Oat milk", "Whole milk"]
    assert names(api_client.get(LIST_URL, {"q": "milk alpine"})) == ["Whole milk"]
    assert names(api_client.get(LIST_URL, {"q": "oat-9"})) == ["Oat milk"]


def test_product_list_refuses_an_over_long_search_and_records_nothing(api_client):
    customer = CustomerFactory()
    api_client.force_authenticate(customer)
    ProductFactory(name="Milk")

    response = api_client.get(LIST_URL, {"q": "m" * 201})

    assert response.status_code == 400
    assert response.json()["fields"] == {"q": ["Ensure this value has at most 200 characters (it has 201)."]}
    assert not JourneyStep.objects.exists()


def test_product_list_ordering(api_client):
    first = ProductFactory(name="B", price_amount=Decimal("3"))
    second = ProductFactory(name="A", price_amount=Decimal("1"))
    third = ProductFactory(name="C", price_amount=Decimal("2"))

    assert names(api_client.get(LIST_URL)) == ["A", "B", "C"]
    assert names(api_client.get(LIST_URL, {"ordering": "price"})) == ["A", "C", "B"]
    assert names(api_client.get(LIST_URL, {"ordering": "-price"})) == ["B", "C", "A"]
    ids = [row["id"] for row in api_client.get(LIST_URL, {"ordering": "created_at"}).json()["results"]]
    assert ids == [first.pk, second.pk, third.pk]
    response = api_client.get(LIST_URL, {"ordering": "stock"})
    assert response.status_code == 400
    assert "ordering" in response.json()["fields"]


def test_product_list_paginates_and_caps_the_page_size(api_client):
    for i in range(103):
        ProductFactory(name=f"P{i:03d}")

    page = api_client.get(LIST_URL, {"page_size": 10, "page": 2}).json()
    assert page["count"] == 103
    assert names_of(page) == [f"P{i:03d}" for i in range(10, 20)]
    assert page["next"].endswith("page=3&page_size=10")
    assert len(api_client.get(LIST_URL, {"page_size": 500}).json()["results"]) == 100
    missing = api_client.get(LIST_URL, {"page": 99})
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def names_of(body):
    return [row["name"] for row in body["results"]]


def test_product_list_query_count_does_not_grow_with_page_size(api_client):
    for i in range(110):
        product = ProductFactory(name=f"P{i:03d}", category=category(), manufacturer=ManufacturerFactory())
        if i % 3 == 0:
            receive(product, f"B{i}", 4)
        if i % 10 == 0:
            add_picture(product, width=200, height=150)

    api_client.get(LIST_URL)  # the first request compiles the (no) live promotions for prices and offers, then cached
    with CaptureQueriesContext(connection) as small:
        assert len(api_client.get(LIST_URL, {"page_size": 10}).json()["results"]) == 10
    with CaptureQueriesContext(connection) as large:
        assert len(api_client.get(LIST_URL, {"page_size": 100}).json()["results"]) == 100
    with CaptureQueriesContext(connection) as filtered:
        api_client.get(LIST_URL, {"page_size": 100, "in_stock": "true", "ordering": "-price"})

    assert len(small) == len(large) == len(filtered) == 3  # the count, the page and the page's pictures


def test_product_detail_shows_manufacturer_content_and_availability(api_client):
    maker = ManufacturerFactory(
        name="Alpine Farms",
        description="Family dairy.",
        website="https://alpine.example.com",
        support_email="help@alpine.example.com",
        support_phone="+33 4 00",
    )
    product = ProductFactory(manufacturer=maker, description="Fresh.", weight_kg=Decimal("1.03"), volume_l=Decimal("1"))
    receive(product, "D1", 7)

    response = api_client.get(f"/api/v1/products/{product.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["description"] == "Fresh."
    assert body["weight_kg"] == "1.030"
    assert body["volume_l"] == "1.000"
    assert body["available"] is None  # plenty: the count is for staff
    assert body["in_stock"] is True
    assert body["manufacturer"] == {
        "id": maker.pk,
        "slug": maker.slug,
        "name": "Alpine Farms",
        "description": "Family dairy.",
        "website": "https://alpine.example.com",
        "support_email": "help@alpine.example.com",
        "support_phone": "+33 4 00",
    }


@pytest.mark.parametrize("inactive", [True, False])
def test_product_detail_unknown_or_inactive_is_404(api_client, inactive):
    product_id = ProductFactory(is_active=False).pk if inactive else 999_999
    events_before = (DomainEvent.objects.count(), JourneyStep.objects.count())

    response = api_client.get(f"/api/v1/products/{product_id}/")

    assert response.status_code == 404
    assert response.json() == {"code": "product_not_found", "detail": "No such product.", "fields": {}}
    assert (DomainEvent.objects.count(), JourneyStep.objects.count()) == events_before


def test_product_detail_records_a_product_view_for_a_token_client():
    customer = CustomerFactory()
    api_client = token_client(customer)
    product = ProductFactory()

    assert api_client.get(f"/api/v1/products/{product.pk}/").status_code == 200
    assert api_client.get(LIST_URL, {"q": "product"}).status_code == 200

    steps = list(JourneyStep.objects.filter(customer_id=customer.pk).values_list("action", "product_id", "channel"))
    assert steps == [("product_view", product.pk, "api"), ("product_search", None, "api")]


def test_product_detail_by_an_anonymous_client_without_session_records_nothing(api_client):
    product = ProductFactory()

    assert api_client.get(f"/api/v1/products/{product.pk}/").status_code == 200
    assert not JourneyStep.objects.exists()


def test_product_availability_answers_for_the_quantity(api_client):
    product = ProductFactory()
    receive(product, "A1", 5)

    enough = api_client.get(f"/api/v1/products/{product.pk}/availability/", {"quantity": 5})
    too_many = api_client.get(f"/api/v1/products/{product.pk}/availability/", {"quantity": 6})

    assert enough.json() == {"product_id": product.pk, "requested": 5, "available": 5, "is_available": True}
    assert too_many.status_code == 200
    assert too_many.json()["is_available"] is False
    assert api_client.get(f"/api/v1/products/{product.pk}/availability/").json()["requested"] == 1


@pytest.mark.parametrize("quantity", ["0", "-3", "1.5", "two", "10001", "99999999999999999999999"])
def test_product_availability_rejects_a_bad_quantity_and_changes_nothing(api_client, quantity):
    product = ProductFactory()
    receive(product, "A1", 5)
    events_before = (DomainEvent.objects.count(), JourneyStep.objects.count())

    response = api_client.get(f"/api/v1/products/{product.pk}/availability/", {"quantity": quantity})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_quantity"
    assert list(body["fields"]) == ["quantity"]
    assert (DomainEvent.objects.count(), JourneyStep.objects.count()) == events_before
    assert StockBatch.objects.get(batch_number="A1").quantity_reserved == 0


def test_product_availability_of_an_unknown_or_inactive_product_is_404(api_client):
    inactive = ProductFactory(is_active=False)

    for product_id in (inactive.pk, 999_999):
        response = api_client.get(f"/api/v1/products/{product_id}/availability/", {"quantity": 1})
        assert response.status_code == 404
        assert response.json()["code"] == "product_not_found"


def test_category_list_is_the_tree_in_one_query(api_client):
    food = category("Food")
    dairy = category("Dairy", parent=food)
    cheese = category("Cheese", parent=dairy)
    toys = category("Toys")

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/categories/")

    assert response.status_code == 200
    assert len(queries) == 1
    rows = [(row["name"], row["depth"], row["parent_id"]) for row in response.json()]
    assert rows == [("Food", 1, None), ("Dairy", 2, food.pk), ("Cheese", 3, dairy.pk), ("Toys", 1, None)]
    assert {row["id"] for row in response.json()} == {food.pk, dairy.pk, cheese.pk, toys.pk}


def test_catalog_is_read_only(api_client):
    product = ProductFactory()
    customer = CustomerFactory()
    api_client.force_authenticate(customer)

    response = api_client.post(LIST_URL, {"name": "Sneaky"}, format="json")
    deleted = api_client.delete(f"/api/v1/products/{product.pk}/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert deleted.status_code == 405
    assert ProductFactory._meta.model.objects.count() == 1


def test_shoppers_see_the_count_only_when_few_are_left_and_staff_always(api_client, customer_client, merchandiser):
    plenty, few = ProductFactory(name="Plenty"), ProductFactory(name="Few")
    receive(plenty, "P1", 126)
    receive(few, "F1", 3)

    def seen(client):
        listed = {row["name"]: row["available"] for row in client.get(LIST_URL).json()["results"]}
        detail = client.get(f"/api/v1/products/{plenty.pk}/").json()["available"]
        asked = client.get(f"/api/v1/products/{plenty.pk}/availability/", {"quantity": 2}).json()
        return listed, detail, (asked["available"], asked["is_available"])

    assert seen(api_client) == seen(customer_client) == ({"Plenty": None, "Few": 3}, None, (None, True))
    assert seen(merchandiser) == ({"Plenty": 126, "Few": 3}, 126, (126, True))
