from decimal import Decimal

import pytest

from commerce.catalog.errors import InvalidQuantity, ProductInactive, ProductNotFound
from commerce.catalog.services import product_update
from orders.errors import CartLineNotFound, CouponRejected
from orders.models import Cart
from orders.selectors import cart_summary
from orders.services import cart as cart_services
from tests.factories import CustomerFactory
from tests.orders.factories import filled_cart, stock_drops, stocked_product

pytestmark = pytest.mark.django_db


def test_cart_summary_prices_lines_and_shipping():
    customer = CustomerFactory()
    cheap, dear = stocked_product(price="3.50"), stocked_product(price="12.00")
    cart = filled_cart(customer, [(cheap, 2), (dear, 1), (cheap, 1)])

    summary = cart_summary(cart=cart)

    assert [(line.product_id, line.quantity) for line in summary.lines] == [(cheap.pk, 3), (dear.pk, 1)]
    assert summary.subtotal.amount == Decimal("22.50")
    assert summary.shipping.amount == Decimal("4.90")
    assert summary.total.amount == Decimal("27.40")
    assert not summary.has_issues


def test_free_shipping_over_threshold():
    cart = filled_cart(CustomerFactory(), [(stocked_product(price="50.00"), 1)])
    assert cart_summary(cart=cart).shipping.amount == Decimal("0.00")


def test_price_change_and_shortfall_are_flagged_not_hidden():
    product = stocked_product(quantity=3, price="5.00")
    cart = filled_cart(CustomerFactory(), [(product, 3)])
    stock_drops(product, to=2)
    product_update(product=product, data={"price_amount": Decimal("6.00")})

    line = cart_summary(cart=cart).lines[0]

    assert line.issues == ["price_changed", "insufficient_stock"]
    assert line.seen_unit_price.amount == Decimal("5.00") and line.unit_price.amount == Decimal("6.00")
    cart_services.cart_accept_changes(cart=cart)
    assert cart_summary(cart=cart).lines[0].issues == ["insufficient_stock"]


@pytest.mark.parametrize("quantity", [0, -2, 10_001])
def test_cart_add_refuses_bad_quantities(quantity):
    cart = cart_services.cart_get_or_create(customer=CustomerFactory())
    with pytest.raises(InvalidQuantity):
        cart_services.cart_add_item(cart=cart, product_id=stocked_product().pk, quantity=quantity)
    assert cart.lines.count() == 0


def test_cart_add_refuses_unknown_and_inactive_products():
    cart = cart_services.cart_get_or_create(customer=CustomerFactory())
    with pytest.raises(ProductNotFound):
        cart_services.cart_add_item(cart=cart, product_id=987654, quantity=1)
    with pytest.raises(ProductInactive):
        cart_services.cart_add_item(cart=cart, product_id=stocked_product(is_active=False).pk, quantity=1)


def test_cart_lines_of_another_cart_are_not_found():
    mine = filled_cart(CustomerFactory(), [(stocked_product(), 1)])
    theirs = filled_cart(CustomerFactory(), [(stocked_product(), 1)])
    other_line = theirs.lines.get()
    with pytest.raises(CartLineNotFound):
        cart_services.cart_update_quantity(cart=mine, line_id=other_line.pk, quantity=5)
    with pytest.raises(CartLineNotFound):
        cart_services.cart_remove_item(cart=mine, line_id=other_line.pk)
    other_line.refresh_from_db()
    assert other_line.quantity == 1


def test_coupon_is_refused_until_promotions_exist():
    cart = filled_cart(CustomerFactory(), [(stocked_product(), 1)])
    with pytest.raises(CouponRejected) as err:
        cart_services.cart_apply_coupon(cart=cart, code="WELCOME10")
    assert err.value.code == "coupon_unknown"
    assert Cart.objects.get(pk=cart.pk).coupon_codes == []


def test_session_cart_merges_into_customer_cart_respecting_stock():
    scarce, plenty = stocked_product(quantity=4), stocked_product(quantity=50)
    customer = CustomerFactory()
    filled_cart(customer, [(scarce, 3)])
    guest = cart_services.cart_get_or_create(session_key="sess-1")
    cart_services.cart_add_item(cart=guest, product_id=scarce.pk, quantity=3)
    cart_services.cart_add_item(cart=guest, product_id=plenty.pk, quantity=2)

    merged = cart_services.cart_merge_session(customer=customer, session_key="sess-1")

    quantities = dict(merged.lines.values_list("product_id", "quantity"))
    assert quantities == {scarce.pk: 4, plenty.pk: 2}
    assert Cart.objects.get(pk=guest.pk).status == Cart.Status.MERGED
    assert cart_services.cart_merge_session(customer=customer, session_key="sess-1") is None


def test_reorder_puts_past_items_back_and_lists_what_it_skipped():
    from commerce.catalog.services import product_update
    from orders.errors import OrderNotFound
    from tests.orders.factories import placed_order

    keep, gone = stocked_product(), stocked_product()
    order = placed_order([(keep, 2), (gone, 1)])
    product_update(product=gone, data={"is_active": False})

    cart, skipped = cart_services.order_reorder(order=order, customer=order.customer)

    assert dict(cart.lines.values_list("product_id", "quantity")) == {keep.pk: 2}
    assert skipped == [{"product_id": gone.pk, "code": gone.code, "reason": "no longer for sale"}]
    with pytest.raises(OrderNotFound):
        cart_services.order_reorder(order=order, customer=CustomerFactory())


def test_every_cart_command_opens_its_span(spans):
    customer = CustomerFactory()
    cart = cart_services.cart_get_or_create(customer=customer)
    line = cart_services.cart_add_item(cart=cart, product_id=stocked_product().pk, quantity=1).line
    cart_services.cart_update_quantity(cart=cart, line_id=line.pk, quantity=2)
    cart_services.cart_remove_item(cart=cart, line_id=line.pk)
    cart_services.cart_clear(cart=cart)
    names = {s.name for s in spans.get_finished_spans()}
    assert {"commerce.cart.create", "commerce.cart.add_item", "commerce.cart.update_quantity",
            "commerce.cart.remove_item", "commerce.cart.clear"} <= names
