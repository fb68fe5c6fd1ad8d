"""``manage.py seed_demo_orders``: demo orders for the demo shop, placed through the services.

Each order is made the way a shopper and the staff make one: the customer fills a cart
(``cart_get_or_create``, ``cart_add_item``), checks out (``order_create_from_cart``) and pays with
the sandbox test card or chooses cash on delivery (``order_pay``); then the lifecycle services
move it along (allocate, mark ready, ship, deliver, complete), or cancel or refund it. So every
order has its reservations, batch allocations, payments, domain events and read-model row.

The orders cover every status: pending, confirmed (cash on delivery), paid, allocated, ready to
ship, shipped, delivered, completed, cancelled (by the customer, and by staff after payment, which
refunds), one partially refunded and one paid after a declined card. Customers have favourite
products, so reorder suggestions and purchase patterns have something to show.

``seed_demo`` runs it after the shop when the orders app is installed. Deterministic plan
(``random.Random(seed)``); idempotent: when any order exists it changes nothing and says so.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from commerce import locks
from commerce.accounts import access
from commerce.accounts.selectors import address_list
from commerce.audit import bus
from commerce.catalog.selectors import product_queryset
from commerce.demo import add_allow_production_argument, refuse_in_production
from orders.errors import PaymentDeclined
from orders.gateways import CardDetails, SandboxCardGateway
from orders.guests import Guest
from orders.models import Order, ShippingHoliday, ShippingMethod
from orders.services import lifecycle
from orders.services.cart import cart_add_item, cart_get_or_create
from orders.services.checkout import order_create_from_cart
from orders.services.payments import order_pay, order_refund
from orders.shipping.services import cart_choose_shipping_method, shipping_holiday_save, shipping_method_save

DEFAULT_SEED = 2024
DEFAULT_ORDERS = 48


def _demo_card(number: str) -> CardDetails:
    """A sandbox test card valid for a few years from whenever the demo is loaded (never a fixed year)."""
    return CardDetails(number, 12, timezone.localdate().year + 3, "123")


CARRIERS = ("Colissimo", "Chronopost", "DPD France", "GLS")
DEMO_SHIPPING_METHODS = (
    {"code": "standard", "name": "Standard", "description": "Tracked parcel, delivered on working days.",
     "price_amount": Decimal("4.90"), "currency": "EUR", "free_over_amount": Decimal("50.00"), "cutoff_time": datetime.time(14),
     "processing_days": 1, "transit_days_min": 2, "transit_days_max": 3, "is_default": True, "position": 1},
    {"code": "express", "name": "Express", "description": "Ships the same day when ordered before 16:00; Saturday delivery.",
     "price_amount": Decimal("12.90"), "currency": "EUR", "free_over_amount": None, "cutoff_time": datetime.time(16),
     "processing_days": 0, "transit_days_min": 1, "transit_days_max": 1, "saturday_delivery": True, "position": 2},
    {"code": "economy", "name": "Economy", "description": "Slower and cheaper, free from 35.00.",
     "price_amount": Decimal("2.90"), "currency": "EUR", "free_over_amount": Decimal("35.00"), "cutoff_time": datetime.time(12),
     "processing_days": 2, "transit_days_min": 3, "transit_days_max": 5, "position": 3},
)
FRENCH_HOLIDAYS = {(1, 1): "New Year's Day", (5, 1): "Labour Day", (5, 8): "Victory in Europe Day", (7, 14): "Bastille Day",
                   (8, 15): "Assumption", (11, 1): "All Saints' Day", (11, 11): "Armistice Day", (12, 25): "Christmas Day"}
#: the demo shopper who orders without an account (a look-up finds their orders by number and this address)
GUEST_EMAIL = "guest.shopper@example.com"
GUEST_ADDRESS = {"recipient": "Gaspard Invité", "street": "8 Rue Mercière", "zip_code": "69002", "city": "Lyon", "state": "",
                 "country": "FR", "latitude": "45.762100", "longitude": "4.833500"}

# The story of each demo order, in the proportions of a small shop's week.
STORIES = (
    ["completed"] * 9 + ["delivered"] * 6 + ["shipped"] * 6 + ["ready_to_ship"] * 3 + ["allocated"] * 4
    + ["paid"] * 5 + ["pending"] * 4 + ["cod_confirmed"] * 3 + ["cod_delivered"] * 2 + ["cancelled_by_customer"] * 2
    + ["cancelled_after_payment"] * 2 + ["partially_refunded"] + ["declined_then_paid"]
)
# How far along the warehouse takes each story (after payment).
FULFILMENT = {
    "paid": 0, "declined_then_paid": 0, "allocated": 1, "cancelled_after_payment": 1, "ready_to_ship": 2, "shipped": 3,
    "delivered": 4, "partially_refunded": 4, "cod_delivered": 4, "completed": 5,
}
MIN_AVAILABLE = 10  # products with fewer sellable units are left to the shoppers


class Command(BaseCommand):
    help = "Place demo orders for the demo customers through the services (idempotent; run by seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed (same seed, same orders).")
        parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS, help="How many orders (up to 200).")
        add_allow_production_argument(parser)

    def handle(self, *args, seed, orders, allow_production, **options):
        refuse_in_production("seed_demo_orders", allow_production=allow_production)
        started = time.monotonic()
        self._shipping()
        if Order.objects.exists():
            self.stdout.write(self.style.SUCCESS("Demo orders already present: nothing changed."))
            return
        self.rng = random.Random(seed)
        # all the demo orders or none; run alone, so its commands are checked one by one. Their events
        # queue no reaction: no mail to the demo customers (bus.paused).
        with bus.paused(), locks.batch():
            customers = self._customers()
            stock = self._stock()
            if not customers or len(stock) < 3:
                self.stdout.write("No demo customers with addresses or too little stock: no demo orders placed.")
                return
            made = self._orders(customers, stock, max(0, min(orders, 200)))
            guests = self._guest_orders(stock)
            made += guests
        elapsed = time.monotonic() - started
        by_status = Counter(order.get_status_display().lower() for order in made)
        detail = ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
        partly = sum(order.payment_status == Order.PaymentStatus.PARTIALLY_REFUNDED for order in made)
        cash = sum(order.payment_method == Order.PaymentMethod.CASH_ON_DELIVERY for order in made)
        self.stdout.write(self.style.SUCCESS(
            f"Demo orders placed in {elapsed:.1f} s: {len(made)} orders ({detail}); "
            f"{partly} partly refunded, {cash} paid cash on delivery."
        ))
        for order in guests:
            self.stdout.write(f"  guest order {order.number} ({order.get_status_display().lower()}): "
                              f"look it up at /orders/find/ with {order.guest_email}")

    # --- how the shop delivers -----------------------------------------------------------------
    def _shipping(self) -> None:
        """Standard (the default, free from 50.00), express and economy, and the French public holidays."""
        if not ShippingMethod.objects.exists():
            for fields in DEMO_SHIPPING_METHODS:
                shipping_method_save(**fields)
            self.stdout.write(f"Shipping methods: {', '.join(m['name'] for m in DEMO_SHIPPING_METHODS)}.")
        if not ShippingHoliday.objects.exists():
            year = timezone.localdate().year
            for y in (year, year + 1):
                for (month, day), name in FRENCH_HOLIDAYS.items():
                    shipping_holiday_save(date=datetime.date(y, month, day), name=name)

    # --- who orders what ------------------------------------------------------------------------
    def _customers(self) -> list[tuple]:
        users = get_user_model().objects.filter(groups__name=access.CUSTOMERS, is_active=True).order_by("username")
        result = []
        for user in users:
            addresses = list(address_list(customer=user).order_by("-is_default", "id"))
            if addresses:
                result.append((user, addresses))
        return result

    @staticmethod
    def _stock() -> dict:
        """Sellable units of the products the demo orders draw from, counted down as orders reserve them."""
        products = product_queryset().filter(available__gte=MIN_AVAILABLE).order_by("code")
        return {p.pk: p.available for p in products}

    def _basket(self, favourites: list[int], pool: list[int], stock: dict, *, min_units: int) -> list[tuple[int, int]]:
        """A few of the customer's favourites and a few other products, within the stock left."""
        rng = self.rng
        for _attempt in range(5):
            wanted = rng.sample(favourites, rng.randint(1, min(2, len(favourites)))) + rng.sample(pool, rng.randint(0, 3))
            basket = []
            for product_id in dict.fromkeys(wanted):  # each product once, in order
                quantity = rng.choice((1, 1, 1, 2, 2, 3))
                if stock[product_id] >= quantity:
                    basket.append((product_id, quantity))
            if sum(quantity for _, quantity in basket) >= min_units:
                for product_id, quantity in basket:
                    stock[product_id] -= quantity
                return basket
        return []

    # --- the orders -------------------------------------------------------------------------------
    def _orders(self, customers: list[tuple], stock: dict, count: int) -> list[Order]:
        rng = self.rng
        pool = list(stock)
        favourites = {user.pk: rng.sample(pool, min(3, len(pool))) for user, _ in customers}
        # Every kind of story first, then the rest in proportion: a short run still shows each status.
        kinds = list(dict.fromkeys(STORIES))
        rest = list(STORIES)
        for kind in kinds:
            rest.remove(kind)
        ordered = kinds + rest
        stories = [ordered[i % len(ordered)] for i in range(count)]
        rng.shuffle(stories)
        regulars = rng.sample(customers, min(4, len(customers)))  # they order often; everyone else now and then
        made = []
        for index, story in enumerate(stories):
            user, addresses = rng.choice(regulars) if index % 2 else rng.choice(customers)
            address = addresses[0] if len(addresses) == 1 or rng.random() < 0.8 else addresses[1]
            # A partial refund gives back one unit of two or more: the order keeps the rest.
            basket = self._basket(favourites[user.pk], pool, stock, min_units=2 if story == "partially_refunded" else 1)
            if basket:
                made.append(self._place(user, address, basket, story, index))
        return made

    def _guest_orders(self, stock: dict) -> list[Order]:
        """Two orders of a shopper without an account: one paid, one shipped (its tracking a link).
        Signing up as ``GUEST_EMAIL`` offers to claim them."""
        made = []
        for index, shipped in enumerate((False, True)):
            basket = self._basket(list(stock), list(stock), stock, min_units=1)
            if not basket:
                continue
            token = f"demo-guest-{index}"
            cart = cart_get_or_create(session_key=token)
            for product_id, quantity in basket:
                cart_add_item(cart=cart, product_id=product_id, quantity=quantity)
            guest = Guest(email=GUEST_EMAIL, token=token)
            order = order_create_from_cart(guest=guest, cart=cart, guest_address=dict(GUEST_ADDRESS), payment_method="card")
            order_pay(order=order.pk, guest=guest, idempotency_key=f"demo-guest-{index}-pay", card=_demo_card(SandboxCardGateway.SUCCESS))
            if shipped:
                lifecycle.order_allocate(order=order.pk)
                lifecycle.order_mark_ready(order=order.pk)
                lifecycle.order_ship(order=order.pk, carrier="Colissimo", tracking_number=f"6A{self.rng.randint(10**10, 10**11 - 1)}")
            order.refresh_from_db()
            made.append(order)
        return made

    def _place(self, customer, address, basket, story: str, index: int) -> Order:
        cart = cart_get_or_create(customer=customer)
        for product_id, quantity in basket:
            cart_add_item(cart=cart, product_id=product_id, quantity=quantity)
        cod = story.startswith("cod_")
        if index % 4 == 1:  # some shoppers pay for speed
            cart_choose_shipping_method(cart=cart, code="express")
        order = order_create_from_cart(
            customer=customer, cart=cart, address_id=address.pk, payment_method="cod" if cod else "card"
        )
        if story == "pending":
            return order
        if story == "cancelled_by_customer":
            return lifecycle.order_cancel(order=order.pk, reason="changed my mind", by_customer=customer)
        if story == "declined_then_paid":
            try:
                order_pay(order=order.pk, customer=customer, idempotency_key=f"demo-{index}-declined", card=_demo_card(SandboxCardGateway.DECLINED))
            except PaymentDeclined:
                pass  # the shopper tries another card, as the shop invites them to
        order_pay(order=order.pk, customer=customer, idempotency_key=f"demo-{index}-pay", card=None if cod else _demo_card(SandboxCardGateway.SUCCESS))
        steps = FULFILMENT.get(story, 0)
        if steps >= 1:
            lifecycle.order_allocate(order=order.pk)
        if steps >= 2:
            lifecycle.order_mark_ready(order=order.pk)
        if steps >= 3:
            carrier = self.rng.choice(CARRIERS)
            tracking = f"{carrier[:2].upper()}{self.rng.randint(10**9, 10**10 - 1)}FR"
            lifecycle.order_ship(order=order.pk, carrier=carrier, tracking_number=tracking)
        if steps >= 4:
            lifecycle.order_deliver(order=order.pk)
        if steps >= 5:
            lifecycle.order_complete(order=order.pk)
        if story == "cancelled_after_payment":
            lifecycle.order_cancel(order=order.pk, reason="the delivery address is outside our delivery area")
        if story == "partially_refunded":
            line = order.lines.order_by("id").first()
            order_refund(order=order.pk, lines=[{"line_id": line.pk, "quantity": 1}], reason="one item arrived damaged")
        order.refresh_from_db()
        return order
