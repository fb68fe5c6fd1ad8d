"""``manage.py seed_demo_stock_alerts``: a few sold-out demo products and shoppers waiting for them.

Three demo products without reservations are sold out (a stock adjustment to zero, with its event
and ledger rows, as a stock take would record it); demo customers ask to be told when they are back
(waiting at once: their own address) and two guests ask too (pending: their confirmation mails are
in the outbox, as the shop sends them). The back office's "Stock alerts" list then has rows and its
"most awaited" table something to rank; receiving stock for one of them in the admin mails its
waiting shoppers. Idempotent: once the demo has alerts it changes nothing. ``seed_demo`` runs it.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef

from commerce import locks
from commerce.accounts.models import User
from commerce.audit import bus
from commerce.catalog import inventory
from commerce.catalog.models import Product, StockAlert, StockBatch, StockReservation
from commerce.catalog.stock_alerts import stock_alert_subscribe
from commerce.demo import add_allow_production_argument, refuse_in_production

DEMO_CODES = r"^(PHN|CMP|AUD|KIT)-[0-9]{4}$"  # lasting goods: a sell-out there is believable
SOLD_OUT = 3
GUESTS = ("lena.guest@example.com", "omar.guest@example.com")


class Command(BaseCommand):
    help = "Sell out three demo products and have demo customers and guests wait for them (idempotent)."

    def add_arguments(self, parser):
        add_allow_production_argument(parser)

    def handle(self, *args, allow_production, **options):
        refuse_in_production("seed_demo_stock_alerts", allow_production=allow_production)
        if StockAlert.objects.exists():
            self.stdout.write("Stock alerts: the demo has some already; nothing changed.")
            return
        reserved = StockReservation.objects.filter(product=OuterRef("pk"), status=StockReservation.Status.ACTIVE)
        products = list(
            Product.objects.filter(code__regex=DEMO_CODES, is_active=True).exclude(Exists(reserved)).order_by("code")[:SOLD_OUT]
        )
        customers = list(User.objects.filter(is_staff=False, groups__name="Customers").exclude(email="").order_by("id")[:6])
        if not products or not customers:
            self.stdout.write("Stock alerts: no demo products or customers to use; run seed_demo first.")
            return
        # The reactions stay paused: selling out reaches nothing outside the database.
        with bus.paused(), locks.batch():
            for product in products:
                for batch in StockBatch.objects.filter(product=product, quantity_on_hand__gt=0).order_by("id"):
                    inventory.stock_adjust(batch_number=batch.batch_number, delta=-batch.quantity_on_hand,
                                           reason="demo: sold out")
            alerts = []
            for i, customer in enumerate(customers):
                product = products[i % len(products)] if i < 3 else products[0]
                alerts.append(stock_alert_subscribe(product_id=product.pk, email=customer.email, customer=customer))
            for email in GUESTS:
                alerts.append(stock_alert_subscribe(product_id=products[-1].pk, email=email))
        names = ", ".join(p.name for p in products)
        self.stdout.write(self.style.SUCCESS(
            f"Stock alerts: {len(products)} products sold out ({names}); {len(alerts)} alerts "
            f"({sum(a.status == StockAlert.Status.WAITING for a in alerts)} waiting, "
            f"{sum(a.status == StockAlert.Status.PENDING for a in alerts)} awaiting confirmation)."))
