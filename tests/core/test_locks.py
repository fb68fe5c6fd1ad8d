"""The lock helper: rows locked in id order, kinds in the lock order, and every lock taken through it."""

import ast
from pathlib import Path

import pytest
from django.db import transaction

from commerce import locks
from commerce.accounts.models import CustomerProfile, SalesRegion, User
from commerce.locks import Kind, LockOrderViolation, held, inserted, lock, lock_get, lock_one
from tests.factories import CustomerFactory, SalesRegionFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_lock_returns_the_rows_in_id_order_and_records_them():
    customers = [CustomerFactory() for _ in range(3)]
    with transaction.atomic():
        rows = lock(Kind.CUSTOMER, User.objects.filter(pk__in=[c.pk for c in customers]).order_by("-pk"))
        assert [r.pk for r in rows] == sorted(c.pk for c in customers)
        assert held() == {Kind.CUSTOMER: {c.pk for c in customers}}


def test_lock_one_and_lock_get_answer_like_first_and_get():
    customer = CustomerFactory()
    with transaction.atomic():
        assert lock_one(Kind.CUSTOMER, User.objects.filter(pk=customer.pk)) == customer
        assert lock_one(Kind.CUSTOMER, User.objects.filter(pk=-1)) is None
        assert lock_get(Kind.CUSTOMER, User.objects.filter(pk=customer.pk)) == customer
        with pytest.raises(User.DoesNotExist):
            lock_get(Kind.CUSTOMER, User.objects.filter(pk=-1))


def test_a_kind_ranked_earlier_locked_after_a_later_one_is_refused():
    region, customer = SalesRegionFactory(), CustomerFactory()
    with pytest.raises(LockOrderViolation, match="SALES_REGION locked after CUSTOMER"), transaction.atomic():
        lock(Kind.CUSTOMER, User.objects.filter(pk=customer.pk))
        lock(Kind.SALES_REGION, SalesRegion.objects.filter(pk=region.pk))


def test_kinds_taken_in_rank_order_are_accepted():
    region, customer = SalesRegionFactory(), CustomerFactory()
    with transaction.atomic():
        lock(Kind.SALES_REGION, SalesRegion.objects.filter(pk=region.pk))
        lock(Kind.CUSTOMER, User.objects.filter(pk=customer.pk))
        assert set(held()) == {Kind.SALES_REGION, Kind.CUSTOMER}


def test_more_rows_of_a_held_kind_with_a_lower_id_are_refused():
    first, second = CustomerFactory(), CustomerFactory()
    with pytest.raises(LockOrderViolation, match="in one call, in id order"), transaction.atomic():
        lock(Kind.CUSTOMER, User.objects.filter(pk=second.pk))
        lock(Kind.CUSTOMER, User.objects.filter(pk=first.pk))


def test_rows_already_held_or_with_higher_ids_may_be_locked_again():
    first, second = CustomerFactory(), CustomerFactory()
    with transaction.atomic():
        lock(Kind.CUSTOMER, User.objects.filter(pk=first.pk))
        lock(Kind.CUSTOMER, User.objects.filter(pk=first.pk))  # a nested service re-locking its row
        lock(Kind.CUSTOMER, User.objects.filter(pk=second.pk))
        assert held()[Kind.CUSTOMER] == {first.pk, second.pk}


def test_the_record_ends_with_the_transaction_that_took_the_locks():
    region, customer = SalesRegionFactory(), CustomerFactory()
    with transaction.atomic():
        lock(Kind.CUSTOMER, User.objects.filter(pk=customer.pk))
    assert held() == {}
    with transaction.atomic():  # a new transaction: starting from the region again is in order
        lock(Kind.SALES_REGION, SalesRegion.objects.filter(pk=region.pk))


def test_a_nested_block_shares_its_transactions_record():
    region, customer = SalesRegionFactory(), CustomerFactory()
    with pytest.raises(LockOrderViolation), transaction.atomic():
        with transaction.atomic():
            lock(Kind.CUSTOMER, User.objects.filter(pk=customer.pk))
        # the inner block's locks are still held by the transaction
        lock(Kind.SALES_REGION, SalesRegion.objects.filter(pk=region.pk))


def test_without_the_checks_rows_are_locked_unchecked(settings):
    settings.LOCK_ORDER_CHECKS = False
    region, customer = SalesRegionFactory(), CustomerFactory()
    with transaction.atomic():
        lock(Kind.CUSTOMER, User.objects.filter(pk=customer.pk))
        assert lock(Kind.SALES_REGION, SalesRegion.objects.filter(pk=region.pk)) == [region]
        assert held() == {}


def test_rows_held_already_may_be_locked_again_after_a_later_kind():
    region, customer = SalesRegionFactory(), CustomerFactory()
    with transaction.atomic():
        lock(Kind.SALES_REGION, SalesRegion.objects.filter(pk=region.pk))
        lock(Kind.CUSTOMER, User.objects.filter(pk=customer.pk))
        assert lock(Kind.SALES_REGION, SalesRegion.objects.filter(pk=region.pk)) == [region]  # never waits


def test_a_sliced_queryset_must_come_ordered_by_id():
    customers = [CustomerFactory() for _ in range(3)]
    ids = [c.pk for c in customers]
    with transaction.atomic():
        assert [u.pk for u in lock(Kind.CUSTOMER, User.objects.filter(pk__in=ids).order_by("pk")[:2])] == ids[:2]
    with pytest.raises(LockOrderViolation, match="out of id order"), transaction.atomic():
        lock(Kind.CUSTOMER, User.objects.filter(pk__in=ids).order_by("-pk")[:2])


def test_a_join_is_refused_as_it_would_lock_the_joined_rows_too():
    customer = CustomerFactory()
    with pytest.raises(LockOrderViolation, match="select_related"), transaction.atomic():
        lock(Kind.CUSTOMER_PROFILE, CustomerProfile.objects.select_related("user").filter(user=customer))


def test_an_order_summary_is_locked_only_under_its_order():
    from orders.models import Order, OrderSummary
    from tests.orders.factories import placed_order, stocked_product

    order = placed_order([(stocked_product(), 1)])
    summaries = OrderSummary.objects.filter(order_id=order.pk)
    with pytest.raises(LockOrderViolation, match="ORDER_SUMMARY .* without its ORDER"), transaction.atomic():
        lock(Kind.ORDER_SUMMARY, summaries)
    with transaction.atomic():  # under its order it takes no rank: a payment may come before it
        lock(Kind.ORDER, Order.objects.filter(pk=order.pk))
        lock(Kind.PAYMENT, order.payments.all())
        assert [s.order_id for s in lock(Kind.ORDER_SUMMARY, summaries)] == [order.pk]
        lock(Kind.PAYMENT, order.payments.all())
    with transaction.atomic():  # or under an order the transaction inserted
        inserted(Kind.ORDER, [order.pk])
        lock(Kind.ORDER_SUMMARY, summaries)


def test_a_batch_checks_each_command_inside_it_as_its_own_transaction():
    region, customer = SalesRegionFactory(), CustomerFactory()
    with locks.batch():
        with transaction.atomic():
            lock(Kind.CUSTOMER, User.objects.filter(pk=customer.pk))
        with transaction.atomic():
            lock(Kind.SALES_REGION, SalesRegion.objects.filter(pk=region.pk))
    with pytest.raises(LockOrderViolation), transaction.atomic():  # an ordinary block is one transaction
        with transaction.atomic():
            lock(Kind.CUSTOMER, User.objects.filter(pk=customer.pk))
        with transaction.atomic():
            lock(Kind.SALES_REGION, SalesRegion.objects.filter(pk=region.pk))


def test_no_select_for_update_outside_the_lock_helper():
    """Every service locks through ``commerce.locks``: a bare ``select_for_update`` would escape the
    lock order and its checks."""
    offenders = []
    for app in ("commerce", "orders", "promotions", "recommendations", "logistics"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if path == ROOT / "commerce" / "locks.py" or "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr == "select_for_update":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
