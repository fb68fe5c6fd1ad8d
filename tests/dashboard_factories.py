"""A small shop with something on every panel of the back office's home page, built through the
services (orders placed, paid and moved on; stock received; promotions and a campaign running)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from commerce.catalog import inventory
from orders.models import Order
from orders.services.lifecycle import order_allocate, order_confirm, order_mark_ready
from promotions.models import Campaign, Promotion
from tests.factories import ProductFactory
from tests.orders.factories import paid_order, placed_order, stocked_product
from tests.promotions.factories import CampaignFactory, PromotionFactory, redeem


@dataclass
class DashboardShop:
    paid: Order  # to allocate
    cod: Order  # confirmed, cash on delivery: to allocate too
    allocated: Order  # to pack
    ready: Order  # to ship
    pending: Order  # not a sale, not in the queue
    low: object  # a product with 2 sellable units
    perishable: object  # a product with a batch expiring in 5 days
    promotion: Promotion
    campaign: Campaign


_lot = iter(range(1, 10**9))


def shop_with_figures() -> DashboardShop:
    best = stocked_product(quantity=100, price="10.00")
    low = stocked_product(quantity=2, price="3.00")
    perishable = ProductFactory(price_amount=Decimal("4.00"), is_perishable=True)
    inventory.stock_receive(product=perishable, batch_number=f"NEAR-{next(_lot)}", quantity=7,
                            expires_on=timezone.localdate() + datetime.timedelta(days=5))
    paid = paid_order([(best, 3)])
    cod = order_confirm(order=placed_order([(best, 1)], payment_method="cod"))
    allocated = order_allocate(order=paid_order([(best, 2)]))
    ready = order_mark_ready(order=order_allocate(order=paid_order([(best, 1)])))
    pending = placed_order([(best, 5)])
    campaign = CampaignFactory(budget_amount=Decimal("100.00"), spent_amount=Decimal("25.00"))
    promotion = PromotionFactory(campaign=campaign)
    redeem(promotion, amount="2.50", order_total="22.50", order_id=10**12 + next(_lot))  # no real order's id
    return DashboardShop(paid, cod, allocated, ready, pending, low, perishable, promotion, campaign)
