"""Helpers the serving tests share: journey steps, orders with several products, rebuilt pairs."""

from __future__ import annotations

from commerce.audit.journey import JourneyAction, journey_record
from recommendations.serving.bought_together import bought_together_rebuild
from recommendations.serving.shopper import Shopper
from tests.factories import customer_with_address
from tests.orders.factories import placed_order


def view(product, *, customer=None, session_id: str = "", action=JourneyAction.PRODUCT_VIEW):
    journey_record(action=action, session_id=session_id, customer_id=customer.pk if customer else None,
                   product_id=product.pk)


def baskets(*groups, times: int = 1):
    """Each group of products ordered together ``times`` times, by a new customer each time."""
    for _ in range(times):
        for group in groups:
            customer, address = customer_with_address()
            placed_order([(product, 1) for product in group], customer=customer, address=address)


def pairs_rebuilt(*groups, times: int = 2) -> int:
    baskets(*groups, times=times)
    return bought_together_rebuild()


def shopper_of(customer) -> Shopper:
    return Shopper(customer_id=customer.pk)
