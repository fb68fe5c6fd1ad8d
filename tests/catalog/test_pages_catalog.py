"""The shop's catalog pages, through the test client."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commerce.audit.models import JourneyStep
from commerce.catalog import inventory
from commerce.catalog.services import manufacturer_create
from tests.factories import ManufacturerFactory, ProductFactory, category, days_ago, days_ahead

pytestmark = pytest.mark.django_db

LIST_URL = reverse("catalog:product_list")


def stocked(quantity: int, **fields):
    product = ProductFactory(**fields)
    if quantity:
        inventory.stock_receive(
            product=product,
            batch_number=f"B-{product.code}",
            quantity=quantity,
            expires_on=days_ahead(30) if product.is_perishable else None,
        )
    return product


def names(response) -> list[str]:
    return [p.name for p in response.context["products"]]


def search_events():
    return JourneyStep.objects.filter(action="product_search")


# --- list: cards --------------------------------------------------------------------------------
def test_product_list_card_shows_name_maker_price_and_availability(client):
    maker = ManufacturerFactory(name="Alpine Dairy")
    stocked(40, name="Comte", manufacturer=maker, price_amount=Decimal("1234.5"))
    stocked(3, name="Reblochon")
    stocked(0, name="Milk")

    response = client.get(LIST_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Comte" in html and "Alpine Dairy" in html
    assert "1,234.50 EUR" in html  # formatted from Money
    assert "In stock" in html
    assert "Only 3 left" in html
    assert "Out of stock" in html
    filters = html.split("<main")[1].split('class="product-grid')[0]
    assert 'name="csrfmiddlewaretoken"' not in filters  # the GET filter form needs none (the cards' add-to-cart forms do)


def test_product_list_hides_inactive_products(client):
    stocked(5, name="Visible")
    stocked(5, name="Retired", is_active=False)

    response = client.get(LIST_URL)

    assert names(response) == ["Visible"]


def test_product_list_does_not_count_expired_batches_as_stock(client):
    product = ProductFactory(name="Yoghurt", is_perishable=True)
    inventory.stock_receive(product=product, batch_number="OLD", quantity=9, received_at=days_ago(30), expires_on=days_ago(1))

    response = client.get(LIST_URL, {"in_stock": "on"})

    assert names(response) == []
    assert "Out of stock" in client.get(LIST_URL).content.decode()


# --- list: search and journey -------------------------------------------------------------------
def test_product_list_search_finds_by_name_and_records_the_search(client):
    stocked(5, name="Espresso beans")
    stocked(5, name="Espresso cups")
    stocked(5, name="Green tea")

    response = client.get(LIST_URL, {"q": "espresso"})

    assert sorted(names(response)) == ["Espresso beans", "Espresso cups"]
    event = search_events().get()
    assert event.payload == {"query": "espresso", "results": 2}
    assert event.session_id  # the shopper's session, created for the journey


def test_product_list_search_records_the_customer_when_logged_in(client):
    from tests.factories import CustomerFactory

    customer = CustomerFactory()
    client.force_login(customer)
    stocked(5, name="Espresso beans")

    client.get(LIST_URL, {"q": "espresso"})

    assert search_events().get().customer_id == customer.pk


def test_product_list_without_query_records_no_search(client):
    stocked(5)

    client.get(LIST_URL)
    client.get(LIST_URL, {"q": "   "})

    assert not search_events().exists()


def test_product_list_next_page_of_a_search_is_not_another_search(client):
    for i in range(15):
        stocked(1, name=f"Tea {i:02d}")

    client.get(LIST_URL, {"q": "tea", "per_page": "12"})
    response = client.get(LIST_URL, {"q": "tea", "per_page": "12", "page": "2"})

    assert len(names(response)) == 3
    assert search_events().count() == 1
    assert search_events().get().payload == {"query": "tea", "results": 15}


def test_product_list_search_with_no_results_says_so(client):
    stocked(5, name="Coffee")

    response = client.get(LIST_URL, {"q": "unicorn"})

    assert names(response) == []
    assert "No products match" in response.content.decode()
    assert search_events().get().payload == {"query": "unicorn", "results": 0}


# --- list: filters, ordering, pagination -----------------------------------------------------------
def test_product_list_filters_by_category_including_sub_categories(client):
    food = category("Food")
    dairy = category("Dairy", parent=food)
    home = category("Home")
    stocked(1, name="Bread", category=food)
    stocked(1, name="Cheese", category=dairy)
    stocked(1, name="Lamp", category=home)

    by_param = client.get(LIST_URL, {"category": food.slug})
    by_page = client.get(reverse("catalog:category", kwargs={"slug": food.slug}))

    assert sorted(names(by_param)) == ["Bread", "Cheese"]
    assert sorted(names(by_page)) == ["Bread", "Cheese"]
    html = by_page.content.decode()
    assert "Dairy" in html  # the open branch of the category tree shows its children
    assert by_page.context["trail"] == [food]


def test_category_page_shows_breadcrumb_of_ancestors(client):
    food = category("Food")
    dairy = category("Dairy", parent=food)
    cheese = category("Cheese", parent=dairy)
    stocked(1, name="Comte", category=cheese)

    response = client.get(reverse("catalog:category", kwargs={"slug": cheese.slug}))

    assert response.context["trail"] == [food, dairy, cheese]
    assert names(response) == ["Comte"]
    assert reverse("catalog:category", kwargs={"slug": dairy.slug}) in response.content.decode()


def test_category_page_of_unknown_category_is_404(client):
    response = client.get(reverse("catalog:category", kwargs={"slug": "no-such-thing"}))

    assert response.status_code == 404


def test_product_list_filters_by_manufacturer_price_and_stock(client):
    acme = manufacturer_create(name="Acme")
    other = ManufacturerFactory()
    stocked(5, name="Cheap Acme", manufacturer=acme, price_amount=Decimal("5.00"))
    stocked(5, name="Dear Acme", manufacturer=acme, price_amount=Decimal("50.00"))
    stocked(0, name="Sold out Acme", manufacturer=acme, price_amount=Decimal("20.00"))
    stocked(5, name="Other", manufacturer=other, price_amount=Decimal("20.00"))

    assert sorted(names(client.get(LIST_URL, {"manufacturer": "acme"}))) == ["Cheap Acme", "Dear Acme", "Sold out Acme"]
    assert names(client.get(LIST_URL, {"min_price": "10", "max_price": "30", "manufacturer": "acme"})) == ["Sold out Acme"]
    assert sorted(names(client.get(LIST_URL, {"manufacturer": "acme", "in_stock": "on"}))) == ["Cheap Acme", "Dear Acme"]


def test_product_list_orders_by_name_price_and_newest(client):
    stocked(1, name="Banana", price_amount=Decimal("2.00"))
    stocked(1, name="Apple", price_amount=Decimal("3.00"))
    stocked(1, name="Cherry", price_amount=Decimal("1.00"))

    assert names(client.get(LIST_URL)) == ["Apple", "Banana", "Cherry"]
    assert names(client.get(LIST_URL, {"sort": "price"})) == ["Cherry", "Banana", "Apple"]
    assert names(client.get(LIST_URL, {"sort": "-price"})) == ["Apple", "Banana", "Cherry"]
    assert names(client.get(LIST_URL, {"sort": "newest"})) == ["Cherry", "Apple", "Banana"]


def test_product_list_paginates_and_keeps_the_filters_in_page_links(client):
    for i in range(30):
        stocked(1, name=f"Item {i:02d}")

    first = client.get(LIST_URL, {"per_page": "12", "sort": "-price"})
    last = client.get(LIST_URL, {"per_page": "12", "page": "3"})

    assert len(names(first)) == 12
    assert first.context["result_count"] == 30
    assert "per_page=12&amp;sort=-price&amp;page=2" in first.content.decode()
    assert names(last) == [f"Item {i:02d}" for i in range(24, 30)]


def test_product_list_query_count_does_not_grow_with_page_size(client, django_assert_max_num_queries):
    food = category("Food")
    for i in range(48):
        stocked(2, name=f"Item {i:02d}", category=category(f"Sub {i}", parent=food) if i % 8 == 0 else food)

    client.get(LIST_URL, {"q": "warm"})  # builds the search vocabulary (two queries, then cached)
    with CaptureQueriesContext(connection) as small:
        response = client.get(LIST_URL, {"per_page": "12", "q": "item"})
    assert len(names(response)) == 12
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST_URL, {"per_page": "48", "q": "item"})
    assert len(names(response)) == 48
    # a handful in all: navigation, categories, manufacturers, count, page, the journey row and its session,
    # and the product badges (one query while no automatic promotion is live)
    statements = [q for q in small.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) <= 11


# --- list: bad input --------------------------------------------------------------------------------
def test_product_list_with_bad_filters_shows_the_errors_and_applies_only_the_good_ones(client):
    stocked(5, name="Cheap", price_amount=Decimal("5.00"))
    stocked(5, name="Dear", price_amount=Decimal("50.00"))

    response = client.get(LIST_URL, {"min_price": "abc", "max_price": "10", "sort": "sideways", "category": "nope"})

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"min_price", "sort", "category"}
    assert names(response) == ["Cheap"]  # max_price was valid and applied
    html = response.content.decode()
    assert "Some filters were not applied" in html
    assert "Enter a number." in html


def test_product_list_rejects_min_price_above_max_price(client):
    stocked(5, name="Cheap", price_amount=Decimal("5.00"))

    response = client.get(LIST_URL, {"min_price": "20", "max_price": "10"})

    assert "max_price" in response.context["form"].errors
    assert names(response) == []  # min_price stays applied: nothing costs 20 or more


def test_product_list_rejects_negative_price_and_over_long_search_without_recording_it(client):
    stocked(5, name="Tea")

    response = client.get(LIST_URL, {"q": "t" * 101, "min_price": "-1"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"q", "min_price"}
    assert names(response) == ["Tea"]
    assert not search_events().exists()


def test_product_list_with_a_page_out_of_range_shows_the_last_page(client):
    stocked(1, name="Only")

    response = client.get(LIST_URL, {"page": "99"})
    garbage = client.get(LIST_URL, {"page": "x", "per_page": "1000"})

    assert names(response) == ["Only"]
    assert names(garbage) == ["Only"]
    assert "per_page" in garbage.context["form"].errors


# --- detail -------------------------------------------------------------------------------------
def test_product_detail_shows_everything_a_shopper_needs(client):
    food = category("Food")
    dairy = category("Dairy", parent=food)
    maker = manufacturer_create(
        name="Alpine Dairy",
        description="Cheesemakers since 1921.",
        website="https://alpine.example.com",
        support_email="care@alpine.example.com",
        support_phone="+33 4 79 00 00 00",
    )
    product = ProductFactory(
        name="Comte 18 months",
        code="CHE-0001",
        category=dairy,
        manufacturer=maker,
        price_amount=Decimal("12.90"),
        is_perishable=True,
        weight_kg=Decimal("1.250"),
        volume_l=Decimal("2.000"),
    )
    inventory.stock_receive(product=product, batch_number="B1", quantity=40, expires_on=days_ahead(20))
    inventory.stock_receive(product=product, batch_number="GONE", quantity=7, received_at=days_ago(40), expires_on=days_ago(2))
    inventory.stock_reserve(product=product, quantity=5, reference="order:1")

    response = client.get(product.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Comte 18 months", "CHE-0001", "12.90 EUR", "Cheesemakers since 1921.", "https://alpine.example.com",
        "care@alpine.example.com", "+33 4 79 00 00 00", "In stock", "Perishable", "1.25 kg", "2 l",
    ):
        assert text in html, text
    assert response.context["trail"] == [food, dairy]
    assert reverse("catalog:category", kwargs={"slug": food.slug}) in html


def test_product_detail_low_and_out_of_stock(client):
    low = stocked(2, name="Rare")
    gone = stocked(0, name="Gone")

    assert "Only 2 left" in client.get(low.get_absolute_url()).content.decode()
    html = client.get(gone.get_absolute_url()).content.decode()
    assert "Out of stock" in html and "units available" not in html


def test_product_detail_records_a_product_view(client):
    product = stocked(3)

    client.get(product.get_absolute_url())

    event = JourneyStep.objects.get(action="product_view")
    assert event.product_id == product.pk
    assert event.session_id


def test_product_detail_of_inactive_or_unknown_product_is_404_and_records_nothing(client):
    retired = stocked(3, is_active=False)

    assert client.get(retired.get_absolute_url()).status_code == 404
    assert client.get(reverse("catalog:product_detail", kwargs={"slug": "no-such-product"})).status_code == 404
    assert not JourneyStep.objects.filter(action="product_view").exists()


def test_product_list_links_to_product_pages(client):
    product = stocked(3, name="Linked")

    html = client.get(LIST_URL).content.decode()

    assert f'href="{product.get_absolute_url()}"' in html


def test_the_product_page_tells_shoppers_only_few_left_and_staff_the_count(client, admin_merchandiser):
    plenty = stocked(126, name="Plenty")
    few = stocked(3, name="Few")
    client.logout()

    shopper_plenty = client.get(plenty.get_absolute_url()).content.decode()
    shopper_few = client.get(few.get_absolute_url()).content.decode()

    assert "126" not in shopper_plenty and "In stock" in shopper_plenty
    assert 'max="10000"' in shopper_plenty  # the quantity field does not give the count away
    assert "Only 3 left" in shopper_few and 'max="3"' in shopper_few
    client.force_login(admin_merchandiser)
    staff = client.get(plenty.get_absolute_url()).content.decode()
    assert "126 units available (shown to staff)" in staff and 'max="126"' in staff
