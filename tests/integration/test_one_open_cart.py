"""One open cart and one default address per customer on MariaDB: concurrent first requests with
real threads, each on its own connection, and the database's own refusal of a second one."""

from collections import Counter

import pytest
from django.core import checks
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from commerce.accounts import services as account_services
from commerce.accounts.models import Address
from orders import selectors
from orders.models import Cart, CartLine, Order
from orders.services.cart import cart_get_or_create
from orders.services.checkout import order_create_from_cart
from tests.factories import CustomerFactory
from tests.integration.concurrency import run_in_threads
from tests.orders.factories import customer_with_address, stocked_product

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ADDRESS = {"recipient": "Ada", "street": "1 Rue", "city": "Lyon", "zip_code": "69001", "country": "FR"}


def test_the_database_backend_keeps_every_constraint_of_the_models():
    """No model constraint is silently dropped by the backend (W036 conditional unique, W037
    expressions, W038 deferrable, W039 covering, W027 check constraints)."""
    assert connection.vendor == "mysql"
    dropped = [m for m in checks.run_checks(databases=["default"]) if m.id.startswith("models.W0")]
    assert dropped == []


def test_ten_parallel_first_adds_through_the_api_make_one_open_cart_holding_every_line():
    customer, _ = customer_with_address()
    token = Token.objects.create(user=customer).key
    products = [stocked_product() for _ in range(10)]

    def add(product):
        def job():
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            response = client.post("/api/v1/cart/items/", {"product_id": product.pk, "quantity": 1}, format="json")
            return response.status_code
        return job

    outcomes = run_in_threads([add(p) for p in products])

    assert Counter(outcomes) == {("ok", 200): 10}, outcomes
    carts = Cart.objects.filter(customer=customer)
    assert carts.count() == 1 and carts.get().status == Cart.Status.OPEN
    cart = carts.get()
    assert cart.open_for_id == customer.pk
    assert set(CartLine.objects.filter(cart=cart).values_list("product_id", flat=True)) == {p.pk for p in products}


def test_after_checking_out_the_raced_cart_no_older_cart_comes_back():
    customer, address = customer_with_address()
    product = stocked_product()

    outcomes = run_in_threads([lambda: cart_get_or_create(customer=customer).pk for _ in range(10)])

    assert len({value for kind, value in outcomes}) == 1, outcomes  # every request got the same cart
    cart = Cart.objects.get(customer=customer)
    CartLine.objects.create(cart=cart, product=product, quantity=1, seen_unit_price=product.price_amount)
    order = order_create_from_cart(customer=customer, address_id=address.pk, payment_method="card")

    assert selectors.cart_find(customer=customer) is None
    assert not Cart.objects.filter(customer=customer, status=Cart.Status.OPEN).exists()
    fresh = cart_get_or_create(customer=customer)
    assert fresh.pk != cart.pk and not fresh.lines.exists()
    with pytest.raises(Exception) as refused:  # the checked-out cart cannot be checked out again
        order_create_from_cart(customer=customer, cart=cart, address_id=address.pk, payment_method="card")
    assert refused.value.code == "cart_not_found"
    assert list(Order.objects.filter(customer=customer)) == [order]


def test_concurrently_choosing_the_default_address_leaves_exactly_one():
    customer = CustomerFactory()
    addresses = [account_services.address_create(customer=customer, **{**ADDRESS, "street": f"{i} Rue"}) for i in range(8)]

    def make_default(address):
        return lambda: account_services.address_update(customer=customer, address_id=address.pk, is_default=True).pk

    outcomes = run_in_threads([make_default(a) for a in addresses])

    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    defaults = Address.objects.filter(customer=customer, is_default=True)
    assert defaults.count() == 1
    assert defaults.get().default_for_id == customer.pk
    assert Address.objects.filter(default_for__isnull=False).count() == 1


def test_concurrent_new_default_addresses_leave_exactly_one_default():
    customer = CustomerFactory()

    def create(index):
        return lambda: account_services.address_create(customer=customer, is_default=index % 2 == 0,
                                                        **{**ADDRESS, "street": f"{index} Quai"}).pk

    outcomes = run_in_threads([create(i) for i in range(8)])

    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert Address.objects.filter(customer=customer).count() == 8
    assert Address.objects.filter(customer=customer, is_default=True).count() == 1


def test_the_migration_keeps_the_newest_open_cart_and_default_address_and_merges_the_rest():
    """Data MariaDB let in before the constraint existed: two open carts and two default addresses."""
    from django.db.migrations.executor import MigrationExecutor

    customer, other = CustomerFactory(), CustomerFactory()
    product, kept_only, moved = stocked_product(), stocked_product(), stocked_product()
    before = [("orders", "0002_cart_customer_status_index"), ("accounts", "0002_groups")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldCart, OldLine, OldAddress = (old.get_model("orders", "Cart"), old.get_model("orders", "CartLine"),
                                    old.get_model("accounts", "Address"))
    older = OldCart.objects.create(customer_id=customer.pk, currency="EUR", coupon_codes=["SPRING10"])
    newer = OldCart.objects.create(customer_id=customer.pk, currency="EUR", coupon_codes=["WELCOME10"])
    alone = OldCart.objects.create(customer_id=other.pk, currency="EUR")
    OldLine.objects.create(cart=older, product_id=product.pk, quantity=2, seen_unit_price="10.00")
    OldLine.objects.create(cart=older, product_id=moved.pk, quantity=1, seen_unit_price="9.00")
    OldLine.objects.create(cart=newer, product_id=product.pk, quantity=3, seen_unit_price="10.00")
    OldLine.objects.create(cart=newer, product_id=kept_only.pk, quantity=1, seen_unit_price="10.00")
    first = OldAddress.objects.create(customer_id=customer.pk, recipient="A", street="1", city="L", zip_code="1",
                                      country="FR", is_default=True)
    second = OldAddress.objects.create(customer_id=customer.pk, recipient="A", street="2", city="L", zip_code="1",
                                       country="FR", is_default=True)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    carts = {cart.pk: cart for cart in Cart.objects.all()}
    assert (carts[newer.pk].status, carts[newer.pk].open_for_id) == (Cart.Status.OPEN, customer.pk)
    assert (carts[older.pk].status, carts[older.pk].open_for_id) == (Cart.Status.MERGED, None)
    assert carts[alone.pk].open_for_id == other.pk
    assert carts[newer.pk].coupon_codes == ["WELCOME10", "SPRING10"]
    lines = {line.product_id: (line.quantity, str(line.seen_unit_price)) for line in CartLine.objects.filter(cart_id=newer.pk)}
    assert lines == {product.pk: (5, "10.00"), kept_only.pk: (1, "10.00"), moved.pk: (1, "9.00")}
    assert not CartLine.objects.filter(cart_id=older.pk).exists()
    defaults = Address.objects.filter(customer=customer, is_default=True)
    assert [(a.pk, a.default_for_id) for a in defaults] == [(second.pk, customer.pk)]
    assert Address.objects.get(pk=first.pk).default_for_id is None
