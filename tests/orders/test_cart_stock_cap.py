"""A cart line never holds more than is in stock: adding or changing a quantity past it is capped
and said so (pages, API), an out-of-stock product is refused, and 0 on the cart page removes."""

import pytest
from django.urls import reverse

from commerce.audit.models import DomainEvent
from commerce.catalog.errors import InsufficientStock
from orders.models import CartLine
from orders.services import cart as cart_services
from tests.factories import CustomerFactory, messages_of
from tests.orders.factories import filled_cart, paid_order, stock_drops, stocked_product

pytestmark = pytest.mark.django_db

CART = reverse("orders:cart")


def _lines(customer):
    return list(CartLine.objects.filter(cart__open_for=customer).values_list("product__name", "quantity"))


def test_adding_more_than_in_stock_caps_the_line_and_records_what_was_added():
    customer = CustomerFactory()
    product = stocked_product(quantity=9)
    cart = cart_services.cart_get_or_create(customer=customer)
    change = cart_services.cart_add_item(cart=cart, product_id=product.pk, quantity=5000)
    assert (change.line.quantity, change.requested, change.capped) == (9, 5000, True)
    again = cart_services.cart_add_item(cart=cart, product_id=product.pk, quantity=1)
    assert (again.line.quantity, again.requested, again.capped) == (9, 10, True)
    added = DomainEvent.objects.filter(event_type="orders.cart.item_added").values_list("payload__quantity", flat=True)
    assert list(added) == [9]  # the second add changed nothing, so recorded nothing


def test_an_out_of_stock_product_is_refused_and_nothing_changes():
    customer = CustomerFactory()
    product = stocked_product(quantity=1)
    stock_drops(product, to=0)
    cart = cart_services.cart_get_or_create(customer=customer)
    with pytest.raises(InsufficientStock, match="out of stock"):
        cart_services.cart_add_item(cart=cart, product_id=product.pk, quantity=1)
    assert _lines(customer) == []


def test_setting_a_quantity_past_stock_caps_it():
    customer = CustomerFactory()
    product = stocked_product(quantity=4)
    cart = filled_cart(customer, [(product, 1)])
    line = CartLine.objects.get(cart=cart)
    change = cart_services.cart_update_quantity(cart=cart, line_id=line.pk, quantity=50)
    assert (change.line.quantity, change.capped) == (4, True)


def test_page_add_past_stock_says_how_many_the_cart_holds(shopper):
    customer = shopper.customer
    product = stocked_product(quantity=9, name="Blue cheese")
    response = shopper.post(reverse("orders:cart_add"), {"product_id": product.pk, "quantity": "5000"})
    assert messages_of(response) == ["Only 9 × Blue cheese are available: your cart now holds 9 (added 9, not 5000)."]
    assert _lines(customer) == [("Blue cheese", 9)]
    page = shopper.get(CART).content.decode()
    assert '<span class="cart-count" id="cart-count">9<' in page


def test_page_update_past_stock_caps_with_a_message(shopper):
    customer = shopper.customer
    product = stocked_product(quantity=9, name="Blue cheese")
    line = CartLine.objects.get(cart=filled_cart(customer, [(product, 2)]))
    response = shopper.post(reverse("orders:cart_update", args=[line.pk]), {"quantity": "5000"})
    assert messages_of(response) == ["Only 9 × Blue cheese are available: the quantity is 9, not 5000."]
    assert _lines(customer) == [("Blue cheese", 9)]


def test_page_update_to_zero_removes_the_line(shopper):
    customer = shopper.customer
    product = stocked_product(quantity=9, name="Blue cheese")
    line = CartLine.objects.get(cart=filled_cart(customer, [(product, 2)]))
    response = shopper.post(reverse("orders:cart_update", args=[line.pk]), {"quantity": "0"})
    assert messages_of(response) == ["The item was removed from your cart."]
    assert _lines(customer) == []


def test_api_add_past_stock_answers_the_capped_cart_with_a_notice(customer, customer_client):
    product = stocked_product(quantity=9)
    body = customer_client.post("/api/v1/cart/items/", {"product_id": product.pk, "quantity": 5000}, format="json").json()
    assert body["lines"][0]["quantity"] == 9 and body["item_count"] == 9
    assert body["notices"] == [{"code": "quantity_capped", "product_id": product.pk, "requested": 5000, "quantity": 9,
                                "message": "Only 9 available: the line holds 9, not 5000."}]
    assert customer_client.get("/api/v1/cart/").json()["notices"] == []


def test_api_add_of_an_out_of_stock_product_is_a_409_and_no_cart(customer, customer_client):
    product = stocked_product(quantity=1)
    stock_drops(product, to=0)
    response = customer_client.post("/api/v1/cart/items/", {"product_id": product.pk, "quantity": 1}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "insufficient_stock")
    assert _lines(customer) == []


def test_reorder_lists_what_came_short_and_what_is_out_of_stock(shopper):
    customer = shopper.customer
    plenty, scarce, gone = stocked_product(quantity=20), stocked_product(quantity=20), stocked_product(quantity=20)
    order = paid_order([(plenty, 2), (scarce, 5), (gone, 1)], customer=customer, address=shopper.address)
    stock_drops(scarce, to=3)
    stock_drops(gone, to=0)
    cart, skipped = cart_services.order_reorder(order=order, customer=customer)
    assert sorted((s["product_id"], s["reason"]) for s in skipped) == sorted(
        [(scarce.pk, "only 3 of 5 available"), (gone.pk, "out of stock")])
    assert dict(CartLine.objects.filter(cart=cart).values_list("product_id", "quantity")) == {plenty.pk: 2, scarce.pk: 3}
