"""cart_set_lines: a whole cart replaced at once, checked as adding one line is, recorded as the one-line commands are."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from commerce.audit.models import DomainEvent
from commerce.catalog.errors import InvalidQuantity, ProductInactive, ProductNotFound
from commerce.catalog.services import product_update
from commerce.errors import ValidationError
from orders.models import Cart, CartLine
from orders.selectors import cart_summary
from orders.services import cart as cart_services
from tests.factories import CustomerFactory
from tests.orders.factories import filled_cart, stocked_product

pytestmark = pytest.mark.django_db


def lines_of(cart) -> list[tuple[int, int, Decimal]]:
    return list(CartLine.objects.filter(cart=cart).order_by("product_id").values_list("product_id", "quantity", "seen_unit_price"))


def cart_events(cart) -> list[tuple[str, int, dict]]:
    return [
        (e.event_type, e.version, {k: v for k, v in e.payload.items() if k in ("product_id", "quantity")})
        for e in DomainEvent.objects.filter(stream_type="cart", stream_id=str(cart.pk)).order_by("version")
    ]


def state():
    return (
        list(Cart.objects.order_by("id").values_list("id", "status", "coupon_codes", "updated_at")),
        list(CartLine.objects.order_by("id").values_list("id", "cart_id", "product_id", "quantity", "seen_unit_price")),
        DomainEvent.objects.count(),
    )


def test_set_lines_adds_changes_and_removes_lines_and_records_what_changed():
    milk, bread, eggs, tea = (stocked_product(price=p) for p in ("1.50", "2.20", "3.10", "4.00"))
    cart = filled_cart(CustomerFactory(), [(milk, 1), (bread, 2), (tea, 1)])
    Cart.objects.filter(pk=cart.pk).update(coupon_codes=["SPRING10"])

    result = cart_services.cart_set_lines(cart=cart, lines=[(milk.pk, 4), (eggs.pk, 2), (tea.pk, 1)])

    assert (result.added, result.changed, result.removed) == ([(eggs.pk, 2)], [(milk.pk, 4)], [bread.pk])
    assert lines_of(cart) == sorted([(milk.pk, 4, Decimal("1.50")), (eggs.pk, 2, Decimal("3.10")), (tea.pk, 1, Decimal("4.00"))])
    assert Cart.objects.get(pk=cart.pk).coupon_codes == ["SPRING10"]  # coupons stay
    assert cart_events(cart)[3:] == [
        ("orders.cart.item_removed", 4, {"product_id": bread.pk}),
        ("orders.cart.quantity_changed", 5, {"product_id": milk.pk, "quantity": 4}),
        ("orders.cart.item_added", 6, {"product_id": eggs.pk, "quantity": 2}),
    ]
    removed = DomainEvent.objects.get(stream_type="cart", stream_id=str(cart.pk), version=4)
    assert (removed.customer_id, removed.product_id) == (cart.customer_id, bread.pk)


def test_set_lines_on_an_empty_cart_is_what_adding_each_line_records():
    milk, bread = stocked_product(price="1.50"), stocked_product(price="2.20")
    by_lines = cart_services.cart_get_or_create(customer=CustomerFactory())
    one_by_one = filled_cart(CustomerFactory(), [(milk, 3), (bread, 1)])

    cart_services.cart_set_lines(cart=by_lines, lines=[(milk.pk, 3), (bread.pk, 1)])

    assert lines_of(by_lines) == lines_of(one_by_one)
    assert cart_events(by_lines) == cart_events(one_by_one)
    assert cart_summary(cart=by_lines).total == cart_summary(cart=one_by_one).total


def test_a_kept_line_keeps_the_price_it_was_seen_at_so_a_change_stays_flagged():
    product = stocked_product(price="5.00")
    cart = filled_cart(CustomerFactory(), [(product, 1)])
    product_update(product=product, data={"price_amount": Decimal("6.00")})
    newcomer = stocked_product(price="2.00")

    cart_services.cart_set_lines(cart=cart, lines=[(product.pk, 2), (newcomer.pk, 1)])

    assert lines_of(cart) == [(product.pk, 2, Decimal("5.00")), (newcomer.pk, 1, Decimal("2.00"))]
    assert [line.issues for line in cart_summary(cart=cart).lines] == [["price_changed"], []]


def test_setting_the_same_lines_again_changes_no_line_and_records_nothing():
    milk = stocked_product()
    cart = filled_cart(CustomerFactory(), [(milk, 2)])
    before = (lines_of(cart), cart_events(cart))

    result = cart_services.cart_set_lines(cart=cart, lines=[(milk.pk, 2)])

    assert (result.added, result.changed, result.removed) == ([], [], [])
    assert (lines_of(cart), cart_events(cart)) == before


def test_an_empty_list_removes_every_line_but_keeps_the_cart_and_its_coupons():
    milk, bread = stocked_product(), stocked_product()
    cart = filled_cart(CustomerFactory(), [(milk, 1), (bread, 1)])
    Cart.objects.filter(pk=cart.pk).update(coupon_codes=["SPRING10"])

    result = cart_services.cart_set_lines(cart=cart, lines=[])

    assert sorted(result.removed) == sorted([milk.pk, bread.pk])
    assert lines_of(cart) == []
    assert Cart.objects.get(pk=cart.pk).coupon_codes == ["SPRING10"]
    assert [event for event, _, _ in cart_events(cart)[2:]] == ["orders.cart.item_removed"] * 2


@pytest.mark.parametrize(
    ("lines", "error", "code", "field"),
    [
        (lambda p, q: [(p.pk, 1), (q.pk, 0)], InvalidQuantity, "invalid_quantity", "lines[1].quantity"),
        (lambda p, q: [(p.pk, 10_001)], InvalidQuantity, "invalid_quantity", "lines[0].quantity"),
        (lambda p, q: [(p.pk, "2")], InvalidQuantity, "invalid_quantity", "lines[0].quantity"),
        (lambda p, q: [(p.pk, True)], InvalidQuantity, "invalid_quantity", "lines[0].quantity"),
        (lambda p, q: [(p.pk, 1), (q.pk, 1), (p.pk, 2)], ValidationError, "duplicate_product", "lines[2].product_id"),
        (lambda p, q: [(p.pk, 1), (987_654, 1)], ProductNotFound, "product_not_found", "lines[1].product_id"),
        (lambda p, q: [(q.pk, 1), (p.pk, 1)], ProductInactive, "product_inactive", "lines[1].product_id"),
    ],
)
def test_a_bad_line_refuses_the_whole_request_and_changes_nothing(lines, error, code, field):
    kept, other = stocked_product(), stocked_product()
    cart = filled_cart(CustomerFactory(), [(kept, 1)])
    if code == "product_inactive":
        product_update(product=kept, data={"is_active": False})
    before = state()

    with pytest.raises(error) as refused:
        cart_services.cart_set_lines(cart=cart, lines=lines(kept, other))

    assert (refused.value.code, list(refused.value.fields)) == (code, [field])
    assert state() == before


def test_more_lines_than_a_cart_may_hold_are_refused():
    cart = cart_services.cart_get_or_create(customer=CustomerFactory())
    lines = [(product_id, 1) for product_id in range(1, cart_services.MAX_CART_LINES + 2)]

    with pytest.raises(ValidationError) as refused:
        cart_services.cart_set_lines(cart=cart, lines=lines)

    assert refused.value.code == "too_many_lines"
    assert lines_of(cart) == []


def test_a_refusal_leaves_the_callers_transaction_usable():
    cart = filled_cart(CustomerFactory(), [(stocked_product(), 1)])

    with transaction.atomic():
        with pytest.raises(ProductNotFound):
            cart_services.cart_set_lines(cart=cart, lines=[(987_654, 1)])
        assert CartLine.objects.filter(cart=cart).count() == 1  # still usable: the refusal was rolled back alone


def _set_lines_queries(lines: int) -> int:
    products = [stocked_product() for _ in range(lines)]
    cart = filled_cart(CustomerFactory(), [(products[0], 1)])  # one kept, the rest new, one removed
    removed = stocked_product()
    cart_services.cart_add_item(cart=cart, product_id=removed.pk, quantity=1)
    wanted = [(products[0].pk, 2)] + [(p.pk, 1) for p in products[1:]]
    with CaptureQueriesContext(connection) as queries:
        cart_services.cart_set_lines(cart=cart, lines=wanted)
    assert len(lines_of(cart)) == lines
    return len(queries)


def test_set_lines_query_count_does_not_grow_with_the_number_of_lines():
    assert _set_lines_queries(2) == _set_lines_queries(12)


def test_set_lines_opens_its_span(spans):
    cart = cart_services.cart_get_or_create(customer=CustomerFactory())

    cart_services.cart_set_lines(cart=cart, lines=[(stocked_product().pk, 1)])

    span = next(s for s in spans.get_finished_spans() if s.name == "commerce.cart.set_lines")
    assert (span.attributes["cart.id"], span.attributes["cart.lines"]) == (cart.pk, 1)
