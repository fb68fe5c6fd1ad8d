"""The database itself keeps one open cart and one default address per customer (every backend)."""

import pytest
from django.db import IntegrityError, transaction

from commerce.accounts.models import Address
from orders.models import Cart
from tests.factories import AddressFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_second_open_cart_of_a_customer_is_refused_by_the_database():
    customer = CustomerFactory()
    Cart.objects.create(customer=customer, open_for=customer)

    with pytest.raises(IntegrityError), transaction.atomic():
        Cart.objects.create(customer=customer, open_for=customer)


def test_an_open_customer_cart_without_its_open_for_is_refused_by_the_database():
    customer = CustomerFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Cart.objects.create(customer=customer)  # open, but not marked as the customer's open cart


def test_a_closed_cart_that_still_claims_to_be_open_is_refused_by_the_database():
    customer = CustomerFactory()
    cart = Cart.objects.create(customer=customer, open_for=customer)

    with pytest.raises(IntegrityError), transaction.atomic():
        Cart.objects.filter(pk=cart.pk).update(status=Cart.Status.CHECKED_OUT)


def test_closed_carts_and_guest_carts_are_many():
    customer = CustomerFactory()
    for _ in range(3):
        Cart.objects.create(customer=customer, status=Cart.Status.CHECKED_OUT)
        Cart.objects.create(session_key="guest-session")
    Cart.objects.create(customer=customer, open_for=customer)

    assert Cart.objects.count() == 7


def test_a_second_default_address_is_refused_by_the_database():
    customer = CustomerFactory()
    AddressFactory(customer=customer, is_default=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        AddressFactory(customer=customer, is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Address.objects.filter(customer=customer).update(is_default=False)  # default_for still says default
    assert Address.objects.filter(customer=customer, default_for=customer).count() == 1
